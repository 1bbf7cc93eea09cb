import { describe, it, expect } from "vitest";
import { SchedulerCache } from "./cache.js";
import type { Pod } from "@skiff/api";
import { Framework } from "../framework/framework.js";
import { interPodAffinity, REASON_EXISTING_ANTI_AFFINITY } from "../plugins/inter-pod-affinity/inter-pod-affinity.js";
import { makeNode, makePod } from "../testing.js";

function cacheWithNode() {
  const c = new SchedulerCache();
  c.setNode(makeNode({ name: "a", cpu: "1" }));
  return c;
}

describe("SchedulerCache", () => {
  it("counts bound pods on their node and forgets deleted ones", () => {
    const c = cacheWithNode();
    c.setPod(makePod({ name: "p", nodeName: "a", cpu: "300m" }));
    expect(c.nodeInfo("a")!.requested.milliCpu).toBe(300);
    c.removePod("default/p");
    expect(c.nodeInfo("a")!.requested.milliCpu).toBe(0);
  });

  it("counts an assumed pod until the informer shows it bound, then counts it once", () => {
    const c = cacheWithNode();
    const pod = makePod({ name: "p", cpu: "300m" });
    c.assumePod(pod, "a");
    expect(c.isAssumed("default/p")).toBe(true);
    expect(c.nodeInfo("a")!.requested.milliCpu).toBe(300);
    // A late event from before the bind must not free the space.
    c.setPod({ ...pod, metadata: { ...pod.metadata, resourceVersion: "2" } });
    expect(c.nodeInfo("a")!.requested.milliCpu).toBe(300);
    c.setPod(makePod({ name: "p", cpu: "300m", nodeName: "a" }));
    expect(c.isAssumed("default/p")).toBe(false);
    expect(c.nodeInfo("a")!.podCount).toBe(1);
    expect(c.nodeInfo("a")!.requested.milliCpu).toBe(300);
  });

  it("does not assume a pod the informer already shows bound", () => {
    const c = cacheWithNode();
    c.setPod(makePod({ name: "p", nodeName: "a", cpu: "300m" }));
    c.assumePod(makePod({ name: "p", cpu: "300m" }), "a");
    expect(c.isAssumed("default/p")).toBe(false);
    expect(c.nodeInfo("a")!.requested.milliCpu).toBe(300);
  });

  it("drops an assumption when a new pod with the same name (other uid) appears unbound", () => {
    const c = cacheWithNode();
    c.assumePod(makePod({ name: "p", cpu: "300m" }), "a");
    const recreated = makePod({ name: "p", cpu: "300m" });
    recreated.metadata.uid = "new-uid";
    c.setPod(recreated);
    expect(c.nodeInfo("a")!.requested.milliCpu).toBe(0);
  });

  it("frees the resources of finished pods", () => {
    const c = cacheWithNode();
    c.setPod(makePod({ name: "p", nodeName: "a", cpu: "300m", phase: "Running" }));
    c.setPod(makePod({ name: "p", nodeName: "a", cpu: "300m", phase: "Succeeded" }));
    expect(c.nodeInfo("a")!.podCount).toBe(0);
    expect(c.nodeOf("default/p")).toBeUndefined();
  });

  it("leaves deleted nodes out of snapshots", () => {
    const c = cacheWithNode();
    c.setNode(makeNode({ name: "b" }));
    c.setPod(makePod({ name: "p", nodeName: "b" }));
    c.removeNode("b");
    expect(c.snapshot().map((n) => n.name)).toEqual(["a"]);
    c.removePod("default/p");
    expect(c.nodeInfo("b")).toBeUndefined();
  });

  it("keeps the nodes with pods that carry affinity terms, through binds, assumptions and deletions", () => {
    const c = cacheWithNode();
    c.setNode(makeNode({ name: "b" }));
    const withTerms = (name: string, nodeName?: string): Pod => {
      const p = makePod({ name, nodeName });
      p.metadata.labels = { app: "db" };
      p.spec.affinity = {
        podAntiAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "db" } }, topologyKey: "kubernetes.io/hostname" }],
        },
      };
      return p;
    };
    const names = () => c.nodesWithAffinityPods().map((n) => n.name);
    c.setPod(makePod({ name: "plain", nodeName: "a" }));
    expect(names()).toEqual([]);
    c.setPod(withTerms("db-0", "a"));
    c.assumePod(withTerms("db-1"), "b");
    expect(names().sort()).toEqual(["a", "b"]);
    expect(c.forgetPod("default/db-1", "uid-db-1")).toBe(true);
    expect(names()).toEqual(["a"]);
    // A pod without the terms under the same name replaces the one with them.
    c.setPod(makePod({ name: "db-0", nodeName: "a" }));
    expect(names()).toEqual([]);
    c.setPod(withTerms("db-2", "b"));
    c.removeNode("b");
    expect(names()).toEqual([]);
    c.setNode(makeNode({ name: "b" }));
    expect(names()).toEqual(["b"]);
    c.removePod("default/db-2");
    expect(names()).toEqual([]);
  });

  it("a pod without terms of its own is kept off a node by an existing pod's anti-affinity, with the cache's list", () => {
    const c = new SchedulerCache();
    for (const n of ["a", "b"]) c.setNode(makeNode({ name: n }));
    const db = makePod({ name: "db", nodeName: "a" });
    db.spec.affinity = {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: "web" } }, topologyKey: "kubernetes.io/hostname" }],
      },
    };
    c.setPod(db);
    const web = makePod({ name: "web" });
    web.metadata.labels = { app: "web" };
    const fw = new Framework([interPodAffinity()], []);
    for (let i = 0; i < 4; i++) expect(fw.schedule(web, c.snapshot(), c.nodesWithAffinityPods())).toMatchObject({ code: "Scheduled", nodeName: "b" });
    c.removeNode("b");
    const r = fw.schedule(web, c.snapshot(), c.nodesWithAffinityPods());
    expect(r.code).toBe("Unschedulable");
    expect(r.code === "Unschedulable" && r.diagnosis.nodeStatuses.get("a")).toMatchObject({ reasons: [REASON_EXISTING_ANTI_AFFINITY] });
  });
});
