// The full chaos sequence (`npm run chaos`, not part of `npm test`): `skiff up --nodes 3`, the
// counter writer and the Deployment behind a NodePort under load, through every fault —
// control-plane kills, kill-pods, stress-memory, pause/unpause, partition/heal and finally
// kill-node — with the assertions of suite.ts after each. Prints the measured recovery times.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ChaosCluster } from "./scenario.js";
import { checkSeededKillPods, runChaos, summary } from "./suite.js";

const c = new ChaosCluster(`f${Date.now().toString(36).slice(-6)}`, 3, 3);

describe("chaos (full sequence)", () => {
  beforeAll(async () => {
    await c.up();
  }, 900_000);
  afterAll(async () => {
    await c.down();
  }, 300_000);

  it("recovers from every fault within its bound, loses no acknowledged write and never runs a pod twice", async () => {
    const reports = await runChaos(c, [
      "kill-apiserver",
      "kill-nats",
      "kill-leader-scheduler",
      "kill-leader-controller-manager",
      "kill-pods",
      "stress-memory",
      "pause-node",
      "partition-node",
      "kill-node",
    ]);
    console.log(`[chaos full] up in ${(c.upMs / 1000).toFixed(1)} s\n${summary(reports)}`);
    const kill = reports.find((r) => r.fault.startsWith("kill-node"))!;
    // Node loss → pods Running elsewhere: NotReady (10 s grace) + eviction (20 s) + rescheduling;
    // never sooner than the grace (the victim ran web pods: nodeWithMostWebPods checks).
    expect(kill.measured.nodeLossToRunningElsewhereMs).toBeGreaterThan(8_000);
    expect(kill.measured.nodeLossToRunningElsewhereMs).toBeLessThan(120_000);
  }, 1_800_000);

  it("kill-pods chooses its victims by seed", async () => {
    await checkSeededKillPods(c);
  }, 120_000);
});
