import { describe, expect, it } from "vitest";
import type { Pod } from "@skiff/api";
import { Framework } from "../framework/framework.js";
import { NodeInfo } from "../framework/node-info.js";
import { defaultFilterPlugins } from "../plugins/index.js";
import { makeNode, makePod } from "../testing.js";
import { eligibleToPreempt, findCandidate } from "./preemption.js";

const prio = (p: Pod, priority: number): Pod => ({ ...p, spec: { ...p.spec, priority } });

describe("preemption", () => {
  const fw = new Framework(defaultFilterPlugins(), []);

  it("evicts the lowest-priority pod that frees enough room, on the node where the victims matter least", () => {
    const nodes = [
      new NodeInfo("a", makeNode({ name: "a", cpu: "1" }), [prio(makePod({ name: "mid", cpu: "800m", nodeName: "a" }), 500)]),
      new NodeInfo("b", makeNode({ name: "b", cpu: "1" }), [
        prio(makePod({ name: "low", cpu: "800m", nodeName: "b" }), 10),
        prio(makePod({ name: "tiny", cpu: "100m", nodeName: "b" }), 0),
      ]),
    ];
    const pod = prio(makePod({ name: "important", cpu: "800m" }), 1000);
    const r = fw.schedule(pod, nodes);
    expect(r.code).toBe("Unschedulable");
    const c = findCandidate(fw, pod, nodes, r.code === "Unschedulable" ? r.diagnosis : { numNodes: 0, nodeStatuses: new Map() });
    // On b only "low" must go ("tiny" is given back: 800m + 100m fit in 1 cpu); its priority 10 < a's 500.
    expect(c?.nodeName).toBe("b");
    expect(c?.victims.map((v) => v.metadata.name)).toEqual(["low"]);
  });

  it("never evicts pods of equal or higher priority, nor for a pod with preemptionPolicy Never", () => {
    const nodes = [new NodeInfo("a", makeNode({ name: "a", cpu: "1" }), [prio(makePod({ name: "peer", cpu: "800m", nodeName: "a" }), 100)])];
    const pod = prio(makePod({ name: "same", cpu: "800m" }), 100);
    const r = fw.schedule(pod, nodes);
    expect(r.code === "Unschedulable" && findCandidate(fw, pod, nodes, r.diagnosis)).toBeUndefined();
    const never = { ...prio(pod, 1000), spec: { ...pod.spec, priority: 1000, preemptionPolicy: "Never" as const } };
    expect(eligibleToPreempt(never, nodes)).toBe(false);
  });

  it("does not help where eviction cannot (a node selector that does not match)", () => {
    const nodes = [new NodeInfo("a", makeNode({ name: "a", cpu: "1" }), [prio(makePod({ name: "low", cpu: "800m", nodeName: "a" }), 0)])];
    const pod = prio(makePod({ name: "picky", cpu: "800m", nodeSelector: { disk: "ssd" } }), 1000);
    const r = fw.schedule(pod, nodes);
    expect(r.code === "Unschedulable" && findCandidate(fw, pod, nodes, r.diagnosis)).toBeUndefined();
  });

  it("waits for victims already terminating on its nominated node instead of evicting more", () => {
    const going = prio(makePod({ name: "low", cpu: "800m", nodeName: "a" }), 0);
    going.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    const nodes = [new NodeInfo("a", makeNode({ name: "a", cpu: "1" }), [going])];
    const pod = prio(makePod({ name: "important", cpu: "800m" }), 1000);
    pod.status = { ...pod.status, nominatedNodeName: "a" } as Pod["status"];
    expect(eligibleToPreempt(pod, nodes)).toBe(false);
  });
});
