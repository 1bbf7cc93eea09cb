// forward() against real loopback servers: the next endpoint after a refused connection, 502
// naming every failure, 504 on a read timeout, 413 over proxy-body-size, forwarded headers.
import { createServer, request, type Server, type IncomingHttpHeaders } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultRouteOptions, type RouteOptions } from "../annotations/annotations.js";
import type { Endpoint } from "../backends/backends.js";
import { forward, type Outcome } from "./forward.js";
import { Upstreams } from "./upstreams.js";

const listen = (s: Server) => new Promise<number>((r) => s.listen(0, "127.0.0.1", () => r((s.address() as { port: number }).port)));
let seen: { url?: string; headers?: IncomingHttpHeaders; bytes: number } = { bytes: 0 };
const backend = createServer((req, res) => {
  seen = { url: req.url, headers: req.headers, bytes: 0 };
  if (req.url === "/slow") return void setTimeout(() => res.end("late"), 1500);
  req.on("data", (d: Buffer) => (seen.bytes += d.length));
  req.on("end", () => res.end(`ok ${seen.bytes}`));
});
let good = 0,
  refused = 0;
let target: { endpoints: Endpoint[]; options: RouteOptions; path?: string } = { endpoints: [], options: defaultRouteOptions };
const pools = new Upstreams();
const outcomes: Outcome[] = [];
const front = createServer((req, res) =>
  forward(
    req,
    res,
    {
      backend: "d/web:80",
      endpoints: target.endpoints,
      options: target.options,
      path: target.path ?? req.url!,
      client: { remoteAddress: "192.0.2.7", proto: "https", host: req.headers.host!, port: 443 },
    },
    pools,
    (o) => outcomes.push(o),
  ),
);
let frontPort = 0;

function call(path: string, opts: { method?: string; body?: Buffer; chunked?: boolean } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = {
      host: "app.example.com",
      "x-forwarded-for": "6.6.6.6",
      connection: "keep-alive, x-secret",
      "x-secret": "hop",
    };
    if (opts.body && !opts.chunked) headers["content-length"] = opts.body.length;
    const req = request({ host: "127.0.0.1", port: frontPort, path, method: opts.method ?? "GET", headers, agent: false }, (res) => {
      let body = "";
      res.on("data", (d) => (body += d));
      res.on("end", () => resolve({ status: res.statusCode!, body }));
    });
    req.on("error", reject);
    // write-then-end sends Transfer-Encoding: chunked (no declared length).
    if (opts.chunked) {
      req.write(opts.body);
      req.end();
    } else req.end(opts.body);
  });
}

beforeAll(async () => {
  good = await listen(backend);
  const tmp = createServer();
  refused = await listen(tmp);
  await new Promise((r) => tmp.close(r));
  frontPort = await listen(front);
});
afterAll(() => {
  backend.close();
  front.close();
  pools.close();
});

