import { describe, expect, it } from "vitest";
import type { Pod } from "@skiff/api";
import { NodeInfo } from "../../framework/node-info.js";
import { newCycleContext, type NodeScore } from "../../framework/types.js";
import { makeNode, makePod } from "../../testing.js";
import { filter, normalizeScores, score } from "./node-affinity.js";

// The example of https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#node-affinity
const withNodeAffinity: Pod = {
  ...makePod({ name: "with-node-affinity" }),
};
withNodeAffinity.spec.affinity = {
  nodeAffinity: {
    requiredDuringSchedulingIgnoredDuringExecution: {
      nodeSelectorTerms: [{ matchExpressions: [{ key: "topology.kubernetes.io/zone", operator: "In", values: ["antarctica-east1", "antarctica-west1"] }] }],
    },
    preferredDuringSchedulingIgnoredDuringExecution: [
      { weight: 1, preference: { matchExpressions: [{ key: "another-node-label-key", operator: "In", values: ["another-node-label-value"] }] } },
    ],
  },
};

const node = (name: string, labels: Record<string, string>) => new NodeInfo(name, makeNode({ name, labels }));

describe("NodeAffinity", () => {
  it("required: the node must be in one of the listed zones", () => {
    const ctx = newCycleContext();
    expect(filter(ctx, withNodeAffinity, node("east", { "topology.kubernetes.io/zone": "antarctica-east1" })).code).toBe("Success");
    expect(filter(ctx, withNodeAffinity, node("west", { "topology.kubernetes.io/zone": "antarctica-west1" })).code).toBe("Success");
    expect(filter(ctx, withNodeAffinity, node("north", { "topology.kubernetes.io/zone": "arctic-1" }))).toEqual({
      code: "UnschedulableAndUnresolvable",
      reasons: ["node(s) didn't match Pod's node affinity/selector"],
    });
    expect(filter(ctx, withNodeAffinity, node("none", {})).code).toBe("UnschedulableAndUnresolvable");
  });

  it("terms are ORed, expressions within a term ANDed; matchFields selects by node name", () => {
    const p = makePod({ name: "p" });
    p.spec.affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            {
              matchExpressions: [
                { key: "a", operator: "Exists" },
                { key: "b", operator: "DoesNotExist" },
              ],
            },
            { matchFields: [{ key: "metadata.name", operator: "In", values: ["chosen"] }] },
            { matchExpressions: [{ key: "cores", operator: "Gt", values: ["8"] }] },
          ],
        },
      },
    };
    const ctx = newCycleContext();
    expect(filter(ctx, p, node("n1", { a: "1" })).code).toBe("Success");
    expect(filter(ctx, p, node("n2", { a: "1", b: "1" })).code).not.toBe("Success");
    expect(filter(ctx, p, node("chosen", {})).code).toBe("Success");
    expect(filter(ctx, p, node("big", { cores: "16" })).code).toBe("Success");
    expect(filter(ctx, p, node("small", { cores: "4" })).code).not.toBe("Success");
  });

  it("preferred: the documented weights 1 and 50 rank the node with label-2 first", () => {
    const p = makePod({ name: "with-affinity-preferred-weight" });
    p.spec.affinity = {
      nodeAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 1, preference: { matchExpressions: [{ key: "label-1", operator: "In", values: ["key-1"] }] } },
          { weight: 50, preference: { matchExpressions: [{ key: "label-2", operator: "In", values: ["key-2"] }] } },
        ],
      },
    };
    const ctx = newCycleContext();
    const nodes = [node("one", { "label-1": "key-1" }), node("two", { "label-2": "key-2" }), node("none", {})];
    const scores: NodeScore[] = nodes.map((n) => ({ nodeName: n.name, score: (score(ctx, p, n) as { score: number }).score }));
    normalizeScores(ctx, p, scores);
    expect(Object.fromEntries(scores.map((s) => [s.nodeName, s.score]))).toEqual({ one: 2, two: 100, none: 0 });
  });
});
