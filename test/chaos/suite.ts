// Runs a chaos scenario and asserts what a user would observe after every fault: the desired
// replicas converge within the fault's bound (framework.ts throws otherwise), no acknowledged
// ConfigMap write is lost, no pod runs on two nodes at once (checked after each fault), and the
// workloads' error rates stay under the fault's bound while it lasts and are zero after it.
import { expect } from "vitest";
import type { Pod } from "@skiff/api";
import { waitFor } from "@skiff/client";
import { pickSeeded } from "../../packages/cli/src/commands/chaos/pick.js";
import { runFaults, type FaultReport } from "./framework.js";
import type { ChaosCluster } from "./scenario.js";

/** The writer's error-rate bound during faults that do not touch the data plane. */
export const defaultErrorBound = 0.3;

/** Applies the named faults in order; returns the reports (also printed as they come). */
export async function runChaos(c: ChaosCluster, faultNames: string[]): Promise<FaultReport[]> {
  const catalogue = c.faults();
  const faults = faultNames.map((n) => {
    const f = catalogue[n];
    if (!f) throw new Error(`unknown fault ${n}`);
    return f;
  });
  const workloads = [c.writer, c.web];
  for (const w of workloads) await w.start();
  let reports: FaultReport[] = [];
  try {
    reports = await runFaults(workloads, faults, {
      holdMs: 8000,
      quietMs: 4000,
      errorBound: defaultErrorBound,
      log: (r) => console.log(`[chaos ${c.name}] ${JSON.stringify(r)}`),
    });
  } finally {
    for (const w of workloads) await w.stop();
  }
  for (const r of reports) {
    for (const w of workloads) {
      expect(r.errorRateDuring[w.name], `${w.name} error rate during ${r.fault}`).toBeLessThanOrEqual(r.errorBound);
      expect(r.errorRateAfter[w.name], `${w.name} error rate after ${r.fault} (${r.failuresAfter[w.name]?.join("; ")})`).toBe(0);
    }
  }
  // The load really ran, and every acknowledged write is in the store.
  expect(c.writer.acknowledged).toBeGreaterThan(20 * faults.length);
  expect(c.web.requests(0, Date.now())).toBeGreaterThan(20 * faults.length);
  await c.writer.verify();
  await c.web.verify();
  return reports;
}

/** kill-pods with a seed removes the pod the seed chooses. */
export async function checkSeededKillPods(c: ChaosCluster): Promise<void> {
  const pods = (await c.client.list<Pod>("pods", { namespace: "default", labelSelector: "app=web" })).items.filter((p) => !p.metadata.deletionTimestamp);
  const expected = pickSeeded(pods, 1, 11, (p) => `${p.metadata.namespace}/${p.metadata.name}`)[0];
  const r = await c.chaos("kill-pods", "-l", "app=web", "--count", "1", "--seed", "11");
  expect(r.targets).toEqual([`default/${expected.metadata.name}`]);
  await waitFor(
    async () => !(await c.client.list<Pod>("pods", { namespace: "default" })).items.some((p) => p.metadata.uid === expected.metadata.uid),
    60_000,
    "victim gone",
    500,
  );
}

/** One line per fault for the README's measured section. */
export function summary(reports: FaultReport[]): string {
  return reports
    .map((r) => {
      const m = Object.entries(r.measured)
        .map(([k, v]) => `${k}=${v}ms`)
        .join(" ");
      const rates = Object.entries(r.errorRateDuring)
        .map(([k, v]) => `${k} ${(v * 100).toFixed(1)}%`)
        .join(", ");
      return `${r.fault}: converged ${r.sinceInjectMs} ms after injection (${r.recoveryMs} ms after undo)${m ? `; ${m}` : ""}; errors during: ${rates}`;
    })
    .join("\n");
}
