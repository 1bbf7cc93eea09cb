// InterPodAffinity plugin: spec.affinity.podAffinity and podAntiAffinity. Filter: the pod's
// required affinity terms need a matching pod in the node's topology domain (the first pod of a
// group that matches its own terms may go anywhere); its required anti-affinity terms forbid
// domains holding a matching pod; and existing pods' required anti-affinity terms that match the
// pod forbid their domains (symmetry). Score: preferred terms of the pod and of existing pods
// add (affinity) or subtract (anti-affinity) their weight per matching pod in the node's domain.
import type { Pod } from "@skiff/api";
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
import { compileTerm, domainOf, type CompiledTerm, type NamespaceLabels } from "./terms.js";

/** The plugin's name. */
export const NAME = "InterPodAffinity";
/** Key of the per-cycle value (built once, not per node). */
const FILTER_KEY = `${NAME}/filter`;
/** Key of the per-cycle value (built once, not per node). */
const SCORE_KEY = `${NAME}/score`;
/** Kubernetes' reasons. */
export const REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

/** Counts per topology domain, keyed "key=value". */
type DomainCounts = Map<string, number>;

interface FilterState {
  affinity: CompiledTerm[];
  anti: CompiledTerm[];
  /** Matching pods per domain, one map per required affinity term. */
  affinityCounts: DomainCounts[];
  antiCounts: DomainCounts[];
  /** Domains where an existing pod's required anti-affinity term matches the pod. */
  existingAnti: DomainCounts;
  /** Whether the pod matches all of its own affinity terms (then the first of a group may go anywhere). */
  matchesOwnAffinity: boolean;
}

const bump = (m: DomainCounts, key: string, value: string, by = 1) => m.set(`${key}=${value}`, (m.get(`${key}=${value}`) ?? 0) + by);

function filterState(ctx: CycleContext, pod: Pod, nsLabels: NamespaceLabels): FilterState {
  return cycleValue(ctx, FILTER_KEY, () => {
    const a = pod.spec.affinity;
    const affinity = (a?.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(t, pod, nsLabels));
    const anti = (a?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => compileTerm(t, pod, nsLabels));
    const s: FilterState = {
      affinity,
      anti,
      affinityCounts: affinity.map(() => new Map()),
      antiCounts: anti.map(() => new Map()),
      existingAnti: new Map(),
      matchesOwnAffinity: affinity.every((t) => t.matches(pod)),
    };
    // Why only pods with terms when the pod has none: then only existing pods' anti-affinity can
    // reject a node, and visiting every pod on every node for every pod is quadratic.
    const own = affinity.length > 0 || anti.length > 0;
    for (const ni of own ? ctx.nodes : (ctx.nodesWithAffinityPods ?? ctx.nodes)) {
      const labels = ni.node.metadata.labels;
      for (const other of own ? ni.pods : ni.podsWithAffinity) {
        if (other.metadata.uid === pod.metadata.uid) continue;
        affinity.forEach((t, i) => {
          const d = domainOf(labels, t.topologyKey);
          if (d !== undefined && t.matches(other)) bump(s.affinityCounts[i], t.topologyKey, d);
        });
        anti.forEach((t, i) => {
          const d = domainOf(labels, t.topologyKey);
          if (d !== undefined && t.matches(other)) bump(s.antiCounts[i], t.topologyKey, d);
        });
        for (const term of other.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
          const d = domainOf(labels, term.topologyKey);
          if (d !== undefined && compileTerm(term, other, nsLabels).matches(pod)) bump(s.existingAnti, term.topologyKey, d);
        }
      }
    }
    return s;
  });
}

