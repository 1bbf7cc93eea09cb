import { describe, it, expect } from "vitest";
import { NodeInfo } from "../../framework/node-info.js";
import { newCycleContext } from "../../framework/types.js";
import { makeNode, makePod } from "../../testing.js";
import { filter, REASON_NOT_READY, REASON_UNSCHEDULABLE } from "./node-ready.js";

const run = (node = makeNode({ name: "a" })) => filter(newCycleContext(), makePod({ name: "p" }), new NodeInfo("a", node));

describe("node-ready filter", () => {
  it("accepts a Ready node", () => {
    expect(run()).toEqual({ code: "Success" });
  });

  it("rejects a node whose Ready condition is False", () => {
    expect(run(makeNode({ name: "a", ready: false }))).toEqual({ code: "UnschedulableAndUnresolvable", reasons: [REASON_NOT_READY] });
  });

  it("rejects a node that has never reported a Ready condition", () => {
    const node = makeNode({ name: "a" });
    node.status!.conditions = [];
    expect(run(node)).toEqual({ code: "UnschedulableAndUnresolvable", reasons: ["node(s) were not ready"] });
  });

  it("rejects a cordoned node even when Ready", () => {
    expect(run(makeNode({ name: "a", unschedulable: true }))).toEqual({ code: "UnschedulableAndUnresolvable", reasons: [REASON_UNSCHEDULABLE] });
    expect(REASON_UNSCHEDULABLE).toBe("node(s) were unschedulable");
  });
});
