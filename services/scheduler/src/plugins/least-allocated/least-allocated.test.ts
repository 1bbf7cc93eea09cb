import { describe, it, expect } from "vitest";
import { NodeInfo } from "../../framework/node-info.js";
import { newCycleContext } from "../../framework/types.js";
import { makeNode, makePod } from "../../testing.js";
import { leastRequestedScore, score } from "./least-allocated.js";

const scoreOf = (pod: ReturnType<typeof makePod>, ni: NodeInfo) => {
  const r = score(newCycleContext(), pod, ni);
  if (r.code !== "Success") throw new Error(r.message);
  return r.score;
};

describe("least-allocated score", () => {
  it("is the free share in 0..100", () => {
    expect(leastRequestedScore(0, 1000)).toBe(100);
    expect(leastRequestedScore(250, 1000)).toBe(75);
    expect(leastRequestedScore(1000, 1000)).toBe(0);
    expect(leastRequestedScore(1500, 1000)).toBe(0);
    expect(leastRequestedScore(0, 0)).toBe(0);
  });

  it("averages cpu and memory after placing the pod", () => {
    const ni = new NodeInfo("a", makeNode({ name: "a", cpu: "2", memory: "4Gi" }));
    // cpu (2000-1000)/2000 = 50, memory (4Gi-1Gi)/4Gi = 75 → 62
    expect(scoreOf(makePod({ name: "p", cpu: "1", memory: "1Gi" }), ni)).toBe(62);
  });

  it("prefers the emptier node", () => {
    const busy = new NodeInfo("busy", makeNode({ name: "busy" }), [makePod({ name: "x", nodeName: "busy", cpu: "3", memory: "6Gi" })]);
    const empty = new NodeInfo("empty", makeNode({ name: "empty" }));
    const pod = makePod({ name: "p", cpu: "100m", memory: "128Mi" });
    expect(scoreOf(pod, empty)).toBeGreaterThan(scoreOf(pod, busy));
  });

  it("counts containers without requests as 100m cpu and 200Mi memory", () => {
    const ni = new NodeInfo("a", makeNode({ name: "a", cpu: "1", memory: "2000Mi" }));
    // cpu (1000-100)/1000 = 90, memory (2000-200)/2000 = 90
    expect(scoreOf(makePod({ name: "p" }), ni)).toBe(90);
    // …and so do pods already on the node: two BestEffort pods now → 80
    ni.addPod(makePod({ name: "q", nodeName: "a" }));
    expect(scoreOf(makePod({ name: "p" }), ni)).toBe(80);
  });
});
