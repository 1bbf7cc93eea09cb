// npm run bench:scheduler — the real scheduler against N hollow nodes (N = 100 and 1000 by
// default; SKIFF_BENCH_NODES="100,1000", SKIFF_BENCH_PODS=5000 change it): pods/s and p50/p99
// create→bound latency measured from a pod watch.
import { expect, it } from "vitest";
import { printTable } from "./stats.js";
import { header, row, runSchedulerScale, type ScaleResult } from "./scheduler-scale.js";

const NODES = (process.env.SKIFF_BENCH_NODES ?? "100,1000").split(",").map(Number);
const PODS = Number(process.env.SKIFF_BENCH_PODS ?? 5000);

it(`schedules ${PODS} pods on ${NODES.join(" and ")} hollow nodes`, async () => {
  const results: ScaleResult[] = [];
  for (const n of NODES) {
    const r = await runSchedulerScale({ nodes: n, pods: PODS, timeoutMs: 600_000 });
    results.push(r);
    printTable(`scheduler: ${PODS} pods on ${n} hollow nodes`, header, [row(r)]);
  }
  printTable("scheduler scale (create→bound from watch events)", header, results.map(row));
  for (const r of results) expect(r.bound).toBe(PODS);
});
