// Workload controllers on the real stack: a Deployment rolls to a new image without dropping
// below replicas − maxUnavailable ready pods, rolls back to the old template the way
// `kubectl rollout undo` does, and replaces a deleted pod; garbage collection cascades.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { DaemonSet, Deployment, Pod, ReplicaSet } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

const IMAGE_B = "skiff/busybox:1.35-b";

function deployment(name: string, image: string): Deployment {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      minReadySeconds: 2, // slows the rollout so the sampler sees it
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } },
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: 2, containers: [{ name: "main", image, command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] }] },
      },
    },
  };
}

const ready = (p: Pod) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");

describe("workload controllers", () => {
  const cluster = new TestCluster({ nodes: 1 });
  beforeAll(async () => {
    execFileSync("docker", ["tag", "skiff/busybox:1.35", IMAGE_B]);
    await cluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
    execFileSync("docker", ["rmi", IMAGE_B], { stdio: "ignore" });
  });

  const pods = async (app: string) => (await cluster.client.list<Pod>("pods", { namespace: "default", labelSelector: `app=${app}` })).items;

  it("rolls a Deployment of 3 to a new image, never below replicas − maxUnavailable ready; rollback restores the old template", async () => {
    const { client } = cluster;
    await client.create("deployments", deployment("web", "skiff/busybox:1.35"));
    await waitFor(async () => (await pods("web")).filter(ready).length === 3, 90_000, "3 ready pods");
    await waitFor(
      async () => {
        const d = await client.get<Deployment>("deployments", "web", "default");
        return d.status?.availableReplicas === 3 && d.status.conditions?.find((c) => c.type === "Progressing")?.reason === "NewReplicaSetAvailable";
      },
      30_000,
      "deployment complete",
    );

    // Follow every change of the Deployment's pods through the rollout (a watch sees each state
    // the store passed through, which polling could miss) and keep the lowest ready count.
    const start = await client.list<Pod>("pods", { namespace: "default", labelSelector: "app=web" });
    const state = new Map(start.items.map((p) => [p.metadata.name!, p]));
    let minReady = [...state.values()].filter(ready).length;
    let changes = 0;
    let watchError: Error | undefined;
    const watch = client.watch<Pod>(
      "pods",
      { namespace: "default", labelSelector: "app=web", resourceVersion: start.resourceVersion },
      (e) => {
        if (e.type === "BOOKMARK") return;
        if (e.type === "DELETED") state.delete(e.object.metadata.name!);
        else state.set(e.object.metadata.name!, e.object);
        changes++;
        minReady = Math.min(minReady, [...state.values()].filter(ready).length);
      },
      (err) => {
        watchError = err ?? new Error("watch ended");
      },
    );
    const d = await client.get<Deployment>("deployments", "web", "default");
    d.spec.template.spec.containers[0].image = IMAGE_B;
    d.metadata.annotations = { ...(d.metadata.annotations ?? {}), "kubernetes.io/change-cause": "to b" };
    await client.update("deployments", d);
    await waitFor(
      async () => {
        const ps = await pods("web");
        const dep = await client.get<Deployment>("deployments", "web", "default");
        return (
          ps.length === 3 &&
          ps.every((p) => ready(p) && p.spec.containers[0].image === IMAGE_B) &&
          dep.status?.updatedReplicas === 3 &&
          dep.status.replicas === 3 &&
          dep.status.availableReplicas === 3 &&
          (dep.status.observedGeneration ?? 0) >= (dep.metadata.generation ?? 0)
        );
      },
      120_000,
      "rollout to image b",
    );
    watch.stop();
    console.log(`rollout: minimum ready pods observed = ${minReady} over ${changes} pod changes (floor 3 − 1 = 2)`);
    expect(watchError, "the watch ran through the whole rollout").toBeUndefined();
    // Three old pods went away and three new ones came up: at least a change for each.
    expect(changes).toBeGreaterThanOrEqual(6);
    expect(minReady).toBeGreaterThanOrEqual(2);

    // Two ReplicaSets with revisions 1 and 2; the Deployment is at revision 2.
    const sets = (await client.list<ReplicaSet>("replicasets", { namespace: "default" })).items.filter((r) => r.metadata.name!.startsWith("web-"));
    expect(sets.map((r) => r.metadata.annotations?.["deployment.kubernetes.io/revision"]).sort()).toEqual(["1", "2"]);
    expect((await client.get<Deployment>("deployments", "web", "default")).metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("2");

    // kubectl rollout undo: take revision 1's template without the hash label, put it in the Deployment.
    const rev1 = sets.find((r) => r.metadata.annotations?.["deployment.kubernetes.io/revision"] === "1")!;
    const tmpl = structuredClone(rev1.spec.template);
    delete tmpl.metadata!.labels!["pod-template-hash"];
    const cur = await client.get<Deployment>("deployments", "web", "default");
    cur.spec.template = tmpl;
    await client.update("deployments", cur);
    await waitFor(
      async () => {
        const ps = await pods("web");
        return ps.length === 3 && ps.every((p) => ready(p) && p.spec.containers[0].image === "skiff/busybox:1.35");
      },
      120_000,
      "rollback to the old image",
    );
    const back = await client.get<ReplicaSet>("replicasets", rev1.metadata.name!, "default");
    expect(back.metadata.annotations?.["deployment.kubernetes.io/revision"]).toBe("3");
    expect(back.spec.replicas).toBe(3);
  });

  it("replaces a deleted pod", async () => {
    const { client } = cluster;
    const before = (await pods("web")).filter(ready);
    const victim = before[0];
    await client.delete("pods", victim.metadata.name!, "default");
    await waitFor(
      async () => {
        const ps = (await pods("web")).filter(ready);
        return ps.length === 3 && !ps.some((p) => p.metadata.uid === victim.metadata.uid);
      },
      60_000,
      "a replacement pod",
    );
  });

  it("deleting a Deployment cascades to its ReplicaSets and pods (background), orphan keeps them", async () => {
    const { client } = cluster;
    await client.delete("deployments", "web", "default");
    await waitFor(
      async () => (await client.list<ReplicaSet>("replicasets", { namespace: "default" })).items.length === 0 && (await pods("web")).length === 0,
      60_000,
      "cascade",
    );

    await client.create("deployments", {
      ...deployment("keep", "skiff/busybox:1.35"),
      spec: { ...deployment("keep", "skiff/busybox:1.35").spec, replicas: 1 },
    });
    await waitFor(async () => (await pods("keep")).filter(ready).length === 1, 60_000, "keep pod");
    await client.delete("deployments", "keep", "default", { propagationPolicy: "Orphan" });
    await waitFor(async () => (await client.list("deployments", { namespace: "default" })).items.length === 0, 30_000, "deployment gone");
    const rs = (await client.list<ReplicaSet>("replicasets", { namespace: "default" })).items;
    expect(rs).toHaveLength(1);
    expect(rs[0].metadata.ownerReferences ?? []).toEqual([]);
    expect((await pods("keep")).filter(ready)).toHaveLength(1);
  });

  it("a DaemonSet runs one pod per node and follows a node joining", async () => {
    const { client } = cluster;
    const ds: DaemonSet = {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent", namespace: "default" },
      spec: {
        selector: { matchLabels: { app: "agent" } },
        template: {
          metadata: { labels: { app: "agent" } },
          spec: {
            terminationGracePeriodSeconds: 1,
            containers: [{ name: "main", image: "skiff/busybox:1.35", command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] }],
          },
        },
      },
    };
    await client.create("daemonsets", ds);
    await waitFor(
      async () => {
        const ps = (await pods("agent")).filter(ready);
        return ps.length === 1 && ps[0].spec.nodeName === cluster.nodeName(0);
      },
      60_000,
      "one daemon pod",
    );
    await cluster.startAgent(cluster.nodeName(1));
    await waitFor(
      async () => {
        const ps = (await pods("agent")).filter(ready);
        return ps.length === 2 && new Set(ps.map((p) => p.spec.nodeName)).size === 2;
      },
      90_000,
      "a daemon pod on the joining node",
    );
  });
});
