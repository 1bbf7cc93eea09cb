// The chaos suite on the container topology: a writer keeps a counter in a ConfigMap and a pod
// runs on each node while `skiff chaos` kills an apiserver, a NATS server, pauses a node and cuts
// one off. After every fault the workloads converge within a stated bound, the writer's error
// rate returns to zero, no pod runs on two nodes, and no acknowledged write is lost.
// Still to plug in once controllers and Services are merged (framework.ts's Workload): a
// Deployment behind a NodePort under steady client load, kill-node with rescheduling, and
// kill-leader scheduler|controller-manager.
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, waitFor } from "@skiff/client";
import type { Pod } from "@skiff/api";
import { repoRoot } from "../harness/cluster.js";
import { assertNoPodOnTwoNodes, CounterWriter, runFaults, type Fault, type FaultReport, type Workload } from "../chaos/framework.js";
import { pickSeeded } from "../../packages/cli/src/commands/chaos/pick.js";

const run = promisify(execFile);
const name = `c${Date.now().toString(36).slice(-6)}`;
const home = mkdtempSync(join(tmpdir(), "skiff-chaos-home-"));
const env = { ...process.env, SKIFF_HOME: home, SKIFF_SKIP_SETUP: "1" };
const nodes = [`${name}-node-1`, `${name}-node-2`];
let client: ApiClient;
let reports: FaultReport[] = [];

async function chaos(...args: string[]): Promise<void> {
  const r = await run(join(repoRoot, "skiff"), ["chaos", ...args, "--name", name, "-o", "json"], { env, timeout: 120_000 });
  expect(JSON.parse(r.stdout)).toMatchObject({ ok: true });
}

/** One pod pinned to each node; converged when all are Running. */
class PodPerNode implements Workload {
  readonly name = "pod-per-node";
  async start() {
    for (const n of nodes) {
      await client.create<Pod>("pods", { apiVersion: "v1", kind: "Pod", metadata: { name: `p-${n}`, namespace: "default", labels: { app: "chaos" } },
        spec: { nodeName: n, containers: [{ name: "c", image: "skiff/busybox:1.35", command: ["sleep", "3600"] }] } } as Pod);
    }
    await waitFor(() => this.converged(), 120_000, "pods Running", 500);
  }
  async stop() {}
  errorRate() { return 0; }
  async converged() {
    const pods = (await client.list<Pod>("pods", { namespace: "default", labelSelector: "app=chaos" })).items;
    return pods.length === nodes.length && pods.every((p) => p.status?.phase === "Running");
  }
  async verify() { assertNoPodOnTwoNodes(nodes); }
}

/** Node readiness as a workload: converged when every node is Ready. */
const nodesReady: Workload = {
  name: "nodes-ready",
  async start() {}, async stop() {}, errorRate: () => 0, async verify() {},
  async converged() {
    const items = (await client.list("nodes")).items as { status?: { conditions?: { type: string; status: string }[] } }[];
    return items.length === nodes.length && items.every((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
  },
};

describe("chaos: faults under a running workload", () => {
  beforeAll(async () => {
    for (const i of ["skiff/nats:latest", "skiff/controlplane:latest", "skiff/node:latest"]) {
      try { execFileSync("docker", ["image", "inspect", i], { stdio: "ignore" }); } catch { await run("bash", [join(repoRoot, "scripts/images.sh")], { timeout: 900_000 }); break; }
    }
    const up = await run(join(repoRoot, "skiff"), ["up", "--nodes", "2", "--name", name, "--nats-servers", "3", "--apiservers", "2", "--schedulers", "1", "--controller-managers", "1", "--internal"], { env, timeout: 400_000 });
    expect(up.stdout).toMatch(/Ready/);
    client = new ApiClient({ addresses: JSON.parse(readFileSync(join(home, "cluster.json"), "utf8")).apiserver.split(","), timeoutMs: 5000 });
  }, 1_000_000);

  afterAll(async () => {
    client?.close();
    await run(join(repoRoot, "skiff"), ["down", "--name", name], { env, timeout: 300_000 }).catch(() => undefined);
    for (const kind of ["ps", "network", "volume"] as const) {
      const ids = execFileSync("docker", kind === "ps" ? ["ps", "-aq", "--filter", `label=io.skiff.topology=${name}`] : [kind, "ls", "-q", "--filter", `label=io.skiff.topology=${name}`], { encoding: "utf8" }).split("\n").filter(Boolean);
      if (ids.length) execFileSync("docker", kind === "ps" ? ["rm", "-f", "-v", ...ids] : [kind, "rm", ...ids]);
    }
    rmSync(home, { recursive: true, force: true });
    console.log(`[chaos] ${JSON.stringify(reports)}`);
  }, 300_000);

  it("recovers from every fault within its bound, loses no acknowledged write and never runs a pod twice", async () => {
    const writer = new CounterWriter(client, "chaos-counter");
    const workloads: Workload[] = [writer, new PodPerNode(), nodesReady];
    for (const w of workloads) await w.start();
    const faults: Fault[] = [
      { name: "kill-apiserver 1", inject: () => chaos("kill-apiserver", "1"), undo: () => chaos("revive", `${name}-apiserver-1`), recoveryBoundMs: 30_000 },
      { name: "kill-nats 3", inject: () => chaos("kill-nats", "3"), undo: () => chaos("revive", `${name}-nats-3`), recoveryBoundMs: 30_000 },
      { name: "pause-node 2", inject: () => chaos("pause-node", nodes[1]), undo: () => chaos("unpause-node", nodes[1]), recoveryBoundMs: 30_000 },
      { name: "partition-node 1", inject: () => chaos("partition-node", nodes[0]), undo: () => chaos("heal", nodes[0]), recoveryBoundMs: 30_000 },
    ];
    reports = await runFaults(workloads, faults, { holdMs: 12_000, quietMs: 3000 });
    for (const w of workloads) await w.stop();
    for (const r of reports) {
      // Stated bounds: under half the writes fail while a fault lasts; none once recovered.
      expect(r.errorRateDuring[writer.name], r.fault).toBeLessThan(0.5);
      expect(r.errorRateAfter[writer.name], r.fault).toBe(0);
    }
    expect(writer.acknowledged).toBeGreaterThan(50);
    for (const w of workloads) await w.verify();
  });

  it("kill-pods removes the pods a seed chooses, the same for the same seed", async () => {
    const pods = (await client.list<Pod>("pods", { namespace: "default", labelSelector: "app=chaos" })).items;
    const expected = pickSeeded(pods, 1, 7, (p) => `${p.metadata.namespace}/${p.metadata.name}`)[0];
    const r = await run(join(repoRoot, "skiff"), ["chaos", "kill-pods", "-l", "app=chaos", "--count", "1", "--seed", "7", "--name", name, "-o", "json"], { env });
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: true, targets: [`default/${expected.metadata.name}`] });
    await waitFor(async () => !(await client.list<Pod>("pods", { namespace: "default" })).items.some((p) => p.metadata.name === expected.metadata.name), 60_000, "victim gone", 500);
  });
});
