// A bounded run of the scheduler benchmark: 20 hollow nodes, 200 pods — every pod is bound and
// reported Running by its hollow node, pods spread over the nodes; the figures are printed.
import { expect, it } from "vitest";
import { printTable } from "../bench/stats.js";
import { header, row, runSchedulerScale } from "../bench/scheduler-scale.js";

it("schedules 200 pods on 20 hollow nodes", async () => {
  const r = await runSchedulerScale({ nodes: 20, pods: 200, timeoutMs: 120_000 });
  printTable("scheduler: 200 pods on 20 hollow nodes", header, [row(r)]);
  expect(r.bound).toBe(200);
  expect(r.running).toBe(200);
  // Spreading: with 20 equal nodes no node gets more than a fair share plus slack.
  expect(r.spread[1]).toBeLessThanOrEqual(30);
}, 300_000);
