import { describe, expect, it } from "vitest";
import type { Pod, PodAffinityTerm } from "@skiff/api";
import { Framework } from "../../framework/framework.js";
import { NodeInfo } from "../../framework/node-info.js";
import { newCycleContext, type NodeScore } from "../../framework/types.js";
import { makeNode, makePod } from "../../testing.js";
import { interPodAffinity, REASON_AFFINITY, REASON_ANTI_AFFINITY, REASON_EXISTING_ANTI_AFFINITY } from "./inter-pod-affinity.js";

const labeled = (name: string, labels: Record<string, string>, nodeName?: string, namespace?: string): Pod => {
  const p = makePod({ name, nodeName, namespace });
  p.metadata.labels = labels;
  return p;
};
const term = (labels: Record<string, string>, topologyKey: string, extra: Partial<PodAffinityTerm> = {}): PodAffinityTerm => ({
  labelSelector: { matchLabels: labels },
  topologyKey,
  ...extra,
});
const zone = "topology.kubernetes.io/zone";
const host = "kubernetes.io/hostname";

describe("InterPodAffinity filter", () => {
  // https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#an-example-of-a-pod-that-uses-pod-affinity
  it("the documented example: affinity to security=S1 in the zone, and S2 disliked", () => {
    const plugin = interPodAffinity();
    const nodes = [
      new NodeInfo("a1", makeNode({ name: "a1", labels: { [zone]: "A" } }), [labeled("s1", { security: "S1" }, "a1")]),
      new NodeInfo("a2", makeNode({ name: "a2", labels: { [zone]: "A" } }), [labeled("s2", { security: "S2" }, "a2")]),
      new NodeInfo("b1", makeNode({ name: "b1", labels: { [zone]: "B" } })),
      new NodeInfo("c1", makeNode({ name: "c1", labels: { [zone]: "C" } }), [labeled("s2c", { security: "S2" }, "c1")]),
    ];
    const pod = labeled("with-pod-affinity", {});
    pod.spec.affinity = {
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchExpressions: [{ key: "security", operator: "In", values: ["S1"] }] }, topologyKey: zone },
        ],
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 100, podAffinityTerm: { labelSelector: { matchExpressions: [{ key: "security", operator: "In", values: ["S2"] }] }, topologyKey: zone } },
        ],
      },
    };
    const ctx = newCycleContext(nodes);
    // Zone A holds an S1 pod: both of its nodes qualify, even the one without it.
    expect(nodes.map((n) => plugin.filter(ctx, pod, n).code)).toEqual(["Success", "Success", "UnschedulableAndUnresolvable", "UnschedulableAndUnresolvable"]);
    expect(plugin.filter(ctx, pod, nodes[2])).toEqual({ code: "UnschedulableAndUnresolvable", reasons: [REASON_AFFINITY] });
  });

  // https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#always-co-located-in-the-same-node
  it("the documented redis/web example: 3 caches on 3 nodes, each web server beside a cache and never beside another web server", () => {
    const fw = new Framework([interPodAffinity()], []);
    const nodes = ["n1", "n2", "n3", "n4"].map((n) => new NodeInfo(n, makeNode({ name: n })));
    const cache = (i: number) => {
      const p = labeled(`redis-cache-${i}`, { app: "store" });
      p.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "store" }, host)] } };
      return p;
    };
    const web = (i: number) => {
      const p = labeled(`web-server-${i}`, { app: "web-store" });
      p.spec.affinity = {
        podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "web-store" }, host)] },
        podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "store" }, host)] },
      };
      return p;
    };
    const place = (p: Pod): string | undefined => {
      const r = fw.schedule(p, nodes);
      if (r.code !== "Scheduled") return undefined;
      nodes.find((n) => n.name === r.nodeName)!.addPod({ ...p, spec: { ...p.spec, nodeName: r.nodeName } });
      return r.nodeName;
    };
    const caches = [0, 1, 2].map((i) => place(cache(i)));
    expect(new Set(caches).size).toBe(3);
    const webs = [0, 1, 2].map((i) => place(web(i)));
    expect(new Set(webs)).toEqual(new Set(caches));
    // A 4th web server has no node with a cache and no web server; a 4th cache takes the empty node.
    const r = fw.schedule(web(3), nodes);
    expect(r.code).toBe("Unschedulable");
    expect(r.code === "Unschedulable" && r.message).toBe(`0/4 nodes are available: 1 ${REASON_AFFINITY}, 3 ${REASON_ANTI_AFFINITY}.`);
    expect(place(cache(3))).toBe(nodes.find((n) => !caches.includes(n.name))!.name);
  });

  it("an existing pod's anti-affinity keeps matching pods out of its domain (symmetry)", () => {
    const plugin = interPodAffinity();
    const loner = labeled("loner", { app: "loner" }, "a");
    loner.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "noisy" }, host)] } };
    const nodes = [new NodeInfo("a", makeNode({ name: "a" }), [loner]), new NodeInfo("b", makeNode({ name: "b" }))];
    const ctx = newCycleContext(nodes);
    const noisy = labeled("noisy", { app: "noisy" });
    expect(plugin.filter(ctx, noisy, nodes[0])).toEqual({ code: "Unschedulable", reasons: [REASON_EXISTING_ANTI_AFFINITY] });
    expect(plugin.filter(ctx, noisy, nodes[1]).code).toBe("Success");
  });

  it("namespaces: the owner's by default; listed ones; namespaceSelector by labels ({} = all)", () => {
    const nsLabels = (n: string) => (({ prod: { env: "prod" }, dev: { env: "dev" } }) as Record<string, Record<string, string>>)[n];
    const plugin = interPodAffinity(nsLabels);
    const nodes = [new NodeInfo("a", makeNode({ name: "a" }), [labeled("db", { app: "db" }, "a", "prod")]), new NodeInfo("b", makeNode({ name: "b" }))];
    const ctx = () => newCycleContext(nodes);
    const anti = (extra: Partial<PodAffinityTerm>) => {
      const p = labeled("x", {}, undefined, "default");
      p.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "db" }, host, extra)] } };
      return p;
    };
    expect(plugin.filter(ctx(), anti({}), nodes[0]).code).toBe("Success"); // db is in prod, not default
    expect(plugin.filter(ctx(), anti({ namespaces: ["prod"] }), nodes[0])).toEqual({ code: "Unschedulable", reasons: [REASON_ANTI_AFFINITY] });
    expect(plugin.filter(ctx(), anti({ namespaceSelector: { matchLabels: { env: "prod" } } }), nodes[0]).code).toBe("Unschedulable");
    expect(plugin.filter(ctx(), anti({ namespaceSelector: { matchLabels: { env: "dev" } } }), nodes[0]).code).toBe("Success");
    expect(plugin.filter(ctx(), anti({ namespaceSelector: {} }), nodes[0]).code).toBe("Unschedulable");
  });

  it("the first pod of a group that matches its own affinity may go anywhere", () => {
    const plugin = interPodAffinity();
    const nodes = [new NodeInfo("a", makeNode({ name: "a" }))];
    const p = labeled("first", { app: "group" });
    p.spec.affinity = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term({ app: "group" }, host)] } };
    expect(plugin.filter(newCycleContext(nodes), p, nodes[0]).code).toBe("Success");
    const other = labeled("other", { app: "else" });
    other.spec.affinity = p.spec.affinity;
    expect(plugin.filter(newCycleContext(nodes), other, nodes[0]).code).toBe("UnschedulableAndUnresolvable");
  });
});

describe("InterPodAffinity score", () => {
  it("preferred affinity pulls towards the domain of matching pods, anti-affinity pushes away", () => {
    const plugin = interPodAffinity();
    const nodes = [
      new NodeInfo("a", makeNode({ name: "a", labels: { [zone]: "A" } }), [labeled("cache", { app: "cache" }, "a")]),
      new NodeInfo("b", makeNode({ name: "b", labels: { [zone]: "B" } }), [labeled("batch", { app: "batch" }, "b")]),
      new NodeInfo("c", makeNode({ name: "c", labels: { [zone]: "C" } })),
    ];
    const p = labeled("web", {});
    p.spec.affinity = {
      podAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 80, podAffinityTerm: term({ app: "cache" }, zone) }] },
      podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 20, podAffinityTerm: term({ app: "batch" }, zone) }] },
    };
    const ctx = newCycleContext(nodes);
    const scores: NodeScore[] = nodes.map((n) => ({ nodeName: n.name, score: (plugin.score(ctx, p, n) as { score: number }).score }));
    plugin.normalizeScores!(ctx, p, scores);
    expect(Object.fromEntries(scores.map((s) => [s.nodeName, s.score]))).toEqual({ a: 100, b: 0, c: 20 });
  });
});
