// The replica calculation against Kubernetes' documented examples (the HPA algorithm details
// page) and its conservative handling of missing and not-yet-ready pods.
import { describe, expect, it } from "vitest";
import type { Pod } from "@skiff/api";
import { averageValueReplicas, groupPods, MetricError, resourceUtilizationReplicas, type CalcOptions, type PodMetrics } from "./replicas.js";

const NOW = Date.parse("2026-01-01T12:00:00Z");
const iso = (t: number) => new Date(t).toISOString();
const opts: CalcOptions = { tolerance: 0.1, cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000, now: NOW };

/** A running, long-ready pod with one container requesting `cpu` and `memory`. */
function pod(
  name: string,
  o: { cpu?: string; memory?: string; phase?: string; ready?: "True" | "False"; startedAgoMs?: number; readySinceAgoMs?: number; deleting?: boolean } = {},
): Pod {
  const started = NOW - (o.startedAgoMs ?? 3_600_000);
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", ...(o.deleting ? { deletionTimestamp: iso(NOW) } : {}) },
    spec: { containers: [{ name: "c", image: "x", resources: { requests: { cpu: o.cpu ?? "100m", memory: o.memory ?? "100Mi" } } }] },
    status: {
      phase: (o.phase ?? "Running") as never,
      startTime: iso(started),
      conditions: [{ type: "Ready", status: o.ready ?? "True", lastTransitionTime: iso(NOW - (o.readySinceAgoMs ?? 3_000_000)) }],
    },
  } as Pod;
}

const metrics = (values: Record<string, number>): PodMetrics =>
  new Map(Object.entries(values).map(([k, v]) => [k, { value: v, timestamp: NOW - 1000, windowMs: 1000 }]));

