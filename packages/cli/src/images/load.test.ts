import { describe, expect, it } from "vitest";
import { loadImages, summary } from "./load.js";
import { NodeDownError, type NodeTarget } from "./targets.js";

const target = (name: string, over: Partial<NodeTarget>): NodeTarget => ({
  name,
  imageId: async () => undefined,
  load: async () => {
    throw new Error("not expected");
  },
  ...over,
});

describe("loadImages", () => {
  it("leaves nodes with the same image id alone, reports down and unreachable nodes, and says why a node failed", async () => {
    const out: string[] = [];
    const results = await loadImages(
      ["a:1"],
      new Map([["a:1", "sha256:aaa"]]),
      [
        target("n1", { imageId: async () => "sha256:aaa" }),
        target("n2", { down: "container paused" }),
        target("n3", {
          imageId: async () => {
            throw new NodeDownError("its agent at 10.0.0.3:10250 does not answer: No connection established");
          },
        }),
        target("n4", {
          imageId: async () => {
            throw new Error("the node token is missing or wrong");
          },
        }),
      ],
      { write: (s) => out.push(s) },
      false,
    );
    expect(results.map((r) => [r.node, r.result])).toEqual([
      ["n1", "present"],
      ["n2", "down"],
      ["n3", "down"],
      ["n4", "failed"],
    ]);
    expect(summary(results)).toBe(
      [
        'Image "a:1" already present on node n1 with the same image id (unchanged)',
        'Image "a:1" NOT loaded into node n2: it is down (container paused)',
        'Image "a:1" NOT loaded into node n3: it is down (its agent at 10.0.0.3:10250 does not answer: No connection established)',
        'Image "a:1" NOT loaded into node n4: the node token is missing or wrong',
        "",
      ].join("\n"),
    );
  });
});
