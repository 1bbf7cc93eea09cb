// npm run bench:scheduler — the real scheduler against N hollow nodes (N = 100 and 1000 by
// default; SKIFF_BENCH_NODES="100,1000", SKIFF_BENCH_PODS=5000 change it): pods/s and p50/p99
// create→bound latency measured from a pod watch. A paced run first (SKIFF_BENCH_PACED=
// "1000:500:20" = nodes:pods:pods per second) shows the latency of a scheduler that keeps up; then
// pods are created in one burst (throughput; latency then includes queueing); a backlog run (SKIFF_BENCH_BACKLOG=
// nodes, 0 = none; default the largest N) creates the pods before starting the scheduler and
// measures from the first bind: the scheduler's own throughput. Beside each run: the rate the
// apiserver took the pods' creations (binds cannot outrun arrivals) and kube-scheduler's CI floor
// (270 pods/s at 5,000 nodes) as the anchor. The paced run first creates SKIFF_BENCH_PACED_WARMUP
// (100) unmeasured pods at the same pace, and after it measures the machine's floor for the same
// pace: a message around a ring of 4 Node.js processes over loopback (hop-floor.ts) — the bound
// pod's path crosses four processes after the bench sees it created (scheduler → apiserver →
// nats-server → apiserver → bench). Writes bench-results/scheduler.json.
// Each run also prints the CPU time every process spent per pod bound (/proc, over the measured
// window). SKIFF_CPU_PROF_DIR=/dir leaves a CPU profile of every component there (where the time goes).
// Last, the burst once more on node objects with no kubelets and no controller-manager
// (SKIFF_BENCH_NO_KUBELETS=nodes, 0 = none; default the largest N): scheduler_perf's conditions.
import { expect, it } from "vitest";
import { printTable } from "./stats.js";
import { ceiling, cpuLine, header, row, runSchedulerScale, type ScaleResult } from "./scheduler-scale.js";
import { writeBenchResult } from "./results.js";

const NODES = (process.env.SKIFF_BENCH_NODES ?? "100,1000")
  .split(",")
  .map(Number)
  .filter((n) => n > 0);
const PODS = Number(process.env.SKIFF_BENCH_PODS ?? 5000);
/** kube-scheduler's CI floor (scheduler_perf, 5,000 nodes): an anchor from elsewhere, not measured here. */
const KUBE_SCHEDULER_FLOOR = 270;
/** Process hops of a bound pod's path after the bench sees it created (see the header). */
const FLOOR_HOPS = 4;

/** One run's table and where its CPU went. */
function report(title: string, r: ScaleResult): void {
  printTable(title, header, [row(r)]);
  process.stdout.write(`${cpuLine(r)}\n`);
}

