import { describe, it, expect } from "vitest";
import { NodeInfo } from "../../framework/node-info.js";
import { newCycleContext, type NodeScore } from "../../framework/types.js";
import { makeNode, makePod } from "../../testing.js";
import { normalizeScores, score } from "./spread.js";

function spreadScores(pod: ReturnType<typeof makePod>, nodes: NodeInfo[]): Record<string, number> {
  const ctx = newCycleContext();
  const scores: NodeScore[] = nodes.map((ni) => {
    const r = score(ctx, pod, ni);
    if (r.code !== "Success") throw new Error(r.message);
    return { nodeName: ni.name, score: r.score };
  });
  normalizeScores(ctx, pod, scores);
  return Object.fromEntries(scores.map((s) => [s.nodeName, s.score]));
}

const nodeWith = (name: string, pods: ReturnType<typeof makePod>[]) => new NodeInfo(name, makeNode({ name }), pods);

describe("spread score", () => {
  it("prefers nodes without pods of the same controller", () => {
    const a = nodeWith("a", [makePod({ name: "web-1", nodeName: "a", ownerUid: "rs1" }), makePod({ name: "web-2", nodeName: "a", ownerUid: "rs1" })]);
    const b = nodeWith("b", [makePod({ name: "web-3", nodeName: "b", ownerUid: "rs1" })]);
    const c = nodeWith("c", []);
    expect(spreadScores(makePod({ name: "web-4", ownerUid: "rs1" }), [a, b, c])).toEqual({ a: 0, b: 50, c: 100 });
  });

  it("ignores pods of other controllers and of other namespaces", () => {
    const a = nodeWith("a", [
      makePod({ name: "db-1", nodeName: "a", ownerUid: "rs2" }),
      makePod({ name: "web-1", namespace: "other", nodeName: "a", ownerUid: "rs1" }),
    ]);
    const b = nodeWith("b", []);
    expect(spreadScores(makePod({ name: "web-2", ownerUid: "rs1" }), [a, b])).toEqual({ a: 100, b: 100 });
  });

  it("is neutral for a pod without a controller", () => {
    const a = nodeWith("a", [makePod({ name: "web-1", nodeName: "a", ownerUid: "rs1" })]);
    const b = nodeWith("b", []);
    expect(spreadScores(makePod({ name: "solo" }), [a, b])).toEqual({ a: 100, b: 100 });
  });
});
