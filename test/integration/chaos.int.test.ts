// The chaos suite, bounded for the normal test run: `skiff up --nodes 2` (3 NATS, 2 apiservers,
// 2 schedulers, 2 controller-managers), a ConfigMap counter writer and a Deployment behind a
// NodePort under steady client load, through kill-apiserver, kill-nats, kill-leader scheduler,
// kill-leader controller-manager and kill-pods (test/chaos/suite.ts states the assertions).
// The full sequence with node faults on 3 nodes is `npm run chaos` (test/chaos/full.chaos.test.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChaosCluster } from "../chaos/scenario.js";
import { checkSeededKillPods, runChaos, summary } from "../chaos/suite.js";

const c = new ChaosCluster(`c${Date.now().toString(36).slice(-6)}`, 2, 2);

describe("chaos (bounded): control-plane faults under a running workload", () => {
  beforeAll(async () => {
    await c.up();
  }, 600_000);
  afterAll(async () => {
    await c.down();
  }, 300_000);

  it("recovers from every fault within its bound, loses no acknowledged write and never runs a pod twice", async () => {
    const reports = await runChaos(c, ["kill-apiserver", "kill-nats", "kill-leader-scheduler", "kill-leader-controller-manager", "kill-pods"]);
    console.log(`[chaos bounded] up in ${(c.upMs / 1000).toFixed(1)} s\n${summary(reports)}`);
    // A standby takes over within a lease period (15 s) plus a renew interval and the action.
    const m = Object.assign({}, ...reports.map((r) => r.measured)) as Record<string, number>;
    expect(m.schedulerLeaderLossToBindMs).toBeLessThan(45_000);
    expect(m.controllerManagerLeaderLossToReplaceMs).toBeLessThan(45_000);
    expect(m.apiserverLossToWriteMs).toBeLessThan(15_000);
    expect(m.natsLossToWriteMs).toBeLessThan(15_000);
  }, 600_000);

  it("kill-pods chooses its victims by seed", async () => {
    await checkSeededKillPods(c);
  }, 120_000);
});