it(`schedules ${PODS} pods on ${NODES.join(" and ")} hollow nodes`, { timeout: 3_600_000 }, async () => {
  const results: ScaleResult[] = [];
  // Paced first: its tail latency is measured before the bursts have filled this process's heap
  // (the bench's own watch callbacks are on the measured path).
  const [pn, pp, rate] = (process.env.SKIFF_BENCH_PACED ?? "1000:500:20").split(":").map(Number);
  if (pn > 0) {
    const warmupPods = Number(process.env.SKIFF_BENCH_PACED_WARMUP ?? 100);
    const r = await runSchedulerScale({ nodes: pn, pods: pp, ratePerSecond: rate, warmupPods, floorHops: FLOOR_HOPS, timeoutMs: 600_000 });
    report(`scheduler: ${pp} pods at ${rate}/s on ${pn} hollow nodes (after ${warmupPods} warm-up pods)`, r);
    if (r.floor) {
      process.stdout.write(
        `floor, the same pace: a message around ${r.floor.hops} Node.js processes (loopback TCP): p50 ${r.floor.p50Ms.toFixed(1)} ms, p99 ${r.floor.p99Ms.toFixed(1)} ms, max ${r.floor.maxMs.toFixed(1)} ms; pods p99 = ${(r.p99Ms / r.floor.p99Ms).toFixed(2)}× the floor's\n`,
      );
    }
    expect(r.bound).toBe(pp);
    results.push(r);
  }
  for (const n of NODES) {
    const r = await runSchedulerScale({ nodes: n, pods: PODS, timeoutMs: 600_000 });
    results.push(r);
    report(`scheduler: ${PODS} pods on ${n} hollow nodes`, r);
  }
  // The same pods created before the scheduler starts: its own throughput, arrivals aside.
  const backlogNodes = Number(process.env.SKIFF_BENCH_BACKLOG ?? Math.max(...NODES, 0));
  if (backlogNodes > 0) {
    const r = await runSchedulerScale({ nodes: backlogNodes, pods: PODS, backlog: true, timeoutMs: 600_000 });
    results.push(r);
    report(`scheduler: a backlog of ${PODS} pods on ${backlogNodes} hollow nodes`, r);
  }
  // The burst again with nothing behind the scheduler: scheduler_perf's conditions (the anchor's).
  const bareNodes = Number(process.env.SKIFF_BENCH_NO_KUBELETS ?? Math.max(...NODES, 0));
  if (bareNodes > 0) {
    const r = await runSchedulerScale({ nodes: bareNodes, pods: PODS, kubelets: false, timeoutMs: 600_000 });
    results.push(r);
    report(`scheduler: ${PODS} pods on ${bareNodes} node objects, no kubelets or controller-manager (scheduler_perf's conditions)`, r);
  }
  printTable("scheduler scale (create→bound from watch events)", header, results.map(row));
  const bare = results.find((r) => r.mode === "burst, no kubelets");
  const burst = [...results].filter((r) => r.mode === "burst").sort((a, b) => b.nodes - a.nodes)[0];
  const paced = results.find((r) => r.mode.endsWith("/s"));
  const backlog = results.find((r) => r.mode === "backlog");
  if (burst) {
    process.stdout.write(
      `\nburst on ${burst.nodes} nodes: ${burst.podsPerSecond.toFixed(1)} pods/s = ${(burst.podsPerSecond / burst.createPerSecond).toFixed(2)}× the creation rate (${burst.createPerSecond.toFixed(1)}/s), ${(burst.podsPerSecond / KUBE_SCHEDULER_FLOOR).toFixed(2)}× kube-scheduler's CI floor (${KUBE_SCHEDULER_FLOOR}/s)\n`,
    );
  }
  writeBenchResult("scheduler", {
    parameters: { nodes: NODES, pods: PODS, paced: pn > 0 ? { nodes: pn, pods: pp, perSecond: rate } : null },
    figures: results,
    floor: "create_per_second: the rate the apiserver took the burst's creations in the same run (binds cannot outrun arrivals)",
    anchor: { kube_scheduler_ci_floor_pods_per_second: KUBE_SCHEDULER_FLOOR },
    pods_per_second: burst?.podsPerSecond ?? null,
    burst_nodes: burst?.nodes ?? null,
    create_per_second: burst?.createPerSecond ?? null,
    ratio_to_create_rate: burst ? burst.podsPerSecond / burst.createPerSecond : null,
    ratio_to_kube_scheduler_floor: burst ? burst.podsPerSecond / KUBE_SCHEDULER_FLOOR : null,
    backlog_pods_per_second: backlog?.podsPerSecond ?? null,
    no_kubelets_pods_per_second: bare?.podsPerSecond ?? null,
    no_kubelets_ratio_to_kube_scheduler_floor: bare ? bare.podsPerSecond / KUBE_SCHEDULER_FLOOR : null,
    cpu_ms_per_pod: { burst: burst?.cpuMsPerPod ?? null, backlog: backlog?.cpuMsPerPod ?? null, no_kubelets: bare?.cpuMsPerPod ?? null },
    // What each run's CPU per pod allows on this machine (see ceiling()): a goal above it needs
    // less CPU per pod or more cores, not less waiting.
    ceiling_pods_per_second: { burst: burst ? ceiling(burst) : null, backlog: backlog ? ceiling(backlog) : null, no_kubelets: bare ? ceiling(bare) : null },
    cpu_cores: { paced: paced?.cpuCores ?? null, burst: burst?.cpuCores ?? null, backlog: backlog?.cpuCores ?? null, no_kubelets: bare?.cpuCores ?? null },
    paced_p99_ms: paced?.p99Ms ?? null,
    paced_warmup_pods: paced?.warmupPods ?? null,
    paced_floor_p99_ms: paced?.floor?.p99Ms ?? null,
    paced_ratio_p99_to_floor: paced?.floor ? paced.p99Ms / paced.floor.p99Ms : null,
  });
  for (const r of results) expect(r.bound).toBe(r.pods);
});