/** Filter and score of the plugin, given how namespaces' labels are looked up. */
export function interPodAffinity(nsLabels: NamespaceLabels = () => undefined): FilterPlugin & ScorePlugin {
  const filter = (ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): Status => {
    const s = filterState(ctx, pod, nsLabels);
    const labels = nodeInfo.node.metadata.labels ?? {};
    // kube-scheduler's order: the pod's affinity, its anti-affinity, then existing pods' anti-affinity.
    if (s.affinity.length > 0) {
      const satisfied = s.affinity.every((t, i) => {
        const d = domainOf(labels, t.topologyKey);
        return d !== undefined && (s.affinityCounts[i].get(`${t.topologyKey}=${d}`) ?? 0) > 0;
      });
      // No pod anywhere matches the terms, but the pod matches them itself: the first of its group.
      const noneAnywhere = s.affinityCounts.every((m) => m.size === 0);
      const hasKeys = s.affinity.every((t) => domainOf(labels, t.topologyKey) !== undefined);
      if (!satisfied && !(noneAnywhere && s.matchesOwnAffinity && hasKeys)) return unresolvable(REASON_AFFINITY);
    }
    for (let i = 0; i < s.anti.length; i++) {
      const d = domainOf(labels, s.anti[i].topologyKey);
      if (d !== undefined && (s.antiCounts[i].get(`${s.anti[i].topologyKey}=${d}`) ?? 0) > 0) return unschedulable(REASON_ANTI_AFFINITY);
    }
    if (s.existingAnti.size > 0) {
      for (const [k, v] of Object.entries(labels)) if ((s.existingAnti.get(`${k}=${v}`) ?? 0) > 0) return unschedulable(REASON_EXISTING_ANTI_AFFINITY);
    }
    return success;
  };

  /** Per-domain score sums from preferred terms (the pod's and, symmetrically, existing pods'). */
  const scoreState = (ctx: CycleContext, pod: Pod): DomainCounts =>
    cycleValue(ctx, SCORE_KEY, () => {
      const sums: DomainCounts = new Map();
      const a = pod.spec.affinity;
      const mine = [
        ...(a?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
          term: compileTerm(w.podAffinityTerm, pod, nsLabels),
          weight: w.weight,
        })),
        ...(a?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({
          term: compileTerm(w.podAffinityTerm, pod, nsLabels),
          weight: -w.weight,
        })),
      ];
      // As in the filter: without preferred terms of its own, only pods with terms can score.
      for (const ni of mine.length > 0 ? ctx.nodes : (ctx.nodesWithAffinityPods ?? ctx.nodes)) {
        const labels = ni.node.metadata.labels;
        for (const other of mine.length > 0 ? ni.pods : ni.podsWithAffinity) {
          if (other.metadata.uid === pod.metadata.uid) continue;
          for (const { term, weight } of mine) {
            const d = domainOf(labels, term.topologyKey);
            if (d !== undefined && term.matches(other)) bump(sums, term.topologyKey, d, weight);
          }
          const oa = other.spec.affinity;
          const theirs = [
            ...(oa?.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ t: w.podAffinityTerm, weight: w.weight })),
            ...(oa?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((w) => ({ t: w.podAffinityTerm, weight: -w.weight })),
          ];
          for (const { t, weight } of theirs) {
            const d = domainOf(labels, t.topologyKey);
            if (d !== undefined && compileTerm(t, other, nsLabels).matches(pod)) bump(sums, t.topologyKey, d, weight);
          }
        }
      }
      return sums;
    });

  const score = (ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): ScoreResult => {
    const sums = scoreState(ctx, pod);
    if (sums.size === 0) return { code: "Success", score: 0 };
    let total = 0;
    for (const [k, v] of Object.entries(nodeInfo.node.metadata.labels ?? {})) total += sums.get(`${k}=${v}`) ?? 0;
    return { code: "Success", score: total };
  };

  /** Min-max scaling to 0..MAX_NODE_SCORE (all equal → 0), as kube-scheduler's. */
  const normalizeScores = (_ctx: CycleContext, _pod: Pod, scores: NodeScore[]): void => {
    const max = Math.max(...scores.map((s) => s.score));
    const min = Math.min(...scores.map((s) => s.score));
    for (const s of scores) s.score = max === min ? 0 : Math.floor((MAX_NODE_SCORE * (s.score - min)) / (max - min));
  };

  return {
    name: NAME,
    // Nothing to check when the pod has no required terms and no existing pod's anti-affinity matches it.
    preFilter: (ctx, pod) => {
      const s = filterState(ctx, pod, nsLabels);
      return s.affinity.length === 0 && s.anti.length === 0 && s.existingAnti.size === 0 ? "Skip" : undefined;
    },
    filter,
    preScore: (ctx, pod) => (scoreState(ctx, pod).size === 0 ? "Skip" : undefined),
    score,
    normalizeScores,
  };
}
