// Memory-pressure eviction: the kubelet's ranking (exceeds requests, priority, use above request)
// and one eviction per round only while memory.available is below the threshold.
import { describe, expect, it } from "vitest";
import pino from "pino";
import type { Pod } from "@skiff/api";
import { MemoryEvictor, memoryEvictionMessage, rankForMemory, type PodUsage } from "./memory.js";

const Mi = 1024 * 1024;
const pod = (name: string, o: { request?: string; limit?: string; priority?: number } = {}): Pod =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: name },
    spec: {
      priority: o.priority,
      containers: [
        {
          name: "c",
          image: "i",
          resources: { ...(o.request ? { requests: { memory: o.request } } : {}), ...(o.limit ? { limits: { memory: o.limit } } : {}) },
        },
      ],
    },
    status: { phase: "Running" },
  }) as Pod;
const usage = (p: Pod, mib: number, reqMib: number): PodUsage => ({ pod: p, containers: [{ name: "c", usage: mib * Mi, request: reqMib * Mi }] });

describe("memory pressure ranking", () => {
  it("evicts pods over their requests first (BestEffort always is), then by priority, then by use above request", () => {
    const bestEffort = usage(pod("best-effort"), 5, 0);
    const burstableOver = usage(pod("burstable-over", { request: "10Mi" }), 50, 10);
    const burstableUnder = usage(pod("burstable-under", { request: "100Mi" }), 20, 100);
    const guaranteed = usage(pod("guaranteed", { request: "50Mi", limit: "50Mi" }), 40, 50);
    const ranked = rankForMemory([guaranteed, burstableUnder, bestEffort, burstableOver]).map((u) => u.pod.metadata.name);
    // Both over their requests: the one further above goes first; within requests the closer to its request goes first.
    expect(ranked).toEqual(["burstable-over", "best-effort", "guaranteed", "burstable-under"]);
    const highPriority = usage(pod("important", { priority: 1000 }), 500, 0);
    expect(rankForMemory([highPriority, bestEffort]).map((u) => u.pod.metadata.name)).toEqual(["best-effort", "important"]);
  });

  it("words the event as the kubelet does", () => {
    expect(memoryEvictionMessage(100 * Mi, 50 * Mi, usage(pod("p"), 12, 0))).toBe(
      "The node was low on resource: memory. Threshold quantity: 100Mi, available: 50Mi. Container c was using 12Mi, request is 0, has larger consumption of memory. ",
    );
  });

  it("evicts one pod per round below the threshold, none above it, never a critical pod", async () => {
    let available = 200 * Mi;
    const evicted: string[] = [];
    const pods = [pod("a", { request: "10Mi" }), pod("b"), pod("critical", { priority: 2_000_000_000 })];
    const ev = new MemoryEvictor(
      {
        pods: () => pods,
        available: async () => available,
        usage: async (p) => [{ name: "c", bytes: p.metadata.name === "a" ? 5 * Mi : 30 * Mi }],
        evict: (p) => evicted.push(p.metadata.name!),
        log: pino({ level: "silent" }),
      },
      100 * Mi,
      1000,
    );
    await ev.check();
    expect(evicted).toEqual([]);
    available = 50 * Mi;
    await ev.check();
    expect(evicted).toEqual(["b"]);
    await ev.check();
    await ev.check();
    expect(evicted).toEqual(["b", "a"]);
  });
});