describe("resource utilization (desiredReplicas = ceil(currentReplicas × current/target))", () => {
  it("doubles at twice the target and halves at half of it (the documented 200m/100m and 50m/100m examples)", () => {
    const pods = [pod("a"), pod("b")];
    // 200m used of 100m requested = 200% against a 100% target.
    expect(resourceUtilizationReplicas(2, 100, "cpu", pods, metrics({ a: 200, b: 200 }), opts).replicas).toBe(4);
    expect(resourceUtilizationReplicas(2, 100, "cpu", pods, metrics({ a: 50, b: 50 }), opts).replicas).toBe(1);
  });

  it("skips scaling within the 0.1 tolerance, and not beyond it", () => {
    const pods = [pod("a"), pod("b"), pod("c")];
    // 54% against a 50% target: ratio 1.08, within tolerance; 46%: 0.92 is too.
    expect(resourceUtilizationReplicas(3, 50, "cpu", pods, metrics({ a: 54, b: 54, c: 54 }), opts)).toMatchObject({ replicas: 3, utilization: 54 });
    expect(resourceUtilizationReplicas(3, 50, "cpu", pods, metrics({ a: 46, b: 46, c: 46 }), opts).replicas).toBe(3);
    // 56%: ratio 1.12 → ceil(1.12 × 3) = 4.
    expect(resourceUtilizationReplicas(3, 50, "cpu", pods, metrics({ a: 56, b: 56, c: 56 }), opts).replicas).toBe(4);
  });

  it("reports utilisation as an integer percentage of the summed requests and the raw average", () => {
    const r = resourceUtilizationReplicas(2, 80, "cpu", [pod("a", { cpu: "200m" }), pod("b", { cpu: "200m" })], metrics({ a: 150, b: 151 }), opts);
    expect(r.utilization).toBe(75); // 301 / 400 = 75.25% → 75
    expect(r.averageMilli).toBe(150);
  });

  it("errors when a container has no request for the resource", () => {
    const p = pod("a");
    delete p.spec.containers[0].resources!.requests!.cpu;
    expect(() => resourceUtilizationReplicas(1, 50, "cpu", [p], metrics({ a: 10 }), opts)).toThrow(/missing request for cpu in container c of Pod a/);
  });

  it("errors with no pods, and when no pod has a sample", () => {
    expect(() => resourceUtilizationReplicas(1, 50, "cpu", [], metrics({}), opts)).toThrow(MetricError);
    expect(() => resourceUtilizationReplicas(1, 50, "cpu", [pod("a")], metrics({}), opts)).toThrow(/did not receive metrics/);
  });

  it("on a scale down, pods without metrics count as using 100% of their request (which can cancel it)", () => {
    const pods = [pod("a"), pod("b"), pod("c"), pod("d")];
    // Two pods at 10% of a 50% target: ratio 0.2. The two missing ones are assumed at 100%:
    // (10+10+100+100)/4 = 55% → ratio 1.1: the direction flipped, so nothing changes.
    expect(resourceUtilizationReplicas(4, 50, "cpu", pods, metrics({ a: 10, b: 10 }), opts).replicas).toBe(4);
    // Four pods, one missing, three at 10% of a 100% target: (10+10+10+100)/4 = 32.5% → ceil(0.32 × 4) = 2.
    expect(resourceUtilizationReplicas(4, 100, "cpu", pods, metrics({ a: 10, b: 10, c: 10 }), opts).replicas).toBe(2);
  });

  it("on a scale up, pods without metrics and unready pods count as using nothing", () => {
    const pods = [pod("a"), pod("b"), pod("c", { phase: "Pending" }), pod("d")];
    // a, b at 200% of a 100% target; c pending (unready), d missing → (200+200+0+0)/4 = 100%: no change.
    expect(resourceUtilizationReplicas(4, 100, "cpu", pods, metrics({ a: 200, b: 200 }), opts).replicas).toBe(4);
    // a, b at 400%: (400+400+0+0)/4 = 200% → ceil(2 × 4) = 8.
    expect(resourceUtilizationReplicas(4, 100, "cpu", pods, metrics({ a: 400, b: 400 }), opts).replicas).toBe(8);
  });

  it("ignores deleting, failed and succeeded pods", () => {
    const pods = [pod("a"), pod("b", { deleting: true }), pod("c", { phase: "Failed" }), pod("d", { phase: "Succeeded" })];
    const g = groupPods(pods, metrics({ a: 100, b: 100 }), "cpu", opts);
    expect(g).toMatchObject({ readyPodCount: 1, ignored: new Set(["b", "c", "d"]) });
    expect(resourceUtilizationReplicas(1, 50, "cpu", pods, metrics({ a: 100, b: 100 }), opts).replicas).toBe(2);
  });

  it("leaves out CPU samples of pods still initialising until they are ready and sampled after", () => {
    const young = pod("y", { startedAgoMs: 60_000, readySinceAgoMs: 500 }); // ready 0.5 s ago, the sample (1 s old, 1 s window) predates it
    const unreadyYoung = pod("u", { startedAgoMs: 60_000, ready: "False", readySinceAgoMs: 50_000 });
    const neverReadyOld = pod("n", { startedAgoMs: 600_000, ready: "False", readySinceAgoMs: 590_000 }); // unready since 10 s after start
    const readyOld = pod("o");
    const g = groupPods([young, unreadyYoung, neverReadyOld, readyOld], metrics({ y: 1, u: 1, n: 1, o: 1 }), "cpu", opts);
    expect([...g.unready].sort()).toEqual(["n", "u", "y"]);
    expect(g.readyPodCount).toBe(1);
    // Memory has no such rule.
    expect(groupPods([young, unreadyYoung], metrics({ y: 1, u: 1 }), "memory", opts).readyPodCount).toBe(2);
  });
});

describe("average value targets", () => {
  it("scales on the average per pod against the target (memory in milli-bytes)", () => {
    const mi = 1024 * 1024 * 1000;
    const pods = [pod("a"), pod("b")];
    // 150Mi average against 100Mi: ratio 1.5 → ceil(1.5 × 2) = 3.
    expect(averageValueReplicas(2, 100 * mi, "memory", pods, metrics({ a: 150 * mi, b: 150 * mi }), opts)).toMatchObject({
      replicas: 3,
      averageMilli: 150 * mi,
    });
    expect(averageValueReplicas(2, 100 * mi, "memory", pods, metrics({ a: 105 * mi, b: 95 * mi }), opts).replicas).toBe(2);
  });
});
