// Killing processes loses nothing and duplicates nothing: a node agent killed with SIGKILL and
// restarted adopts its pods' containers (exactly one per pod) and removes containers of pods
// deleted while it was down; a sandbox it left without its network is replaced, and no address
// a pod holds is handed out again.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

function pod(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { app: "adopt" } },
    spec: {
      containers: [{ name: "main", image: "skiff/busybox:1.35", command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] }],
      terminationGracePeriodSeconds: 2,
    },
  };
}

describe("process restarts", () => {
  const cluster = new TestCluster({ nodes: 1 });
  beforeAll(async () => {
    await cluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("a restarted node agent adopts running containers and cleans up after pods deleted while it was down", async () => {
    const { client } = cluster;
    const names = ["a1", "a2", "a3", "a4"];
    for (const n of names) await client.create("pods", pod(n));
    await waitFor(
      async () => (await client.list<Pod>("pods", { namespace: "default", labelSelector: "app=adopt" })).items.every((p) => p.status?.phase === "Running"),
      60_000,
      "pods Running",
    );
    const before = new Map(names.map((n) => [n, cluster.containers({ "io.kubernetes.pod.name": n, "io.skiff.kind": "container" }).map((c) => c.id)]));

    const node = cluster.nodeName(0);
    await cluster.agents.get(node)!.kill("SIGKILL");
    // While the agent is down: one pod is force-deleted, and the containers keep running.
    await client.delete("pods", "a4", "default", { gracePeriodSeconds: 0 });
    expect(cluster.containers({ "io.kubernetes.pod.name": "a1" }).every((c) => c.state === "running")).toBe(true);

    await cluster.startAgent(node);
    await waitFor(() => cluster.containers({ "io.kubernetes.pod.name": "a4" }).length === 0, 30_000, "a4's containers removed");
    // Give the agent a few resyncs to show it does not start duplicates.
    await new Promise((r) => setTimeout(r, 4000));
    for (const n of names.slice(0, 3)) {
      const cs = cluster.containers({ "io.kubernetes.pod.name": n, "io.skiff.kind": "container" });
      expect(
        cs.map((c) => c.id),
        n,
      ).toEqual(before.get(n));
      expect(cluster.containers({ "io.kubernetes.pod.name": n, "io.skiff.kind": "sandbox" })).toHaveLength(1);
      const p = await client.get<Pod>("pods", n, "default");
      expect(p.status!.phase).toBe("Running");
      expect(p.status!.containerStatuses![0].restartCount).toBe(0);
    }
  });

  it("a sandbox left without its network by a killed agent is replaced; a restarted agent hands out no address a pod holds", async () => {
    const { client } = cluster;
    const ipOf = async (n: string) => (await client.get<Pod>("pods", n, "default")).status?.podIP ?? "";
    const sandboxOf = (n: string) => cluster.containers({ "io.kubernetes.pod.name": n, "io.skiff.kind": "sandbox" }).filter((c) => c.state === "running");
    const [old] = sandboxOf("a1");
    expect(old).toBeDefined();
    const node = cluster.nodeName(0);
    await cluster.agents.get(node)!.kill("SIGKILL");
    // What an agent killed between a sandbox's start and its bridge port leaves: a running sandbox
    // whose veth is on no bridge (the agent attaches sandboxes itself; see runtime/veth.ts).
    execFileSync("ip", ["link", "set", `veth${old.id.slice(0, 11)}`, "nomaster"]);
    await cluster.startAgent(node);
    await waitFor(() => sandboxOf("a1").some((s) => s.id !== old.id), 60_000, "a1 gets a new sandbox");
    await waitFor(async () => (await client.get<Pod>("pods", "a1", "default")).status?.phase === "Running", 60_000, "a1 Running again");

    // New pods after the restart get addresses nobody holds, and reach the others' addresses.
    for (const n of ["a5", "a6"]) await client.create("pods", pod(n));
    await waitFor(async () => (await ipOf("a5")) !== "" && (await ipOf("a6")) !== "", 60_000, "a5 and a6 have IPs");
    const ips = await Promise.all(["a1", "a2", "a3", "a5", "a6"].map(ipOf));
    expect(new Set(ips).size, ips.join(" ")).toBe(5);
    const [a5] = cluster.containers({ "io.kubernetes.pod.name": "a5", "io.skiff.kind": "container" });
    for (const ip of [ips[0], ips[1]]) execFileSync("docker", ["exec", a5.id, "ping", "-c", "1", "-W", "5", ip], { timeout: 20_000 });
  });

  it("the scheduler and controller-manager pick up where they left off after SIGKILL", async () => {
    const { client } = cluster;
    await cluster.scheduler!.kill("SIGKILL");
    await client.create("pods", pod("while-down"));
    await cluster.startScheduler();
    await waitFor(async () => (await client.get<Pod>("pods", "while-down", "default")).status?.phase === "Running", 60_000, "pod scheduled after restart");
    await cluster.controllerManager!.kill("SIGKILL");
    await cluster.startControllerManager();
    const n = await client.get("nodes", cluster.nodeName(0));
    expect((n.spec as { podCIDR: string }).podCIDR).toBeTruthy(); // IPAM kept the node's CIDR
  });
});
