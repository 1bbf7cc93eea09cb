import { describe, expect, it } from "vitest";
import type { Pod, ReplicaSet } from "@skiff/api";
import { FakeCluster } from "../testing.js";
import { ReplicaSetController, replicationControllerKind } from "./replicaset.js";

function rs(replicas: number, name = "web"): ReplicaSet {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: "c", image: "img" }] } },
    },
  };
}

function pod(name: string, labels: Record<string, string>, extra: Partial<Pod["metadata"]> = {}, ready = true): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels, ...extra },
    spec: { containers: [{ name: "c", image: "img" }], nodeName: "n1" },
    status: { phase: "Running", conditions: [{ type: "Ready", status: ready ? "True" : "False", lastTransitionTime: "2024-01-01T00:00:00Z" }] },
  };
}

function setup() {
  const fc = new FakeCluster();
  const c = new ReplicaSetController(fc.context());
  return { fc, c };
}

describe("ReplicaSet controller", () => {
  it("creates the missing pods once, and not again while the cache is stale", async () => {
    const { fc, c } = setup();
    fc.seed("replicasets", rs(3));
    await c.reconcile("default/web");
    expect(fc.count("create", "pods")).toBe(3);
    const created = fc.list<Pod>("pods");
    expect(created.every((p) => p.metadata.ownerReferences?.[0].controller && p.metadata.ownerReferences[0].kind === "ReplicaSet")).toBe(true);
    expect(created.every((p) => p.metadata.labels?.app === "web")).toBe(true);
    // The informer has not shown the creates: a second pass must not create more.
    await c.reconcile("default/web");
    expect(fc.count("create", "pods")).toBe(3);
    expect(c.expectations.pending("default/web").adds).toBe(3);
    // Once the watch shows them, expectations are met and nothing more is needed.
    const inf = fc.informer<Pod>("pods");
    for (const p of created) {
      inf.cache.set(`default/${p.metadata.name}`, p);
      c.podAdded(p);
    }
    expect(c.expectations.satisfied("default/web")).toBe(true);
    await c.reconcile("default/web");
    expect(fc.count("create", "pods")).toBe(3);
  });

  it("lowers expectations for creates that failed, so the next pass retries them", async () => {
    const { fc, c } = setup();
    fc.seed("replicasets", rs(2));
    fc.failCreates = 1;
    await expect(c.reconcile("default/web")).rejects.toThrow(/injected/);
    expect(c.expectations.satisfied("default/web")).toBe(true);
    await c.reconcile("default/web");
    expect(fc.count("create", "pods")).toBe(2);
  });

  it("deletes extras, not-ready and newest first", async () => {
    const { fc, c } = setup();
    const set = fc.seed("replicasets", rs(2));
    const ref = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: set.metadata.uid!, controller: true };
    fc.seed("pods", pod("old", { app: "web" }, { ownerReferences: [ref], creationTimestamp: "2024-01-01T00:00:00Z" }));
    fc.seed("pods", pod("new", { app: "web" }, { ownerReferences: [ref], creationTimestamp: "2024-01-02T00:00:00Z" }));
    fc.seed("pods", pod("notready", { app: "web" }, { ownerReferences: [ref], creationTimestamp: "2023-01-01T00:00:00Z" }, false));
    fc.seed("pods", pod("newest", { app: "web" }, { ownerReferences: [ref], creationTimestamp: "2024-01-03T00:00:00Z" }));
    await c.reconcile("default/web");
    const deleted = fc.actions
      .filter((a) => a.verb === "delete")
      .map((a) => a.key)
      .sort();
    expect(deleted).toEqual(["default/newest", "default/notready"]);
    expect(fc.count("create", "pods")).toBe(0);
  });

  it("adopts a matching orphan instead of creating, and leaves other controllers' pods alone", async () => {
    const { fc, c } = setup();
    fc.seed("replicasets", rs(2));
    fc.seed("pods", pod("orphan", { app: "web" }));
    fc.seed(
      "pods",
      pod("foreign", { app: "web" }, { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "other", uid: "x", controller: true }] }),
    );
    await c.reconcile("default/web");
    const adopted = fc.objects.get("pods:default/orphan") as Pod;
    expect(adopted.metadata.ownerReferences?.[0]).toMatchObject({ kind: "ReplicaSet", name: "web", controller: true });
    expect((fc.objects.get("pods:default/foreign") as Pod).metadata.ownerReferences?.[0].name).toBe("other");
    expect(fc.count("create", "pods")).toBe(1);
  });

  it("releases a pod relabelled out of scope (left running) and replaces it", async () => {
    const { fc, c } = setup();
    const set = fc.seed("replicasets", rs(1));
    const ref = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: set.metadata.uid!, controller: true };
    fc.seed("pods", pod("p", { app: "debug" }, { ownerReferences: [ref] }));
    await c.reconcile("default/web");
    const released = fc.objects.get("pods:default/p") as Pod;
    expect(released.metadata.ownerReferences ?? []).toEqual([]);
    expect(fc.count("delete", "pods")).toBe(0);
    expect(fc.count("create", "pods")).toBe(1);
  });

  it("reports replicas, ready, available, fully labelled and observedGeneration", async () => {
    const { fc, c } = setup();
    const set = rs(3);
    set.spec.template.metadata!.labels = { app: "web", tier: "fe" };
    fc.seed("replicasets", set);
    const ref = { apiVersion: "apps/v1", kind: "ReplicaSet", name: "web", uid: set.metadata.uid!, controller: true };
    fc.seed("pods", pod("a", { app: "web", tier: "fe" }, { ownerReferences: [ref] }));
    fc.seed("pods", pod("b", { app: "web" }, { ownerReferences: [ref] }, false));
    fc.seed("pods", pod("c", { app: "web", tier: "fe" }, { ownerReferences: [ref] }));
    await c.reconcile("default/web");
    const st = (fc.objects.get("replicasets:default/web") as ReplicaSet).status!;
    expect(st).toMatchObject({ replicas: 3, readyReplicas: 2, availableReplicas: 2, fullyLabeledReplicas: 2, observedGeneration: 1 });
  });

  it("serves ReplicationControllers with map selectors", async () => {
    const fc = new FakeCluster();
    const c = new ReplicaSetController(fc.context(), replicationControllerKind);
    fc.seed("replicationcontrollers", {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "rc", namespace: "default" },
      spec: { replicas: 2, selector: { app: "rc" }, template: { metadata: { labels: { app: "rc" } }, spec: { containers: [{ name: "c", image: "i" }] } } },
    });
    await c.reconcile("default/rc");
    expect(fc.count("create", "pods")).toBe(2);
    expect(fc.list<Pod>("pods")[0].metadata.ownerReferences?.[0]).toMatchObject({ apiVersion: "v1", kind: "ReplicationController" });
  });
});
