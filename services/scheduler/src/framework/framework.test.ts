import { describe, it, expect } from "vitest";
import { Framework, numFeasibleNodesToFind } from "./framework.js";
import { failedSchedulingMessage, NO_NODES_MESSAGE } from "./diagnosis.js";
import { NodeInfo } from "./node-info.js";
import { unschedulable, type FilterPlugin, type ScorePlugin } from "./types.js";
import { defaultFilterPlugins, defaultScorePlugins } from "../plugins/index.js";
import { makeNode, makePod, type NodeSpecInput } from "../testing.js";

const infos = (...nodes: NodeSpecInput[]) => nodes.map((n) => new NodeInfo(n.name, makeNode(n)));
const defaults = () => new Framework(defaultFilterPlugins(), defaultScorePlugins());

describe("FailedScheduling message", () => {
  it("counts nodes per reason like kube-scheduler", () => {
    const nodes = infos({ name: "a", cpu: "1" }, { name: "b", labels: { disk: "hdd" } }, { name: "c", labels: { disk: "hdd" } });
    const r = defaults().schedule(makePod({ name: "web-1", cpu: "2", nodeSelector: { disk: "ssd" } }), [
      new NodeInfo("a", makeNode({ name: "a", cpu: "1", labels: { disk: "ssd" } })),
      nodes[1],
      nodes[2],
    ]);
    expect(r).toMatchObject({
      code: "Unschedulable",
      message: "0/3 nodes are available: 1 Insufficient cpu, 2 node(s) didn't match Pod's node affinity/selector.",
    });
  });

  it("counts each reason of a node that fails several resources", () => {
    const r = defaults().schedule(makePod({ name: "p", cpu: "8", memory: "64Gi" }), infos({ name: "a" }, { name: "b", ready: false }));
    expect(r).toMatchObject({
      code: "Unschedulable",
      message: "0/2 nodes are available: 1 Insufficient cpu, 1 Insufficient memory, 1 node(s) were not ready.",
    });
  });

  it("stops at a node's first failing filter", () => {
    // b is both not ready and too small; only "not ready" is reported for it.
    const r = defaults().schedule(makePod({ name: "p", cpu: "8" }), infos({ name: "b", ready: false, cpu: "1" }));
    expect(r).toMatchObject({ message: "0/1 nodes are available: 1 node(s) were not ready." });
  });

  it("says so when there are no nodes", () => {
    expect(defaults().schedule(makePod({ name: "p" }), [])).toMatchObject({ code: "Unschedulable", message: NO_NODES_MESSAGE });
    expect(failedSchedulingMessage({ numNodes: 0, nodeStatuses: new Map() })).toBe("no nodes available to schedule pods");
  });

  it("sorts the counted reasons as strings", () => {
    const statuses = new Map([
      ["a", unschedulable("Too many pods")],
      ["b", unschedulable("Insufficient memory")],
      ["c", unschedulable("Insufficient memory")],
    ]);
    expect(failedSchedulingMessage({ numNodes: 4, nodeStatuses: statuses })).toBe("0/4 nodes are available: 1 Too many pods, 2 Insufficient memory.");
  });
});

