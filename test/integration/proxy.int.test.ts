// The proxy process on its own, programmed over its gRPC socket like the node agent does, with
// backends in this process on loopback: bounded checks of what a client of a Service sees
// (round-robin, failover on dial errors, half-close, large transfers both ways through slow
// peers, PROXY protocol headers, no leaked sockets under churn, UDP
// session expiry, ClientIP affinity expiry, Local and PreferClose, table updates that keep
// established connections).
import { createServer, connect, type Server, type Socket } from "node:net";
import { createSocket } from "node:dgram";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import { proxyv1 } from "@skiff/proto";
import { startRig, entry, type ProxyRig } from "../proxy/harness.js";
import { freePort } from "../harness/cluster.js";

/** A TCP server that greets each connection with its name and closes. */
async function named(name: string): Promise<{ port: number; server: Server }> {
  const server = createServer((c) => {
    c.on("error", () => undefined);
    c.end(name);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as { port: number }).port, server };
}

/** Everything a connection to 127.0.0.1:port receives until the other side closes. */
function readAll(port: number, send?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = "";
    const c = connect(port, "127.0.0.1", () => {
      if (send !== undefined) c.end(send);
    });
    c.on("data", (d) => (out += d));
    c.on("end", () => {
      c.destroy();
      resolve(out);
    });
    c.on("error", reject);
  });
}

