// Scheduling fields on 3 hollow nodes (real registration, heartbeats, scheduler, apiserver and
// controllers; a fake container runtime): required pod anti-affinity spreads 3 replicas over the
// 3 nodes and leaves a 4th Pending with a FailedScheduling event that says why; required node
// affinity; a PriorityClass and a preempting high-priority pod evicting a low-priority one;
// a pod with nodeName set by its author bypasses the scheduler.
import { execFile } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import { isForbidden, type Event, type Node, type Pod } from "@skiff/api";
import { type Proc, TestCluster } from "../harness/cluster.js";

describe("scheduling fields on 3 hollow nodes", () => {
  const cluster = new TestCluster({ nodes: 0 });
  let hollow: Proc | undefined;
  let nodes: string[] = [];
  let kubeconfig = "";
  const events = async (name: string) =>
    (await cluster.client.list<Event>("events", { namespace: "default" })).items.filter((e) => e.involvedObject.name === name);
  const pods = async (label: string) => (await cluster.client.list<Pod>("pods", { namespace: "default", labelSelector: label })).items;

  beforeAll(async () => {
    await cluster.start();
    hollow = cluster.startHollowNodes(3, ["--heartbeat-ms", "2000", "--cpus", "2"]);
    await hollow.ready;
    await waitFor(
      async () => {
        const ns = (await cluster.client.list<Node>("nodes")).items;
        nodes = ns.map((n) => n.metadata.name!).sort();
        return ns.length === 3 && ns.every((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      },
      60_000,
      "3 hollow nodes Ready",
    );
    // A zone label on one node, for node affinity.
    const n0 = await cluster.client.get<Node>("nodes", nodes[0]);
    n0.metadata.labels = { ...n0.metadata.labels, "topology.kubernetes.io/zone": "zone-a" };
    await cluster.client.update("nodes", n0);
    kubeconfig = await cluster.kubeconfigPath();
  }, 120_000);
  afterAll(async () => {
    await hollow?.kill();
    await cluster.stop();
  });

  it("required anti-affinity: 3 replicas on 3 nodes, the 4th Pending with a FailedScheduling event saying why", async () => {
    await cluster.client.create("deployments", {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "spread", namespace: "default" },
      spec: {
        replicas: 4,
        selector: { matchLabels: { app: "spread" } },
        template: {
          metadata: { labels: { app: "spread" } },
          spec: {
            affinity: {
              podAntiAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "spread" } }, topologyKey: "kubernetes.io/hostname" }],
              },
            },
            containers: [{ name: "c", image: "skiff/busybox:1.35" }],
          },
        },
      },
    });
    await waitFor(
      async () => (await pods("app=spread")).filter((p) => p.spec.nodeName).length === 3 && (await pods("app=spread")).length === 4,
      60_000,
      "3 of 4 replicas bound",
    );
    const all = await pods("app=spread");
    const bound = all.filter((p) => p.spec.nodeName);
    expect(new Set(bound.map((p) => p.spec.nodeName)).size).toBe(3);
    const pending = all.find((p) => !p.spec.nodeName)!;
    await waitFor(async () => (await events(pending.metadata.name!)).some((e) => e.reason === "FailedScheduling"), 30_000, "FailedScheduling event");
    const ev = (await events(pending.metadata.name!)).find((e) => e.reason === "FailedScheduling")!;
    expect(ev.type).toBe("Warning");
    expect(ev.message).toBe("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules.");
    // Still Pending a while later (no node may take it).
    await new Promise((r) => setTimeout(r, 3000));
    expect((await cluster.client.get<Pod>("pods", pending.metadata.name!, "default")).spec.nodeName).toBeUndefined();
    await cluster.client.delete("deployments", "spread", "default");
    await waitFor(async () => (await pods("app=spread")).length === 0, 60_000, "spread pods gone");
  });

  it("required node affinity: only the node in the zone", async () => {
    for (let i = 0; i < 3; i++) {
      await cluster.client.create("pods", {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `zonal-${i}`, namespace: "default", labels: { app: "zonal" } },
        spec: {
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["zone-a"] }] }],
              },
            },
          },
          containers: [{ name: "c", image: "skiff/busybox:1.35" }],
        },
      });
    }
    await waitFor(async () => (await pods("app=zonal")).every((p) => p.spec.nodeName), 30_000, "zonal pods bound");
    expect(new Set((await pods("app=zonal")).map((p) => p.spec.nodeName))).toEqual(new Set([nodes[0]]));
    for (let i = 0; i < 3; i++) await cluster.client.delete("pods", `zonal-${i}`, "default");
    await waitFor(async () => (await pods("app=zonal")).length === 0, 60_000, "zonal pods gone");
  });

  it("priority: a class's value lands in spec.priority, an unknown class is refused, and a high-priority pod preempts a low-priority one", async () => {
    await cluster.client.create("priorityclasses", {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: "high" },
      value: 1000,
      description: "important",
    });
    const pcs = await new Promise<string>((resolve, reject) =>
      execFile("kubectl", ["--kubeconfig", kubeconfig, "get", "priorityclasses"], { encoding: "utf8" }, (err, out, errOut) =>
        err ? reject(new Error(errOut)) : resolve(out),
      ),
    );
    expect(pcs).toMatch(/^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\n/);
    expect(pcs).toMatch(/\nhigh\s+1000\s+false\s+\S+\s+PreemptLowerPriority\n/);
    const unknown = await cluster.client
      .create("pods", {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "nope", namespace: "default" },
        spec: { priorityClassName: "missing", containers: [{ name: "c", image: "skiff/busybox:1.35" }] },
      })
      .then(
        () => undefined,
        (e) => e,
      );
    expect(isForbidden(unknown)).toBe(true);
    expect(unknown.message).toContain("no PriorityClass with name missing was found");
    // Fill every node (2 cpus each, 1.5 requested by one low-priority pod).
    const hog = (name: string, extra: Partial<Pod["spec"]> = {}): Pod => ({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default", labels: { app: "hog" } },
      spec: { terminationGracePeriodSeconds: 0, containers: [{ name: "c", image: "skiff/busybox:1.35", resources: { requests: { cpu: "1500m" } } }], ...extra },
    });
    for (let i = 0; i < 3; i++) await cluster.client.create("pods", hog(`low-${i}`));
    await waitFor(async () => (await pods("app=hog")).filter((p) => p.spec.nodeName && p.status?.phase === "Running").length === 3, 30_000, "low pods Running");
    const vip = await cluster.client.create<Pod>("pods", hog("vip", { priorityClassName: "high" }));
    expect(vip.spec.priority).toBe(1000);
    expect(vip.spec.preemptionPolicy).toBe("PreemptLowerPriority");
    await waitFor(async () => !!(await cluster.client.get<Pod>("pods", "vip", "default")).spec.nodeName, 60_000, "vip bound after preemption");
    const placed = (await cluster.client.get<Pod>("pods", "vip", "default")).spec.nodeName;
    const lows = (await pods("app=hog")).filter((p) => p.metadata.name!.startsWith("low-"));
    expect(lows).toHaveLength(2);
    expect(lows.map((p) => p.spec.nodeName)).not.toContain(placed);
    const victim = ["low-0", "low-1", "low-2"].find((n) => !lows.some((p) => p.metadata.name === n))!;
    const preempted = (await events(victim)).find((e) => e.reason === "Preempted");
    expect(preempted?.message).toMatch(new RegExp(`^Preempted by pod .* \\(default/vip\\) on node ${placed}$`));
    expect((await events("vip")).some((e) => e.reason === "FailedScheduling")).toBe(true);
  });

  it("a pod whose author set nodeName is not scheduled: it runs there as written", async () => {
    await cluster.client.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "pinned", namespace: "default" },
      spec: { nodeName: nodes[2], containers: [{ name: "c", image: "skiff/busybox:1.35" }] },
    });
    await waitFor(async () => (await cluster.client.get<Pod>("pods", "pinned", "default")).status?.phase === "Running", 30_000, "pinned Running");
    expect((await cluster.client.get<Pod>("pods", "pinned", "default")).spec.nodeName).toBe(nodes[2]);
    expect((await events("pinned")).some((e) => e.reason === "Scheduled")).toBe(false);
  });
});