describe("Framework.schedule", () => {
  it("picks the only feasible node", () => {
    const r = defaults().schedule(makePod({ name: "p", nodeSelector: { disk: "ssd" } }), infos({ name: "a" }, { name: "b", labels: { disk: "ssd" } }));
    expect(r).toMatchObject({ code: "Scheduled", nodeName: "b", feasibleNodes: 1 });
  });

  it("prefers the emptier node", () => {
    const [a, b] = infos({ name: "a" }, { name: "b" });
    a.addPod(makePod({ name: "x", nodeName: "a", cpu: "2", memory: "4Gi" }));
    expect(defaults().schedule(makePod({ name: "p", cpu: "100m" }), [a, b])).toMatchObject({ code: "Scheduled", nodeName: "b" });
  });

  it("spreads replicas of one controller away from their siblings even onto a busier node", () => {
    const [a, b] = infos({ name: "a" }, { name: "b" });
    a.addPod(makePod({ name: "web-1", nodeName: "a", ownerUid: "rs1", cpu: "100m" }));
    b.addPod(makePod({ name: "other", nodeName: "b", cpu: "1", memory: "1Gi" }));
    expect(defaults().schedule(makePod({ name: "web-2", ownerUid: "rs1", cpu: "100m" }), [a, b])).toMatchObject({ nodeName: "b" });
  });

  it("shares pods between equal nodes in turn", () => {
    const fw = defaults();
    const nodes = infos({ name: "a" }, { name: "b" }, { name: "c" });
    const picks = [0, 1, 2].map(() => {
      const r = fw.schedule(makePod({ name: "p" }), nodes);
      return r.code === "Scheduled" ? r.nodeName : r.code;
    });
    expect(new Set(picks)).toEqual(new Set(["a", "b", "c"]));
  });

  it("fills nodes evenly when bound pods are accounted", () => {
    const fw = defaults();
    const nodes = infos({ name: "a" }, { name: "b" });
    const count: Record<string, number> = { a: 0, b: 0 };
    for (let i = 0; i < 10; i++) {
      const pod = makePod({ name: `p${i}`, cpu: "100m", memory: "100Mi" });
      const r = fw.schedule(pod, nodes);
      if (r.code !== "Scheduled") throw new Error(r.code);
      count[r.nodeName]++;
      nodes.find((n) => n.name === r.nodeName)!.addPod({ ...pod, spec: { ...pod.spec, nodeName: r.nodeName } });
    }
    expect(count).toEqual({ a: 5, b: 5 });
  });

  it("aborts with Error when a filter fails or throws", () => {
    const broken: FilterPlugin = { name: "Broken", filter: () => ({ code: "Error", message: "boom" }) };
    expect(new Framework([broken], []).schedule(makePod({ name: "p" }), infos({ name: "a" }))).toEqual({ code: "Error", message: "boom" });
    const throwing: FilterPlugin = {
      name: "Throwing",
      filter: () => {
        throw new Error("bad");
      },
    };
    expect(new Framework([throwing], []).schedule(makePod({ name: "p" }), infos({ name: "a" }))).toEqual({
      code: "Error",
      message: "plugin Throwing failed on node a: bad",
    });
  });

  it("aborts with Error when a score plugin fails", () => {
    const bad: ScorePlugin = { name: "Bad", score: () => ({ code: "Error", message: "no score" }) };
    expect(new Framework([], [{ plugin: bad, weight: 1 }]).schedule(makePod({ name: "p" }), infos({ name: "a" }, { name: "b" }))).toEqual({
      code: "Error",
      message: "no score",
    });
    // A throw names the plugin and the node it threw on.
    const thrower: ScorePlugin = {
      name: "Thrower",
      score: (_c, _p, ni) => {
        if (ni.name === "b") throw new Error("nope");
        return { code: "Success", score: 1 };
      },
    };
    const fw = new Framework([], [{ plugin: thrower, weight: 1 }]);
    expect(fw.schedule(makePod({ name: "p" }), infos({ name: "a" }, { name: "b" }, { name: "c" }))).toEqual({
      code: "Error",
      message: "plugin Thrower failed on node b: nope",
    });
  });

  it("weights scores", () => {
    const likesA: ScorePlugin = { name: "LikesA", score: (_c, _p, ni) => ({ code: "Success", score: ni.name === "a" ? 100 : 0 }) };
    const likesB: ScorePlugin = { name: "LikesB", score: (_c, _p, ni) => ({ code: "Success", score: ni.name === "b" ? 60 : 0 }) };
    const fw = new Framework(
      [],
      [
        { plugin: likesA, weight: 1 },
        { plugin: likesB, weight: 2 },
      ],
    );
    expect(fw.schedule(makePod({ name: "p" }), infos({ name: "a" }, { name: "b" }))).toMatchObject({
      nodeName: "b",
      scores: [
        { nodeName: "a", score: 100 },
        { nodeName: "b", score: 120 },
      ],
    });
  });
});

