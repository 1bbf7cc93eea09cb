// UpstreamPool against raw loopback servers that show what went over the wire: connections
// reused, bodies chunked when no length is known, a connection the backend closed while idle
// forgotten, Keep-Alive hints and Connection: close obeyed, timeouts and bad targets reported.
import { createServer, type Server, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { Readable } from "node:stream";
import { UpstreamErrors, UpstreamPool, type UpstreamRequest } from "./client.js";

interface Backend {
  port: number;
  connections: number;
  /** Every request as received (head and body bytes). */
  requests: string[];
  server: Server;
  sockets: Socket[];
}

/** A backend that answers each complete request with `answer(requestText)`. */
async function backend(answer: (req: string) => string | undefined): Promise<Backend> {
  const b: Backend = { port: 0, connections: 0, requests: [], server: createServer(), sockets: [] };
  b.server.on("connection", (s) => {
    b.connections++;
    b.sockets.push(s);
    let buf = "";
    s.on("data", (d) => {
      buf += d.toString("latin1");
      // A request is complete at its head's end, or at the last chunk of a chunked body.
      const end = buf.indexOf("\r\n\r\n");
      if (end < 0) return;
      if (/transfer-encoding: chunked/i.test(buf.slice(0, end)) && !buf.endsWith("0\r\n\r\n")) return;
      const cl = /content-length: (\d+)/i.exec(buf.slice(0, end));
      if (cl && buf.length < end + 4 + Number(cl[1])) return;
      b.requests.push(buf);
      const out = answer(buf);
      buf = "";
      if (out !== undefined) s.write(out);
    });
    s.on("error", () => undefined);
  });
  await new Promise<void>((r) => b.server.listen(0, "127.0.0.1", r));
  b.port = (b.server.address() as { port: number }).port;
  return b;
}

const open: Backend[] = [];
const pools: UpstreamPool[] = [];
afterEach(() => {
  for (const b of open.splice(0)) {
    for (const s of b.sockets) s.destroy();
    b.server.close();
  }
  for (const p of pools.splice(0)) p.destroy();
});

async function setup(answer: (req: string) => string | undefined): Promise<{ b: Backend; pool: UpstreamPool }> {
  const b = await backend(answer);
  open.push(b);
  const pool = new UpstreamPool("127.0.0.1", b.port, false, 2000);
  pools.push(pool);
  return { b, pool };
}

/** Sends a request; resolves status and body, or rejects with the client's error. */
function send(pool: UpstreamPool, req: Partial<UpstreamRequest> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    let status = 0,
      body = "";
    pool.dispatch(
      { method: "GET", path: "/", headers: { host: "app" }, body: null, readTimeoutMs: 2000, ...req },
      {
        onConnect: () => undefined,
        onHeaders: (s) => (status = s),
        onData: (d) => {
          body += d.toString();
          return true;
        },
        onComplete: () => resolve({ status, body }),
        onError: reject,
      },
    );
  });
}

const ok = (body = "ok", extra = "") => `HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n${extra}\r\n${body}`;
const tick = (ms = 50) => new Promise((r) => setTimeout(r, ms));

describe("UpstreamPool", () => {
  it("reuses one connection for requests one after another", async () => {
    const { b, pool } = await setup(() => ok());
    for (let i = 0; i < 5; i++) expect(await send(pool)).toEqual({ status: 200, body: "ok" });
    expect(b.connections).toBe(1);
    expect(b.requests[0]).toBe("GET / HTTP/1.1\r\nhost: app\r\n\r\n");
  });
  it("opens a connection per request in flight at once", async () => {
    const { b, pool } = await setup(() => ok());
    await Promise.all([send(pool), send(pool), send(pool)]);
    expect(b.connections).toBe(3);
  });
  it("streams a body chunked when no length is declared, as is when it is", async () => {
    const { b, pool } = await setup(() => ok());
    await send(pool, { method: "POST", body: Readable.from([Buffer.from("ab"), Buffer.from("cde")]) });
    expect(b.requests[0]).toBe("POST / HTTP/1.1\r\nhost: app\r\ntransfer-encoding: chunked\r\n\r\n2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n");
    await send(pool, { method: "PUT", headers: { host: "app", "content-length": "5" }, body: Readable.from([Buffer.from("12345")]) });
    expect(b.requests[1]).toBe("PUT / HTTP/1.1\r\nhost: app\r\ncontent-length: 5\r\n\r\n12345");
  });
  it("forgets a connection the backend closed while idle and opens a new one", async () => {
    const { b, pool } = await setup(() => ok());
    await send(pool);
    b.sockets[0].end();
    await tick();
    expect(await send(pool)).toEqual({ status: 200, body: "ok" });
    expect(b.connections).toBe(2);
  });
  it("reports a connection closed before the answer as such (the proxy retries those)", async () => {
    const { b, pool } = await setup(() => "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc");
    const p = send(pool);
    await tick();
    b.sockets[0].destroy();
    await expect(p).rejects.toMatchObject({ code: UpstreamErrors.closed });
  });
  it("closes the connection after Connection: close and after a Keep-Alive hint of a second", async () => {
    const { b, pool } = await setup(() => ok("ok", "Connection: close\r\n"));
    await send(pool);
    await send(pool);
    expect(b.connections).toBe(2);
    const { b: b2, pool: pool2 } = await setup(() => ok("ok", "Keep-Alive: timeout=1\r\n"));
    await send(pool2);
    await send(pool2);
    expect(b2.connections).toBe(2);
  });
  it("reads a body until the close when the backend gives no length", async () => {
    const { b, pool } = await setup(() => undefined);
    const p = send(pool);
    await tick();
    b.sockets[0].end("HTTP/1.1 200 OK\r\n\r\nall of it");
    expect(await p).toEqual({ status: 200, body: "all of it" });
  });
  it("times out a backend that does not answer", async () => {
    const { pool } = await setup(() => undefined);
    await expect(send(pool, { readTimeoutMs: 200 })).rejects.toMatchObject({ code: UpstreamErrors.headersTimeout });
  });
  it("refuses a request target with spaces or control characters before connecting", async () => {
    const { b, pool } = await setup(() => ok());
    await expect(send(pool, { path: "/a b\r\nX: y" })).rejects.toMatchObject({ code: UpstreamErrors.invalidRequest });
    expect(b.connections).toBe(0);
  });
  it("reports a refused connection with the socket's code", async () => {
    const b = await backend(() => ok());
    b.server.close();
    const pool = new UpstreamPool("127.0.0.1", b.port, false, 2000);
    pools.push(pool);
    await expect(send(pool)).rejects.toMatchObject({ code: "ECONNREFUSED" });
  });
});
