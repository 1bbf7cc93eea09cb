import { describe, expect, it } from "vitest";
import { silentLogger } from "@skiff/log";
import type { Service } from "@skiff/api";
import { ServiceAllocator } from "./allocator.js";
import { RevisionMismatch, type Store } from "../storage/store.js";

/**
 * An in-memory compare-and-swap store with the semantics the allocator relies on (create
 * fails on an existing key, delete checks the revision). Every call yields first, so
 * concurrent allocations really interleave.
 */
class FakeStore {
  private rev = 0;
  readonly data = new Map<string, { revision: number; value: Uint8Array }>();
  private async tick(): Promise<void> {
    await new Promise((r) => setImmediate(r));
  }
  async get(key: string) {
    await this.tick();
    const e = this.data.get(key);
    return e ? { key, ...e } : null;
  }
  async create(key: string, value: Uint8Array) {
    await this.tick();
    if (this.data.has(key)) throw new RevisionMismatch(key);
    this.data.set(key, { revision: ++this.rev, value });
    return this.rev;
  }
  async delete(key: string, _v: Uint8Array, revision: number) {
    await this.tick();
    if (this.data.get(key)?.revision !== revision) throw new RevisionMismatch(key);
    this.data.delete(key);
    return ++this.rev;
  }
  async list(filter: string) {
    await this.tick();
    const prefix = filter.replace(/>$/, "");
    return { items: [...this.data].filter(([k]) => k.startsWith(prefix)).map(([key, e]) => ({ key, ...e })), revision: this.rev };
  }
}

let uid = 0;
function svc(name: string, spec: Partial<Service["spec"]> = {}): Service {
  return { apiVersion: "v1", kind: "Service", metadata: { name, namespace: "default", uid: `uid-${++uid}` }, spec: { ports: [{ port: 80 }], ...spec } };
}

function allocator(store: FakeStore, opts: Partial<{ serviceCidr: string; nodePortRange: string; loadBalancerRange: string }> = {}) {
  return new ServiceAllocator(
    store as unknown as Store,
    { serviceCidr: "10.0.0.0/28", nodePortRange: "30000-30004", loadBalancerRange: "192.0.2.10-192.0.2.11", ...opts },
    silentLogger(),
  );
}

describe("ClusterIP allocation", () => {
  it("hands out distinct addresses of the range, never the reserved 1st and 10th, until it is full", async () => {
    const a = allocator(new FakeStore());
    const ips = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const s = svc(`s${i}`);
      await a.allocate(s);
      ips.add(s.spec.clusterIP!);
    }
    expect(ips.size).toBe(12);
    expect(ips.has("10.0.0.1")).toBe(false);
    expect(ips.has("10.0.0.10")).toBe(false);
    for (const ip of ips) expect(Number(ip.split(".")[3])).toBeGreaterThanOrEqual(1);
    for (const ip of ips) expect(Number(ip.split(".")[3])).toBeLessThanOrEqual(14);
    await expect(a.allocate(svc("full"))).rejects.toThrow("failed to allocate IP: range is full");
  });

  it("rejects a chosen address that is taken or out of range, and frees it on delete", async () => {
    const a = allocator(new FakeStore());
    const first = svc("first", { clusterIP: "10.0.0.5" });
    await a.allocate(first);
    await expect(a.allocate(svc("clash", { clusterIP: "10.0.0.5" }))).rejects.toThrow(
      'spec.clusterIPs: Invalid value: []string{"10.0.0.5"}: failed to allocate IP 10.0.0.5: provided IP is already allocated',
    );
    await expect(a.allocate(svc("out", { clusterIP: "10.0.1.5" }))).rejects.toThrow("is not in the valid range. The range of valid IPs is 10.0.0.0/28");
    await expect(a.allocate(svc("bad", { clusterIP: "10.0.0.300" }))).rejects.toThrow("must be a valid IP address");
    await a.releaseDropped(first);
    const again = svc("again", { clusterIP: "10.0.0.5" });
    await a.allocate(again);
    expect(again.spec.clusterIP).toBe("10.0.0.5");
  });

  it("keeps the address on update and refuses to change it; headless takes nothing", async () => {
    const store = new FakeStore();
    const a = allocator(store);
    const s = svc("s");
    await a.allocate(s);
    const next = structuredClone(s);
    await a.allocate(next, s);
    expect(next.spec.clusterIP).toBe(s.spec.clusterIP);
    const changed = structuredClone(s);
    changed.spec.clusterIP = s.spec.clusterIP === "10.0.0.2" ? "10.0.0.3" : "10.0.0.2";
    await expect(a.allocate(changed, s)).rejects.toThrow("may not change once set");
    const before = store.data.size;
    const headless = svc("h", { clusterIP: "None" });
    await a.allocate(headless);
    expect(headless.spec.clusterIP).toBe("None");
    expect(store.data.size).toBe(before);
  });
});