describe("forward", () => {
  it("tries the next endpoint when a connection is refused, and sets X-Forwarded-*", async () => {
    target = {
      endpoints: [
        { ip: "127.0.0.1", port: refused },
        { ip: "127.0.0.1", port: good },
      ],
      options: defaultRouteOptions,
    };
    for (let i = 0; i < 2; i++) expect(await call("/a?b=1", { method: "POST", body: Buffer.alloc(1000) })).toEqual({ status: 200, body: "ok 1000" });
    expect(seen.url).toBe("/a?b=1");
    expect(seen.headers).toMatchObject({
      host: "app.example.com",
      "x-forwarded-for": "192.0.2.7",
      "x-real-ip": "192.0.2.7",
      "x-forwarded-proto": "https",
      "x-forwarded-host": "app.example.com",
      "x-forwarded-port": "443",
    });
    expect(seen.headers!["x-secret"]).toBeUndefined();
  });
  it("answers 502 naming every endpoint that failed", async () => {
    target = {
      endpoints: [
        { ip: "127.0.0.1", port: refused },
        { ip: "127.0.0.2", port: refused },
      ],
      options: defaultRouteOptions,
    };
    const r = await call("/");
    expect(r.status).toBe(502);
    expect(r.body).toContain("no endpoint of d/web:80 accepted a connection");
    expect(r.body).toContain(`127.0.0.1:${refused}: ECONNREFUSED`);
    expect(r.body).toContain(`127.0.0.2:${refused}: ECONNREFUSED`);
  });
  it("answers 504 when the backend is silent past proxy-read-timeout", async () => {
    target = { endpoints: [{ ip: "127.0.0.1", port: good }], options: { ...defaultRouteOptions, readTimeoutMs: 200 } };
    const r = await call("/slow");
    expect(r.status).toBe(504);
    expect(r.body).toContain("proxy-read-timeout");
  });
  it("answers 413 over proxy-body-size, declared or streamed", async () => {
    target = { endpoints: [{ ip: "127.0.0.1", port: good }], options: { ...defaultRouteOptions, bodyLimit: 100 } };
    expect((await call("/", { method: "POST", body: Buffer.alloc(101) })).status).toBe(413);
    expect((await call("/", { method: "POST", body: Buffer.alloc(5000), chunked: true })).status).toBe(413);
    expect(await call("/", { method: "POST", body: Buffer.alloc(100) })).toEqual({ status: 200, body: "ok 100" });
  });
  it("sends the rewritten path", async () => {
    target = { endpoints: [{ ip: "127.0.0.1", port: good }], options: defaultRouteOptions, path: "/new?q" };
    await call("/old?q");
    expect(seen.url).toBe("/new?q");
  });
});

describe("Upstreams.retain", () => {
  it("lets a request in flight on a retired endpoint finish", async () => {
    const p = new Upstreams();
    const slow = createServer((_req, res) => setTimeout(() => res.end("done"), 300));
    const port = await listen(slow);
    const ep = { ip: "127.0.0.1", port };
    const body = new Promise<string>((resolve, reject) => {
      let text = "";
      p.pool(ep, false, 5000).dispatch(
        { path: "/", method: "GET", headers: { host: "x" }, body: null, readTimeoutMs: 5000 },
        {
          onConnect: () => undefined,
          onHeaders: () => undefined,
          onData: (d) => {
            text += d;
            return true;
          },
          onComplete: () => resolve(text),
          onError: reject,
        },
      );
    });
    await new Promise((r) => setTimeout(r, 100));
    p.retain(new Set());
    expect(await body).toBe("done");
    slow.close();
    p.close();
  });
});

describe("forward over HTTP/2", () => {
  it("streams a request body and answers 413 over the limit without connection headers", async () => {
    const { createSecureServer, connect } = await import("node:http2");
    const { selfSigned } = await import("../tls/certs.js");
    const cert = selfSigned("h2.test");
    const h2 = createSecureServer({ ...cert, allowHTTP1: true }, (req, res) =>
      forward(
        req,
        res,
        {
          backend: "d/web:80",
          endpoints: [{ ip: "127.0.0.1", port: good }],
          options: { ...defaultRouteOptions, bodyLimit: 1000 },
          path: req.url,
          client: { remoteAddress: "192.0.2.7", proto: "https", host: "h2.test", port: 443 },
        },
        pools,
        () => undefined,
      ),
    );
    const port = await new Promise<number>((r) => h2.listen(0, "127.0.0.1", () => r((h2.address() as { port: number }).port)));
    const session = connect(`https://127.0.0.1:${port}`, { rejectUnauthorized: false });
    const post = (n: number) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        const s = session.request({ ":method": "POST", ":path": "/up", ":authority": "h2.test" });
        let status = 0,
          body = "";
        s.on("response", (h) => (status = Number(h[":status"])));
        s.on("data", (d) => (body += d));
        s.on("end", () => resolve({ status, body }));
        s.on("error", reject);
        s.end(Buffer.alloc(n));
      });
    expect(await post(500)).toEqual({ status: 200, body: "ok 500" });
    expect((await post(5000)).status).toBe(413);
    session.close();
    h2.close();
  });
});
