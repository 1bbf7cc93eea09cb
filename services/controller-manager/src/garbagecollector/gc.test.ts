import { describe, expect, it } from "vitest";
import type { KObject } from "@skiff/api";
import { FakeCluster } from "../testing.js";
import { GarbageCollector } from "./gc.js";

const obj = (name: string, extra: Partial<KObject["metadata"]> = {}): KObject => ({ metadata: { name, namespace: "default", ...extra } });

describe("garbage collector", () => {
  it("deletes a dependent whose owner is gone (confirmed with the apiserver), keeps one whose owner exists", async () => {
    const fc = new FakeCluster();
    const gc = new GarbageCollector(fc.context());
    const owner = fc.seed("replicasets", obj("rs"));
    fc.seed("pods", obj("kept", { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: owner.metadata.uid!, controller: true }] }));
    fc.seed("pods", obj("orphaned", { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "gone", uid: "dead", controller: true }] }));
    // An owner the cache has not seen yet but the apiserver has: not collected.
    await fc.client.create("replicasets", obj("fresh"));
    const fresh = fc.objects.get("replicasets:default/fresh")!;
    fc.seed(
      "pods",
      obj("young", { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "fresh", uid: fresh.metadata.uid!, controller: true }] }),
    );
    for (const k of ["kept", "orphaned", "young"]) await gc.reconcile(`pods|default/${k}`);
    expect(fc.actions.filter((a) => a.verb === "delete").map((a) => a.key)).toEqual(["default/orphaned"]);
  });

  it("collects the mirror pods of a deleted Node (a cluster-scoped owner), keeps those of a live one", async () => {
    const fc = new FakeCluster();
    const gc = new GarbageCollector(fc.context());
    const live = fc.seed<KObject>("nodes", { metadata: { name: "n1" } });
    const ref = (name: string, uid: string) => ({ ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid, controller: true }] });
    fc.seed("pods", { metadata: { name: "skiff-proxy-n1", namespace: "kube-system", ...ref("n1", live.metadata.uid!) } });
    fc.seed("pods", { metadata: { name: "skiff-proxy-n2", namespace: "kube-system", ...ref("n2", "gone") } });
    for (const k of ["skiff-proxy-n1", "skiff-proxy-n2"]) await gc.reconcile(`pods|kube-system/${k}`);
    expect(fc.actions.filter((a) => a.verb === "delete").map((a) => a.key)).toEqual(["kube-system/skiff-proxy-n2"]);
  });

  it("drops references to absent owners while another owner remains", async () => {
    const fc = new FakeCluster();
    const gc = new GarbageCollector(fc.context());
    const owner = fc.seed("replicasets", obj("rs"));
    fc.seed(
      "pods",
      obj("p", {
        ownerReferences: [
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: owner.metadata.uid! },
          { apiVersion: "apps/v1", kind: "ReplicaSet", name: "x", uid: "dead" },
        ],
      }),
    );
    await gc.reconcile("pods|default/p");
    expect(fc.count("delete", "pods")).toBe(0);
    expect(fc.objects.get("pods:default/p")!.metadata.ownerReferences!.map((r) => r.name)).toEqual(["rs"]);
  });

  it("foreground: deletes dependents, keeps the finalizer until they are gone, then removes it", async () => {
    const fc = new FakeCluster();
    const gc = new GarbageCollector(fc.context());
    const owner = fc.seed("replicasets", obj("rs", { deletionTimestamp: "2024-01-01T00:00:00Z", finalizers: ["foregroundDeletion"] }));
    fc.seed("pods", obj("p", { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: owner.metadata.uid! }] }));
    await gc.reconcile("replicasets|default/rs");
    expect(fc.count("delete", "pods")).toBe(1);
    expect(fc.objects.get("replicasets:default/rs")!.metadata.finalizers).toEqual(["foregroundDeletion"]);
    fc.sync();
    await gc.reconcile("replicasets|default/rs");
    expect(fc.objects.get("replicasets:default/rs")!.metadata.finalizers).toEqual([]);
    gc.stop();
  });

  it("orphan: removes the dependents' references, then the finalizer, deleting nothing", async () => {
    const fc = new FakeCluster();
    const gc = new GarbageCollector(fc.context());
    const owner = fc.seed("replicasets", obj("rs", { deletionTimestamp: "2024-01-01T00:00:00Z", finalizers: ["orphan"] }));
    fc.seed("pods", obj("p", { ownerReferences: [{ apiVersion: "apps/v1", kind: "ReplicaSet", name: "rs", uid: owner.metadata.uid!, controller: true }] }));
    await gc.reconcile("replicasets|default/rs");
    expect(fc.count("delete", "pods")).toBe(0);
    expect(fc.objects.get("pods:default/p")!.metadata.ownerReferences).toEqual([]);
    expect(fc.objects.get("replicasets:default/rs")!.metadata.finalizers).toEqual([]);
  });
});
