import { describe, it, expect } from "vitest";
import { NodeInfo } from "../../framework/node-info.js";
import { newCycleContext } from "../../framework/types.js";
import { makeNode, makePod } from "../../testing.js";
import { filter, REASON_MISMATCH } from "./node-selector.js";

function run(nodeSelector: Record<string, string> | undefined, labels: Record<string, string>) {
  return filter(newCycleContext(), makePod({ name: "p", nodeSelector }), new NodeInfo("a", makeNode({ name: "a", labels })));
}

describe("node-selector filter", () => {
  it("accepts any node when the pod has no nodeSelector", () => {
    expect(run(undefined, {}).code).toBe("Success");
  });

  it("accepts a node carrying every selected label", () => {
    expect(run({ disk: "ssd", zone: "a" }, { disk: "ssd", zone: "a", extra: "x" }).code).toBe("Success");
  });

  it("rejects a node with a different value", () => {
    expect(run({ disk: "ssd" }, { disk: "hdd" })).toEqual({ code: "UnschedulableAndUnresolvable", reasons: [REASON_MISMATCH] });
  });

  it("rejects a node missing one of the labels", () => {
    expect(run({ disk: "ssd", zone: "a" }, { disk: "ssd" })).toEqual({
      code: "UnschedulableAndUnresolvable",
      reasons: ["node(s) didn't match Pod's node affinity/selector"],
    });
  });
});