describe("NodePort allocation", () => {
  it("allocates distinct ports of the range, rejects clashes and out-of-range ports, and releases them", async () => {
    const a = allocator(new FakeStore(), { serviceCidr: "10.0.0.0/24" });
    const ports: number[] = [];
    const held: Service[] = [];
    for (let i = 0; i < 5; i++) {
      const s = svc(`np${i}`, { type: "NodePort" });
      await a.allocate(s);
      ports.push(s.spec.ports![0].nodePort!);
      held.push(s);
    }
    expect([...ports].sort()).toEqual([30000, 30001, 30002, 30003, 30004]);
    await expect(a.allocate(svc("more", { type: "NodePort" }))).rejects.toThrow("spec.ports[0].nodePort: Invalid value: 0: range is full");
    // A failed allocation gives back what it took: its ClusterIP is free again. (The address is
    // one the services above did not get: their ClusterIPs are random.)
    const ip = Array.from({ length: 10 }, (_, i) => `10.0.0.${50 + i}`).find((x) => !held.some((h) => h.spec.clusterIP === x))!;
    await expect(a.allocate(svc("clash", { type: "NodePort", clusterIP: ip, ports: [{ port: 80, nodePort: 30002 }] }))).rejects.toThrow(
      "Invalid value: 30002: provided port is already allocated",
    );
    await a.allocate(svc("ip-free", { clusterIP: ip }));
    await expect(a.allocate(svc("range", { type: "NodePort", ports: [{ port: 80, nodePort: 31000 }] }))).rejects.toThrow(
      "provided port is not in the valid range. The range of valid ports is 30000-30004",
    );
    await a.releaseDropped(held.find((h) => h.spec.ports![0].nodePort === 30002)!);
    const again = svc("again", { type: "NodePort", ports: [{ port: 80, nodePort: 30002 }] });
    await a.allocate(again);
    expect(again.spec.ports![0].nodePort).toBe(30002);
  });

  it("never hands one port to two services allocated at once by two apiserver replicas", async () => {
    const store = new FakeStore();
    const replicas = [
      allocator(store, { serviceCidr: "10.0.0.0/24", nodePortRange: "30000-30019" }),
      allocator(store, { serviceCidr: "10.0.0.0/24", nodePortRange: "30000-30019" }),
    ];
    const services = Array.from({ length: 24 }, (_, i) => svc(`c${i}`, { type: "NodePort" }));
    const results = await Promise.allSettled(services.map((s, i) => replicas[i % 2].allocate(s)));
    const ok = services.filter((_, i) => results[i].status === "fulfilled");
    expect(ok.length).toBe(20);
    expect(new Set(ok.map((s) => s.spec.ports![0].nodePort)).size).toBe(20);
    expect(new Set(ok.map((s) => s.spec.clusterIP)).size).toBe(20);
    for (const r of results) if (r.status === "rejected") expect(String(r.reason)).toContain("range is full");
  });
});

describe("load-balancer addresses and repair", () => {
  it("puts a pool address in status.loadBalancer.ingress, honours loadBalancerIP, rejects one outside the pool", async () => {
    const a = allocator(new FakeStore(), { serviceCidr: "10.0.0.0/24" });
    const asked = svc("asked", { type: "LoadBalancer", loadBalancerIP: "192.0.2.11" });
    await a.allocate(asked);
    expect(asked.status?.loadBalancer?.ingress).toEqual([{ ip: "192.0.2.11" }]);
    const any = svc("any", { type: "LoadBalancer" });
    await a.allocate(any);
    expect(any.status?.loadBalancer?.ingress).toEqual([{ ip: "192.0.2.10" }]);
    expect(any.spec.ports![0].nodePort).toBeGreaterThanOrEqual(30000);
    // Pool exhausted: the service is created but stays pending (no ingress).
    const pending = svc("pending", { type: "LoadBalancer" });
    await a.allocate(pending);
    expect(pending.status?.loadBalancer?.ingress).toBeUndefined();
    await expect(a.allocate(svc("outside", { type: "LoadBalancer", loadBalancerIP: "198.51.100.1" }))).rejects.toThrow(
      "not in the load-balancer pool 192.0.2.10-192.0.2.11",
    );
  });

  it("leaves a Service of another loadBalancerClass to its implementation (no pool address)", async () => {
    const a = allocator(new FakeStore(), { serviceCidr: "10.0.0.0/24" });
    const other = svc("other", { type: "LoadBalancer", loadBalancerClass: "example.com/lb" });
    await a.allocate(other);
    expect(other.status?.loadBalancer?.ingress).toBeUndefined();
    const ours = svc("ours", { type: "LoadBalancer" });
    await a.allocate(ours);
    expect(ours.status?.loadBalancer?.ingress).toEqual([{ ip: expect.stringMatching(/^192\.0\.2\.1[01]$/) }]);
  });

  it("repair frees records of services that no longer exist, but not young ones", async () => {
    const store = new FakeStore();
    const a = allocator(store, { serviceCidr: "10.0.0.0/24" });
    const live = svc("live", { type: "NodePort" });
    const gone = svc("gone", { type: "NodePort" });
    await a.allocate(live);
    await a.allocate(gone);
    expect(store.data.size).toBe(4);
    expect(await a.repair(new Set([live.metadata.uid!]), 60_000)).toBe(0); // too young to judge
    expect(await a.repair(new Set([live.metadata.uid!]), 0)).toBe(2);
    expect(store.data.size).toBe(2);
    const reuse = svc("reuse", { clusterIP: gone.spec.clusterIP });
    await a.allocate(reuse);
    expect(reuse.spec.clusterIP).toBe(gone.spec.clusterIP);
  });
});
