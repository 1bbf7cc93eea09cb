import { describe, expect, it } from "vitest";
import { Balancer } from "../balancer/balancer.js";
import type { Logger } from "@skiff/log";
import { TcpFrontend, dialTimeoutMs } from "./tcp.js";

describe("dial timeout", () => {
  const opts = { connectTimeoutMs: 1000, maxAttempts: 3 };
  const route = (n: number) => ({
    endpoints: Array.from({ length: n }, (_, i) => ({ ip: `10.0.0.${i + 1}`, port: 80, nodeName: "n" })),
    affinitySeconds: 0,
    internalLocal: false,
    externalLocal: false,
    preferClose: false,
  });

  it("times a dial out only while another endpoint is left to try", () => {
    // One endpoint: its dial is the last, so no timeout of ours (the kernel resends the SYN).
    const one = new Balancer(route(1), "n");
    expect(dialTimeoutMs(opts, 1, one.left(false, new Set(["10.0.0.1:80"])))).toBe(0);
    // Two: the first dial may time out (the other is tried next); the second may not.
    const two = new Balancer(route(2), "n");
    expect(dialTimeoutMs(opts, 1, two.left(false, new Set(["10.0.0.1:80"])))).toBe(1000);
    expect(dialTimeoutMs(opts, 2, two.left(false, new Set(["10.0.0.1:80", "10.0.0.2:80"])))).toBe(0);
    // Five endpoints but three attempts at most: the third dial is the last.
    const five = new Balancer(route(5), "n");
    const tried = new Set(["10.0.0.1:80", "10.0.0.2:80", "10.0.0.3:80"]);
    expect(five.left(false, tried)).toBe(2);
    expect(dialTimeoutMs(opts, 3, five.left(false, tried))).toBe(0);
    expect(dialTimeoutMs(opts, 2, five.left(false, new Set(["10.0.0.1:80", "10.0.0.2:80"])))).toBe(1000);
  });

  it("counts only the endpoints this traffic may use (externalTrafficPolicy: Local)", () => {
    const b = new Balancer(
      {
        ...route(0),
        externalLocal: true,
        endpoints: [
          { ip: "10.0.0.1", port: 80, nodeName: "here" },
          { ip: "10.0.0.2", port: 80, nodeName: "there" },
        ],
      },
      "here",
    );
    expect(b.left(true, new Set(["10.0.0.1:80"]))).toBe(0);
    expect(b.left(false, new Set(["10.0.0.1:80"]))).toBe(1);
  });
});

describe("warnings about endpoints", () => {
  it("warns once per interval when no endpoint answers a connection, counting the ones it did not log", async () => {
    const { createServer, connect } = await import("node:net");
    // A port nothing listens on: bind one, note it, close it.
    const closed = await new Promise<number>((resolve) => {
      const s = createServer().listen(0, "127.0.0.1", () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    const warnings: { fields: Record<string, unknown>; msg: string }[] = [];
    const log = { warn: (fields: Record<string, unknown>, msg: string) => warnings.push({ fields, msg }), debug: () => undefined } as unknown as Logger;
    const balancer = new Balancer(
      { endpoints: [{ ip: "127.0.0.1", port: closed, nodeName: "n" }], affinitySeconds: 0, internalLocal: false, externalLocal: false, preferClose: false },
      "n",
    );
    const counters = { connections: 0, active: 0, bytesIn: 0, bytesOut: 0, errors: 0, udpSessions: 0, udpPackets: 0 };
    const f = new TcpFrontend("127.0.0.1", 0, { balancer, counters, external: false, proxyProtocol: false }, { connectTimeoutMs: 1000, maxAttempts: 3 }, log);
    await f.listen();
    const port = (f as unknown as { server: { address(): { port: number } } }).server.address().port;
    const refusedOnce = () =>
      new Promise<void>((resolve) => {
        const c = connect(port, "127.0.0.1");
        c.on("error", () => resolve());
        c.on("close", () => resolve());
      });
    await refusedOnce();
    await refusedOnce();
    f.close();
    expect(counters.errors).toBe(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0].msg).toBe("no endpoint answered; connection reset");
    expect(warnings[0].fields).toMatchObject({ tried: [`127.0.0.1:${closed}`], candidates: 1, suppressed: 0 });
  });
});
