// npm run bench:scheduler — the real scheduler against N hollow nodes (N = 100 and 1000 by
// default; SKIFF_BENCH_NODES="100,1000", SKIFF_BENCH_PODS=5000 change it): pods/s and p50/p99
// create→bound latency measured from a pod watch. Pods are created in one burst (throughput;
// latency then includes queueing), then a paced run (SKIFF_BENCH_PACED="1000:500:20" = nodes:pods:
// pods per second) shows the latency of a scheduler that keeps up.
import { expect, it } from "vitest";
import { printTable } from "./stats.js";
import { header, row, runSchedulerScale, type ScaleResult } from "./scheduler-scale.js";

const NODES = (process.env.SKIFF_BENCH_NODES ?? "100,1000").split(",").map(Number).filter((n) => n > 0);
const PODS = Number(process.env.SKIFF_BENCH_PODS ?? 5000);

it(`schedules ${PODS} pods on ${NODES.join(" and ")} hollow nodes`, async () => {
  const results: ScaleResult[] = [];
  for (const n of NODES) {
    const r = await runSchedulerScale({ nodes: n, pods: PODS, timeoutMs: 600_000 });
    results.push(r);
    printTable(`scheduler: ${PODS} pods on ${n} hollow nodes`, header, [row(r)]);
  }
  const [pn, pp, rate] = (process.env.SKIFF_BENCH_PACED ?? "1000:500:20").split(":").map(Number);
  if (pn > 0) {
    const r = await runSchedulerScale({ nodes: pn, pods: pp, ratePerSecond: rate, timeoutMs: 600_000 });
    printTable(`scheduler: ${pp} pods at ${rate}/s on ${pn} hollow nodes`, header, [row(r)]);
    expect(r.bound).toBe(pp);
    results.push(r);
  }
  printTable("scheduler scale (create→bound from watch events)", header, results.map(row));
  for (const r of results) expect(r.bound).toBe(r.pods);
});
