import { describe, expect, it } from "vitest";
import type { Pod, TopologySpreadConstraint } from "@skiff/api";
import { Framework } from "../../framework/framework.js";
import { NodeInfo } from "../../framework/node-info.js";
import { newCycleContext } from "../../framework/types.js";
import { makeNode, makePod } from "../../testing.js";
import { filter, REASON_MISSING_LABEL, REASON_SKEW, topologySpread } from "./topology-spread.js";

const zone = "topology.kubernetes.io/zone";
const host = "kubernetes.io/hostname";
const foo = (name: string, nodeName?: string): Pod => {
  const p = makePod({ name, nodeName });
  p.metadata.labels = { foo: "bar" };
  return p;
};
const c = (topologyKey: string, extra: Partial<TopologySpreadConstraint> = {}): TopologySpreadConstraint => ({
  maxSkew: 1,
  topologyKey,
  whenUnsatisfiable: "DoNotSchedule",
  labelSelector: { matchLabels: { foo: "bar" } },
  ...extra,
});

// https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#example-one-topologyspreadconstraint
// 4 nodes in 2 zones; pods labelled foo=bar on node1, node2 (zoneA) and node3 (zoneB).
function cluster(): NodeInfo[] {
  return [
    new NodeInfo("node1", makeNode({ name: "node1", labels: { [zone]: "zoneA" } }), [foo("p1", "node1")]),
    new NodeInfo("node2", makeNode({ name: "node2", labels: { [zone]: "zoneA" } }), [foo("p2", "node2")]),
    new NodeInfo("node3", makeNode({ name: "node3", labels: { [zone]: "zoneB" } }), [foo("p3", "node3")]),
    new NodeInfo("node4", makeNode({ name: "node4", labels: { [zone]: "zoneB" } })),
  ];
}

describe("PodTopologySpread", () => {
  it("one constraint (zone, maxSkew 1): the new pod can only go to zoneB", () => {
    const nodes = cluster();
    const p = foo("mypod");
    p.spec.topologySpreadConstraints = [c(zone)];
    const ctx = newCycleContext(nodes);
    expect(nodes.map((n) => filter(ctx, p, n).code)).toEqual(["Unschedulable", "Unschedulable", "Success", "Success"]);
    expect(filter(ctx, p, nodes[0])).toEqual({ code: "Unschedulable", reasons: [REASON_SKEW] });
  });

  it("maxSkew 2 also allows zoneA", () => {
    const nodes = cluster();
    const p = foo("mypod");
    p.spec.topologySpreadConstraints = [c(zone, { maxSkew: 2 })];
    const ctx = newCycleContext(nodes);
    expect(nodes.map((n) => filter(ctx, p, n).code)).toEqual(["Success", "Success", "Success", "Success"]);
  });

  // https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#example-multiple-topologyspreadconstraints
  it("two constraints (zone and hostname): only node4", () => {
    const nodes = cluster();
    const p = foo("mypod");
    p.spec.topologySpreadConstraints = [c(zone), c(host)];
    const ctx = newCycleContext(nodes);
    expect(nodes.map((n) => filter(ctx, p, n).code)).toEqual(["Unschedulable", "Unschedulable", "Unschedulable", "Success"]);
  });

  it("a node without the topology label is unresolvable; pods not matching the selector are not counted", () => {
    const nodes = [...cluster(), new NodeInfo("bare", makeNode({ name: "bare" }))];
    const p = foo("mypod");
    p.spec.topologySpreadConstraints = [c(zone)];
    nodes[3].addPod({ ...makePod({ name: "other", nodeName: "node4" }), metadata: { ...makePod({ name: "other" }).metadata, labels: { foo: "baz" } } });
    const ctx = newCycleContext(nodes);
    expect(filter(ctx, p, nodes[4])).toEqual({ code: "UnschedulableAndUnresolvable", reasons: [REASON_MISSING_LABEL] });
    expect(filter(ctx, p, nodes[3]).code).toBe("Success");
  });

  it("minDomains: with fewer eligible domains than minDomains the global minimum is 0", () => {
    // 2 zones with one matching pod each; minDomains 3 → skew = 1 + 1 - 0 = 2 > 1 everywhere.
    const nodes = [
      new NodeInfo("a", makeNode({ name: "a", labels: { [zone]: "A" } }), [foo("p1", "a")]),
      new NodeInfo("b", makeNode({ name: "b", labels: { [zone]: "B" } }), [foo("p2", "b")]),
    ];
    const p = foo("mypod");
    p.spec.topologySpreadConstraints = [c(zone, { minDomains: 3 })];
    const ctx = newCycleContext(nodes);
    expect(nodes.map((n) => filter(ctx, p, n).code)).toEqual(["Unschedulable", "Unschedulable"]);
    p.spec.topologySpreadConstraints = [c(zone, { minDomains: 2 })];
    expect(nodes.map((n) => filter(newCycleContext(nodes), p, n).code)).toEqual(["Success", "Success"]);
  });

  it("nodeAffinityPolicy Honor: nodes the pod's nodeSelector excludes do not count as domains", () => {
    const nodes = cluster();
    nodes[2].node.metadata.labels!.disk = "ssd";
    nodes[3].node.metadata.labels!.disk = "ssd";
    nodes[0].node.metadata.labels!.disk = "hdd";
    nodes[1].node.metadata.labels!.disk = "hdd";
    const p = foo("mypod");
    p.spec.nodeSelector = { disk: "ssd" };
    p.spec.topologySpreadConstraints = [c(zone)];
    // Only zoneB is eligible: its count (1) is the minimum, so 1 + 1 - 1 = 1 ≤ maxSkew.
    expect(filter(newCycleContext(nodes), p, nodes[3]).code).toBe("Success");
  });

  it("ScheduleAnyway prefers the emptier domain", () => {
    const nodes = cluster();
    const p = foo("mypod");
    p.spec.topologySpreadConstraints = [c(zone, { whenUnsatisfiable: "ScheduleAnyway" })];
    const fw = new Framework([], [{ plugin: topologySpread, weight: 1 }]);
    const r = fw.schedule(p, nodes);
    expect(r.code === "Scheduled" && ["node3", "node4"].includes(r.nodeName)).toBe(true);
    expect(nodes.map((n) => filter(newCycleContext(nodes), p, n).code)).toEqual(["Success", "Success", "Success", "Success"]);
  });
});