describe("bounded feasible-node search (percentageOfNodesToScore)", () => {
  it("finds kube-scheduler's number of feasible nodes", () => {
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(99)).toBe(99);
    expect(numFeasibleNodesToFind(1000)).toBe(420); // 50% - 1000/125 = 42%
    expect(numFeasibleNodesToFind(5000)).toBe(500); // 10%
    expect(numFeasibleNodesToFind(100_000)).toBe(5000); // floor of 5%
    expect(numFeasibleNodesToFind(150)).toBe(100); // never fewer than 100
    expect(numFeasibleNodesToFind(1000, 10)).toBe(100);
    expect(numFeasibleNodesToFind(1000, 100)).toBe(1000);
  });

  it("scores only that many nodes, starting where the last cycle stopped, so every node gets its turn", () => {
    const nodes = Array.from({ length: 300 }, (_, i) => new NodeInfo(`n${i}`, makeNode({ name: `n${i}` })));
    const seen: string[] = [];
    const counting: ScorePlugin = {
      name: "Counting",
      score: (_c, _p, ni) => {
        seen.push(ni.name);
        return { code: "Success", score: 0 };
      },
    };
    const fw = new Framework(defaultFilterPlugins(), [{ plugin: counting, weight: 1 }], 50);
    const first = fw.schedule(makePod({ name: "a" }), nodes);
    expect(first).toMatchObject({ code: "Scheduled", feasibleNodes: 150 });
    expect(seen.slice(0, 2)).toEqual(["n0", "n1"]);
    seen.length = 0;
    fw.schedule(makePod({ name: "b" }), nodes);
    expect(seen[0]).toBe("n150");
    expect(seen).toHaveLength(150);
  });

  it("still visits every node before calling a pod unschedulable", () => {
    const nodes = Array.from({ length: 300 }, (_, i) => new NodeInfo(`n${i}`, makeNode({ name: `n${i}`, cpu: i === 299 ? "16" : "1" })));
    const r = new Framework(defaultFilterPlugins(), defaultScorePlugins(), 10).schedule(makePod({ name: "big", cpu: "8" }), nodes);
    expect(r).toMatchObject({ code: "Scheduled", nodeName: "n299", feasibleNodes: 1 });
    const none = new Framework(defaultFilterPlugins(), defaultScorePlugins(), 10).schedule(makePod({ name: "huge", cpu: "32" }), nodes);
    expect(none).toMatchObject({ code: "Unschedulable", message: "0/300 nodes are available: 300 Insufficient cpu." });
  });
});

describe("PreFilter and PreScore skips", () => {
  it("does not run a filter or score whose pre-phase skips, and turns a throwing pre-phase into an Error", () => {
    const calls: string[] = [];
    const skipped: FilterPlugin = {
      name: "Skipped",
      preFilter: () => "Skip",
      filter: () => {
        calls.push("filter");
        return unschedulable("never");
      },
    };
    const quiet: ScorePlugin = {
      name: "Quiet",
      preScore: () => "Skip",
      score: () => {
        calls.push("score");
        return { code: "Success", score: 0 };
      },
    };
    const fw = new Framework([skipped], [{ plugin: quiet, weight: 1 }]);
    const r = fw.schedule(makePod({ name: "p" }), infos({ name: "a" }, { name: "b" }));
    expect(r).toMatchObject({ code: "Scheduled", feasibleNodes: 2 });
    expect(calls).toEqual([]);
    const broken = new Framework(
      [
        {
          ...skipped,
          preFilter: () => {
            throw new Error("boom");
          },
        },
      ],
      [],
    );
    expect(broken.schedule(makePod({ name: "p" }), infos({ name: "a" }))).toEqual({ code: "Error", message: "plugin Skipped failed on node *: boom" });
  });

  it("the default plugins skip for a plain pod and still run for one that asks (a nodeSelector)", () => {
    const nodes = infos({ name: "a", labels: { disk: "ssd" } }, { name: "b" });
    expect(defaults().schedule(makePod({ name: "plain" }), nodes)).toMatchObject({ code: "Scheduled", feasibleNodes: 2 });
    expect(defaults().schedule(makePod({ name: "picky", nodeSelector: { disk: "ssd" } }), nodes)).toMatchObject({
      code: "Scheduled",
      nodeName: "a",
      feasibleNodes: 1,
    });
  });
});
