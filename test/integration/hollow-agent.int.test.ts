// Hollow nodes run the real node agent (as kubemark runs the real kubelet): 2 hollow nodes in one
// process against a real apiserver, NATS, scheduler and controllers. Their pods are reported
// Running by the agent's own pod manager and status manager on the fake runtime — the node's own
// address as hostIP, a sandbox IP, docker:// container IDs, Ready conditions — and the agent's
// other rules apply: activeDeadlineSeconds fails a pod, a deletion with a grace period finishes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Node, Pod } from "@skiff/api";
import { type Proc, TestCluster } from "../harness/cluster.js";

describe("hollow nodes run the real node agent", () => {
  const cluster = new TestCluster({ nodes: 0 });
  let hollow: Proc | undefined;
  const ipOf = new Map<string, string>();

  beforeAll(async () => {
    await cluster.start();
    hollow = cluster.startHollowNodes(2, ["--heartbeat-ms", "2000"]);
    await hollow.ready;
    await waitFor(
      async () => {
        const ns = (await cluster.client.list<Node>("nodes")).items;
        for (const n of ns) ipOf.set(n.metadata.name!, n.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "");
        return ns.length === 2 && ns.every((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      },
      60_000,
      "2 hollow nodes Ready",
    );
  }, 120_000);
  afterAll(async () => {
    await hollow?.kill();
    await cluster.stop();
  });

  const pod = (name: string, spec: Partial<Pod["spec"]> = {}): Pod => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels: { test: "hollow" } },
    spec: {
      containers: [
        { name: "main", image: "skiff/busybox:1.35", command: ["sleep", "3600"] },
        { name: "side", image: "skiff/pause:3.9" },
      ],
      ...spec,
    },
  });

  it("reports pods Running through the agent's pod manager and status manager", async () => {
    for (let i = 0; i < 4; i++) await cluster.client.create("pods", pod(`run-${i}`));
    let pods: Pod[] = [];
    await waitFor(
      async () => {
        pods = (await cluster.client.list<Pod>("pods", { namespace: "default", labelSelector: "test=hollow" })).items.filter((p) =>
          p.metadata.name!.startsWith("run-"),
        );
        return pods.length === 4 && pods.every((p) => p.status?.phase === "Running");
      },
      60_000,
      "4 pods Running on hollow nodes",
    );
    for (const p of pods) {
      const st = p.status!;
      expect(st.hostIP).toBe(ipOf.get(p.spec.nodeName!));
      expect(st.podIP).toMatch(/^127\.255\.\d+\.\d+$/); // loopback: probes never leave the host
      expect(st.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
      expect(st.containerStatuses?.map((c) => c.name).sort()).toEqual(["main", "side"]);
      for (const c of st.containerStatuses ?? []) {
        expect(c.ready).toBe(true);
        expect(c.containerID).toMatch(/^docker:\/\/fake/);
        expect(c.state?.running?.startedAt).toBeTruthy();
      }
    }
    // Both nodes ran pods (the scheduler spreads 4 pods over 2 empty nodes).
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(2);
  }, 90_000);

  it("fails a pod past its activeDeadlineSeconds (DeadlineExceeded), as the agent does", async () => {
    await cluster.client.create("pods", pod("deadline", { activeDeadlineSeconds: 2 }));
    let p: Pod | undefined;
    await waitFor(
      async () => {
        p = await cluster.client.get<Pod>("pods", "deadline", "default");
        return p.status?.phase === "Failed";
      },
      60_000,
      "pod deadline Failed",
    );
    expect(p!.status?.reason).toBe("DeadlineExceeded");
  }, 90_000);

  it("finishes a graceful deletion: the containers stop and the pod goes away", async () => {
    await cluster.client.create("pods", pod("gone"));
    await waitFor(async () => (await cluster.client.get<Pod>("pods", "gone", "default")).status?.phase === "Running", 60_000, "pod gone Running");
    await cluster.client.delete("pods", "gone", "default", { gracePeriodSeconds: 30 });
    await waitFor(
      async () => !(await cluster.client.list<Pod>("pods", { namespace: "default" })).items.some((x) => x.metadata.name === "gone"),
      60_000,
      "pod gone deleted",
    );
  }, 90_000);
});
