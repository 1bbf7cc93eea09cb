// PodTopologySpread plugin: spec.topologySpreadConstraints. For each constraint, the pods the
// constraint's selector matches (in the pod's namespace) are counted per topology domain over the
// eligible nodes (those with the topology label that the pod's nodeSelector/node affinity admits,
// nodeAffinityPolicy Honor; taints ignored, nodeTaintsPolicy Ignore). DoNotSchedule filters out
// nodes where placing the pod would make count - global minimum exceed maxSkew (with fewer
// domains than minDomains the global minimum is 0); ScheduleAnyway prefers the emptier domains.
import { labelSelectorFromStruct, matchesLabels, type Pod, type TopologySpreadConstraint } from "@skiff/api";
import {
  cycleValue,
  MAX_NODE_SCORE,
  success,
  unresolvable,
  unschedulable,
  type CycleContext,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type ScorePlugin,
  type ScoreResult,
  type Status,
} from "../../framework/types.js";
import { matchesNodeSelector } from "../node-selector/node-selector.js";
import { matchesRequiredNodeAffinity } from "../node-affinity/node-affinity.js";
import { domainOf } from "../inter-pod-affinity/terms.js";

/** The plugin's name. */
export const NAME = "PodTopologySpread";
/** Kubernetes' reasons. */
export const REASON_SKEW = "node(s) didn't match pod topology spread constraints";
export const REASON_MISSING_LABEL = "node(s) didn't match pod topology spread constraints (missing required label)";

interface Compiled {
  c: TopologySpreadConstraint;
  matches(p: Pod): boolean;
  /** Matching pods per domain value (every eligible domain present, 0 included). */
  counts: Map<string, number>;
  /** The smallest count over the domains (0 with fewer domains than minDomains). */
  min: number;
  /** Whether the pod itself matches the selector (it then adds one to its domain). */
  self: number;
}

function compile(ctx: CycleContext, pod: Pod, which: TopologySpreadConstraint["whenUnsatisfiable"]): Compiled[] {
  return cycleValue(ctx, `${NAME}/${which}`, () => {
    const constraints = (pod.spec.topologySpreadConstraints ?? []).filter((c) => (c.whenUnsatisfiable ?? "DoNotSchedule") === which);
    if (constraints.length === 0) return [];
    const keys = constraints.map((c) => c.topologyKey);
    const eligible = ctx.nodes.filter((ni) => {
      const labels = ni.node.metadata.labels;
      if (keys.some((k) => domainOf(labels, k) === undefined)) return false;
      const honor = (c: TopologySpreadConstraint) => (c.nodeAffinityPolicy ?? "Honor") === "Honor";
      return !constraints.some(honor) || (matchesNodeSelector(pod.spec.nodeSelector, labels) && matchesRequiredNodeAffinity(pod, ni));
    });
    const ns = pod.metadata.namespace ?? "default";
    return constraints.map((c) => {
      // A nil selector counts no pods; matchLabelKeys narrow it to the pod's own values.
      const own = pod.metadata.labels ?? {};
      const sel = c.labelSelector
        ? labelSelectorFromStruct({
            ...c.labelSelector,
            matchExpressions: [
              ...(c.labelSelector.matchExpressions ?? []),
              ...(c.matchLabelKeys ?? []).filter((k) => k in own).map((k) => ({ key: k, operator: "In" as const, values: [own[k]] })),
            ],
          })
        : undefined;
      const matches = (p: Pod) => !!sel && (p.metadata.namespace ?? "default") === ns && !p.metadata.deletionTimestamp && matchesLabels(sel, p.metadata.labels);
      const counts = new Map<string, number>();
      for (const ni of eligible) {
        const d = domainOf(ni.node.metadata.labels, c.topologyKey)!;
        let n = counts.get(d) ?? 0;
        for (const p of ni.pods) if (p.metadata.uid !== pod.metadata.uid && matches(p)) n++;
        counts.set(d, n);
      }
      let min = counts.size ? Math.min(...counts.values()) : 0;
      if (c.minDomains && counts.size < c.minDomains) min = 0;
      return { c, matches, counts, min, self: matches(pod) ? 1 : 0 };
    });
  });
}

/** Rejects nodes where the pod would break a DoNotSchedule constraint's maxSkew. */
export function filter(ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): Status {
  for (const k of compile(ctx, pod, "DoNotSchedule")) {
    const d = domainOf(nodeInfo.node.metadata.labels, k.c.topologyKey);
    if (d === undefined) return unresolvable(REASON_MISSING_LABEL);
    const skew = (k.counts.get(d) ?? 0) + k.self - k.min;
    if (skew > k.c.maxSkew) return unschedulable(REASON_SKEW);
  }
  return success;
}

/** Raw score for ScheduleAnyway constraints: matching pods in the node's domains (fewer is better). */
export function score(ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): ScoreResult {
  let total = 0;
  for (const k of compile(ctx, pod, "ScheduleAnyway")) {
    const d = domainOf(nodeInfo.node.metadata.labels, k.c.topologyKey);
    // A node without the label ranks last, as in Kubernetes.
    total += d === undefined ? Number.MAX_SAFE_INTEGER / 4 : (k.counts.get(d) ?? 0);
  }
  return { code: "Success", score: total };
}

/** Fewest matching pods → MAX_NODE_SCORE, most → 0 (all equal → MAX_NODE_SCORE). */
export function normalizeScores(_ctx: CycleContext, _pod: Pod, scores: NodeScore[]): void {
  const max = Math.max(...scores.map((s) => s.score));
  const min = Math.min(...scores.map((s) => s.score));
  for (const s of scores) s.score = max === min ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max - s.score)) / (max - min));
}

/** The PodTopologySpread filter and score plugin. */
export const topologySpread: FilterPlugin & ScorePlugin = {
  name: NAME,
  preFilter: (ctx, pod) => (compile(ctx, pod, "DoNotSchedule").length > 0 ? undefined : "Skip"),
  filter,
  preScore: (ctx, pod) => (compile(ctx, pod, "ScheduleAnyway").length > 0 ? undefined : "Skip"),
  score,
  normalizeScores,
};
