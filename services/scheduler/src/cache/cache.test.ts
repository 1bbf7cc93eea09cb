import { describe, it, expect } from "vitest";
import { SchedulerCache } from "./cache.js";
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
});
