import { describe, expect, it } from "vitest";
import { Balancer } from "../balancer/balancer.js";
import { dialTimeoutMs } from "./tcp.js";

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
