// The scheduler's Prometheus metrics under kube-scheduler's names: attempts by result
// (scheduler_schedule_attempts_total), the algorithm's time per attempt, the end-to-end time from
// a pod first seen pending to seen bound, by attempts (scheduler_pod_scheduling_duration_seconds),
// and pending pods by queue. The scheduler makes one call per attempt; the rest watches its informer.
import type { Pod } from "@skiff/api";
import type { Informer } from "@skiff/client";
import { Counter, Gauge, Histogram, enableProcessMetrics } from "@skiff/metrics";

const PROFILE = "default-scheduler";
const attempts = new Counter({
  name: "scheduler_schedule_attempts_total",
  help: "Number of attempts to schedule pods, by the result. 'unschedulable' means a pod could not be scheduled, while 'error' means an internal scheduler problem.",
  labelNames: ["result", "profile"],
});
const algorithm = new Histogram({
  name: "scheduler_scheduling_algorithm_duration_seconds",
  help: "Scheduling algorithm latency in seconds (filters and scores over the node snapshot).",
  buckets: [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384],
});
const e2e = new Histogram({
  name: "scheduler_pod_scheduling_duration_seconds",
  help: "E2e latency for a pod being scheduled, from the scheduler first seeing it pending to seeing it bound, which may include multiple scheduling attempts.",
  labelNames: ["attempts"],
  buckets: [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92, 163.84, 327.68, 655.36, 1310.72, 2621.44, 5242.88],
});

/** Pods seen pending (key → first seen, ms, and attempts so far). */
const pending = new Map<string, { since: number; attempts: number }>();
let unschedulableCount: () => number = () => 0;

const resultOf: Record<string, string> = { Scheduled: "scheduled", Unschedulable: "unschedulable", Error: "error" };

/** Records one attempt (call right after the algorithm ran; `startMs` = performance.now() before it). */
export function observeAttempt(key: string, code: string, startMs: number): void {
  attempts.inc({ result: resultOf[code] ?? code.toLowerCase(), profile: PROFILE });
  algorithm.observe((performance.now() - startMs) / 1000);
  const p = pending.get(key);
  if (p) p.attempts++;
}

/** Watches the scheduler's pod informer for the end-to-end latency and the pending gauge. */
export function trackPodScheduling(pods: Informer<Pod>, isPending: (p: Pod) => boolean, parked?: () => number): void {
  enableProcessMetrics();
  if (parked) unschedulableCount = parked;
  const key = (p: Pod) => `${p.metadata.namespace ?? ""}/${p.metadata.name ?? ""}`;
  const seen = (p: Pod) => {
    const k = key(p);
    if (isPending(p)) {
      if (!pending.has(k)) pending.set(k, { since: Date.now(), attempts: 0 });
      return;
    }
    const was = pending.get(k);
    if (!was) return;
    pending.delete(k);
    if (p.spec.nodeName) e2e.observe({ attempts: String(Math.min(was.attempts, 15) || 1) }, (Date.now() - was.since) / 1000);
  };
  pods.addHandlers({ onAdd: seen, onUpdate: (_o, n) => seen(n), onDelete: (p) => pending.delete(key(p)) });
}

new Gauge({
  name: "scheduler_pending_pods",
  help: "Number of pending pods, by the queue type. 'active' means number of pods waiting to be tried or being tried; 'unschedulable' means pods parked until the cluster changes.",
  labelNames: ["queue"],
  collect() {
    const parked = Math.min(unschedulableCount(), pending.size);
    this.set({ queue: "active" }, pending.size - parked);
    this.set({ queue: "unschedulable" }, parked);
  },
});