/** One series of the proxy's /metrics, e.g. `skiff_proxy_errors_total{service="t/x:80"}`. */
async function metric(rig: ProxyRig, series: string): Promise<number> {
  const text = await (await fetch(`http://${rig.metricsAddress}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.split(" ").pop()) : NaN;
}

const ep = (port: number, nodeName = "bench") => ({ ip: "127.0.0.1", port, nodeName, targetRef: "" });

describe("the proxy process", () => {
  let rig: ProxyRig;
  const servers: Server[] = [];
  let a: number, b: number, c: number, front: number;

  beforeAll(async () => {
    rig = await startRig(["--udp-idle-ms", "1500", "--connect-timeout-ms", "500"]);
    for (const n of ["a", "b", "c"]) {
      const s = await named(n);
      servers.push(s.server);
    }
    [a, b, c] = servers.map((s) => (s.address() as { port: number }).port);
    front = await freePort();
  });
  afterAll(async () => {
    for (const s of servers) s.close();
    await rig?.stop();
  });

  const program = async (...services: proxyv1.ServicePort[]) => {
    const r = await rig.setTable(services);
    expect(r.failures).toEqual([]);
  };

  it("spreads connections round-robin over the endpoints", async () => {
    await program(
      entry("t/rr:80", front, [
        { ip: "127.0.0.1", port: a },
        { ip: "127.0.0.1", port: b },
        { ip: "127.0.0.1", port: c },
      ]),
    );
    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push(await readAll(front));
    expect(got.sort()).toEqual(["a", "a", "b", "b", "c", "c"]);
  });

  it("tries the next endpoint when a dial fails, and resets the client when none answers", async () => {
    const dead = await freePort(); // nothing listens there: connection refused
    await program(
      entry("t/failover:80", front, [
        { ip: "127.0.0.1", port: dead },
        { ip: "127.0.0.1", port: a },
      ]),
    );
    for (let i = 0; i < 4; i++) expect(await readAll(front)).toBe("a");
    await program(entry("t/failover:80", front, [{ ip: "127.0.0.1", port: dead }]));
    const errors = 'skiff_proxy_errors_total{service="t/failover:80"}';
    expect(await metric(rig, errors)).toBe(0);
    await expect(readAll(front)).rejects.toThrow(/ECONNRESET/);
    expect(await metric(rig, errors)).toBe(1);
  });

  it("passes a half-close through: the client's EOF reaches the endpoint, which can still answer", async () => {
    const counter = createServer({ allowHalfOpen: true }, (s) => {
      let n = 0;
      s.on("data", (d) => (n += d.length));
      s.on("end", () => s.end(`got ${n}`));
    });
    await new Promise<void>((r) => counter.listen(0, "127.0.0.1", () => r()));
    servers.push(counter);
    await program(entry("t/half:80", front, [{ ip: "127.0.0.1", port: (counter.address() as { port: number }).port }]));
    expect(await readAll(front, "x".repeat(100_000))).toBe("got 100000");
  });

  it("carries a large download intact through a slow reader (back-pressure, buffer reuse)", async () => {
    const pattern = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 7 + (i >> 13)) & 0xff;
    const big = createServer((s) => {
      s.on("error", () => undefined);
      s.end(pattern);
    });
    await new Promise<void>((r) => big.listen(0, "127.0.0.1", () => r()));
    servers.push(big);
    await program(entry("t/big:80", front, [{ ip: "127.0.0.1", port: (big.address() as { port: number }).port }]));
    const got = await new Promise<Buffer>((resolve, reject) => {
      const parts: Buffer[] = [];
      const s = connect(front, "127.0.0.1");
      // Start paused and pause now and then, so the proxy's writes to us queue up (its buffers
      // are held by the kernel) and its reads must wait for them.
      s.pause();
      setTimeout(() => s.resume(), 300);
      s.on("data", (d) => {
        parts.push(d);
        if (parts.length % 8 === 0) {
          s.pause();
          setTimeout(() => s.resume(), 20);
        }
      });
      s.on("end", () => resolve(Buffer.concat(parts)));
      s.on("error", reject);
    });
    expect(got.length).toBe(pattern.length);
    expect(got.equals(pattern)).toBe(true);
  });

  it("carries a large upload intact to a slow endpoint, bytes sent before it answered included (client → endpoint buffers)", async () => {
    const pattern = Buffer.alloc(8 * 1024 * 1024);
    for (let i = 0; i < pattern.length; i++) pattern[i] = (i * 13 + (i >> 11)) & 0xff;
    // The endpoint reads slowly (pauses now and then), so the proxy's writes to it queue up while
    // its reads from the client go on into pooled buffers that must not be reused too early.
    const received = new Promise<Buffer>((resolve) => {
      const slow = createServer({ allowHalfOpen: true }, (s) => {
        const parts: Buffer[] = [];
        s.pause();
        setTimeout(() => s.resume(), 300);
        s.on("data", (d) => {
          parts.push(d);
          if (parts.length % 8 === 0) {
            s.pause();
            setTimeout(() => s.resume(), 20);
          }
        });
        s.on("end", () => {
          const all = Buffer.concat(parts);
          s.end(`got ${all.length}`);
          resolve(all);
        });
      });
      slow.listen(0, "127.0.0.1", async () => {
        servers.push(slow);
        await program(entry("t/upload:80", front, [{ ip: "127.0.0.1", port: (slow.address() as { port: number }).port }]));
        // Written at once on connect, before the proxy has even dialed the endpoint.
        const c = connect(front, "127.0.0.1");
        c.end(pattern);
        c.on("data", (d) => expect(d.toString()).toBe(`got ${pattern.length}`));
        c.on("error", () => undefined);
      });
    });
    const got = await received;
    expect(got.length).toBe(pattern.length);
    expect(got.equals(pattern)).toBe(true);
  });

  it("starts each endpoint connection with a PROXY protocol v2 header naming the client when the service port asks for it", async () => {
    const heads: Buffer[] = [];
    // Collects what arrives (header and data may come in separate reads); answers once it has 5+ bytes of data.
    const peek = createServer((s) => {
      const mine: Buffer[] = [];
      s.on("data", (d) => {
        heads.push(d);
        mine.push(d);
        if (
          Buffer.concat(mine)
            .toString()
            .match(/(hello|plain)$/)
        )
          s.end("ok");
      });
      s.on("error", () => undefined);
    });
    await new Promise<void>((r) => peek.listen(0, "127.0.0.1", () => r()));
    servers.push(peek);
    const port = (peek.address() as { port: number }).port;
    await program({ ...entry("t/pp:80", front, [{ ip: "127.0.0.1", port }]), proxyProtocol: true });
    const s = connect({ port: front, host: "127.0.0.1" });
    await new Promise((r) => s.once("connect", r));
    const clientPort = s.localPort!;
    s.write("hello");
    await waitFor(async () => Buffer.concat(heads).length >= 33, 5000, "the endpoint to read header and data").finally(() => s.destroy());
    const h = Buffer.concat(heads);
    expect(h.subarray(0, 12).toString("hex")).toBe("0d0a0d0a000d0a515549540a");
    expect(h.subarray(12, 16).toString("hex")).toBe("2111000c"); // v2 PROXY, TCP over IPv4, 12 address bytes
    expect([...h.subarray(16, 20)]).toEqual([127, 0, 0, 1]);
    expect(h.readUInt16BE(24)).toBe(clientPort);
    expect(h.readUInt16BE(26)).toBe(front);
    expect(h.subarray(28).toString()).toBe("hello");
    // Without the flag, the endpoint gets the client's bytes only.
    heads.length = 0;
    await program(entry("t/pp:80", front, [{ ip: "127.0.0.1", port }]));
    expect(await readAll(front, "plain")).toBe("ok");
    expect(Buffer.concat(heads).toString()).toBe("plain");
  });

  it("leaks no sockets when 500 connections open and close", async () => {
    await program(entry("t/churn:80", front, [{ ip: "127.0.0.1", port: rig.echoPort }]));
    const one = () =>
      new Promise<void>((resolve, reject) => {
        const s: Socket = connect(front, "127.0.0.1", () => s.write("hi"));
        s.once("data", () => {
          s.destroy();
          resolve();
        });
        s.on("error", reject);
      });
    for (let i = 0; i < 10; i++) await Promise.all(Array.from({ length: 50 }, one));
    await waitFor(async () => (await metric(rig, "skiff_proxy_open_connections")) === 0, 10_000, "open connections back to 0");
    const text = await (await fetch(`http://${rig.metricsAddress}/metrics`)).text();
    expect(text).toContain('skiff_proxy_active_connections{service="t/churn:80"} 0');
    expect(Number(/skiff_proxy_connections_total\{service="t\/churn:80"\} (\d+)/.exec(text)?.[1])).toBe(500);
  });

  it("closes a UDP session after it has been idle for --udp-idle-ms", async () => {
    const echo = createSocket("udp4");
    echo.on("message", (m, r) => echo.send(m, r.port, r.address));
    await new Promise<void>((r) => echo.bind(0, "127.0.0.1", () => r()));
    const udpFront = await freePort();
    try {
      await program({ ...entry("t/udp:53", udpFront, []), protocol: proxyv1.Protocol.PROTOCOL_UDP, endpoints: [ep(echo.address().port)] });
      const cl = createSocket("udp4");
      const reply = await new Promise<string>((resolve) => {
        cl.once("message", (m) => resolve(m.toString()));
        cl.send("ping", udpFront, "127.0.0.1");
      });
      cl.close();
      expect(reply).toBe("ping");
      expect(await metric(rig, "skiff_proxy_open_udp_sessions")).toBe(1);
      await waitFor(async () => (await metric(rig, "skiff_proxy_open_udp_sessions")) === 0, 5000, "the idle UDP session to close");
    } finally {
      echo.close();
    }
  });

  it("pins a client with ClientIP affinity until the affinity times out", async () => {
    await program({
      ...entry("t/sticky:80", front, [
        { ip: "127.0.0.1", port: a },
        { ip: "127.0.0.1", port: b },
      ]),
      sessionAffinitySeconds: 1,
    });
    const first = await readAll(front);
    for (let i = 0; i < 5; i++) expect(await readAll(front)).toBe(first);
    await new Promise((r) => setTimeout(r, 1300));
    // Affinity expired: round-robin moves on to the other endpoint.
    expect(await readAll(front)).not.toBe(first);
  });

  it("keeps traffic on the node's own endpoints with internalTrafficPolicy Local, and prefers them with PreferClose", async () => {
    const eps = [ep(a, "other-node"), ep(b, "bench"), ep(c, "other-node")];
    await program({ ...entry("t/local:80", front, []), endpoints: eps, internalLocal: true });
    for (let i = 0; i < 4; i++) expect(await readAll(front)).toBe("b");
    await program({ ...entry("t/local:80", front, []), endpoints: eps, internalLocal: false, preferClose: true });
    for (let i = 0; i < 4; i++) expect(await readAll(front)).toBe("b");
    // PreferClose with no local endpoint falls back to the others; Local would have none.
    await program({ ...entry("t/local:80", front, []), endpoints: [ep(a, "other-node"), ep(c, "other-node")], preferClose: true });
    const seen = new Set<string>();
    for (let i = 0; i < 4; i++) seen.add(await readAll(front));
    expect(seen).toEqual(new Set(["a", "c"]));
    await program({ ...entry("t/local:80", front, []), endpoints: [ep(a, "other-node")], internalLocal: true });
    await expect(readAll(front)).rejects.toThrow(/ECONNRESET/);
  });

  it("keeps an established connection across table updates, new connections follow the new table", async () => {
    await program(entry("t/update:80", front, [{ ip: "127.0.0.1", port: rig.echoPort }]));
    const s = connect(front, "127.0.0.1");
    await new Promise((r) => s.once("connect", r));
    const echo = (m: string) =>
      new Promise<string>((resolve) => {
        s.once("data", (d) => resolve(d.toString()));
        s.write(m);
      });
    expect(await echo("one")).toBe("one");
    await program(entry("t/update:80", front, [{ ip: "127.0.0.1", port: a }]));
    expect(await readAll(front)).toBe("a");
    expect(await echo("two")).toBe("two");
    // Even a table without the service: the listener closes, the connection stays.
    await program(entry("t/other:80", await freePort(), [{ ip: "127.0.0.1", port: a }]));
    expect(await echo("three")).toBe("three");
    s.destroy();
  });

  it("reports a frontend it cannot open with its service and reason, and opens it once the port is free", async () => {
    const taken = createServer(() => undefined);
    const port = await freePort();
    await new Promise<void>((r) => taken.listen(port, "127.0.0.1", () => r()));
    const r = await rig.setTable([entry("shop/busy:80", port, [{ ip: "127.0.0.1", port: a }])]);
    expect(r.failures).toEqual([{ frontend: `tcp:127.0.0.1:${port}`, service: "shop/busy", reason: "EADDRINUSE" }]);
    await new Promise<void>((res) => taken.close(() => res()));
    await waitFor(async () => (await rig.status()).failures.length === 0, 10_000);
    expect(await readAll(port)).toBe("a");
  });
});
