import { afterEach, describe, expect, it, vi } from "vitest";
import { Balancer, type Backend, type Route } from "./balancer.js";

const b = (ip: string, nodeName = "me"): Backend => ({ ip, port: 80, nodeName });
const route = (endpoints: Backend[], r: Partial<Route> = {}): Route => ({
  endpoints,
  affinitySeconds: 0,
  internalLocal: false,
  externalLocal: false,
  preferClose: false,
  ...r,
});

describe("balancer", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("goes round-robin and skips excluded (just failed) endpoints", () => {
    const bal = new Balancer(route([b("1"), b("2"), b("3")]), "me");
    expect([1, 2, 3, 4, 5, 6].map(() => bal.pick("c", false)!.ip)).toEqual(["1", "2", "3", "1", "2", "3"]);
    const seen = new Set([1, 2, 3, 4].map(() => bal.pick("c", false, new Set(["2:80"]))!.ip));
    expect(seen).toEqual(new Set(["1", "3"]));
    expect(bal.pick("c", false, new Set(["1:80", "2:80", "3:80"]))).toBeUndefined();
  });

  it("pins a client with ClientIP affinity until it has been idle for the timeout", () => {
    vi.useFakeTimers();
    const bal = new Balancer(route([b("1"), b("2")], { affinitySeconds: 10 }), "me");
    const first = bal.pick("client-a", false)!.ip;
    expect(bal.pick("client-b", false)!.ip).not.toBe(first); // another client moves round-robin on
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(9000);
      expect(bal.pick("client-a", false)!.ip).toBe(first);
    }
    vi.advanceTimersByTime(10_001);
    bal.pick("client-a", false); // expired: picked afresh (round-robin)
    // A pinned endpoint that left the table is not used.
    bal.route = route([b("9")], { affinitySeconds: 10 });
    expect(bal.pick("client-a", false)!.ip).toBe("9");
  });

  it("applies internal/external Local policies and PreferClose", () => {
    const eps = [b("1", "other"), b("2", "me"), b("3", "other")];
    const local = new Balancer(route(eps, { internalLocal: true }), "me");
    expect(local.candidates(false).map((e) => e.ip)).toEqual(["2"]);
    expect(local.candidates(true).map((e) => e.ip)).toEqual(["1", "2", "3"]); // externalTrafficPolicy is Cluster
    const ext = new Balancer(route(eps, { externalLocal: true }), "me");
    expect(ext.candidates(true).map((e) => e.ip)).toEqual(["2"]);
    expect(ext.candidates(false).map((e) => e.ip)).toEqual(["1", "2", "3"]);
    const noLocal = new Balancer(route([b("1", "other")], { internalLocal: true }), "me");
    expect(noLocal.pick("c", false)).toBeUndefined();
    const close = new Balancer(route(eps, { preferClose: true }), "me");
    expect(close.candidates(false).map((e) => e.ip)).toEqual(["2"]);
    const far = new Balancer(route([b("1", "other"), b("3", "other")], { preferClose: true }), "me");
    expect(far.candidates(false).map((e) => e.ip)).toEqual(["1", "3"]);
  });
});
