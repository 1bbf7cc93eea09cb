// NodeAffinity plugin: spec.affinity.nodeAffinity. The required terms filter nodes (one term
// must match: all its expressions and fields); the preferred terms score a node by the sum of the
// weights of the terms it matches, scaled so the best node gets MAX_NODE_SCORE.
import type { Pod } from "@skiff/api";
import {
  MAX_NODE_SCORE,
  success,
  unresolvable,
  type CycleContext,
  type FilterPlugin,
  type NodeInfo,
  type NodeScore,
  type ScorePlugin,
  type ScoreResult,
  type Status,
} from "../../framework/types.js";
import { nodeMatchesTerms } from "../volume-binding/volume-binding.js";
import { REASON_MISMATCH } from "../node-selector/node-selector.js";

/** The plugin's name. */
export const NAME = "NodeAffinity";
/** Reason of a node the required terms exclude (Kubernetes' wording, shared with nodeSelector). */
export const REASON = REASON_MISMATCH;

/** Whether the node satisfies the pod's nodeSelector-like required node affinity (true when it has none). */
export function matchesRequiredNodeAffinity(pod: Pod, nodeInfo: NodeInfo): boolean {
  const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  return !terms || nodeMatchesTerms(terms, nodeInfo.node);
}

/** Rejects nodes that match none of the required terms. */
export function filter(_ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): Status {
  return matchesRequiredNodeAffinity(pod, nodeInfo) ? success : unresolvable(REASON);
}

/** Raw score: the sum of the weights of the preferred terms the node matches. */
export function score(_ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): ScoreResult {
  let total = 0;
  for (const p of pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? []) {
    if (p.weight && nodeMatchesTerms([p.preference], nodeInfo.node)) total += p.weight;
  }
  return { code: "Success", score: total };
}

/** Scales to 0..MAX_NODE_SCORE by the best node (kube-scheduler's DefaultNormalizeScore). */
export function normalizeScores(_ctx: CycleContext, _pod: Pod, scores: NodeScore[]): void {
  const max = scores.reduce((m, s) => Math.max(m, s.score), 0);
  for (const s of scores) s.score = max === 0 ? 0 : Math.floor((MAX_NODE_SCORE * s.score) / max);
}

/** The NodeAffinity filter and score plugin. */
export const nodeAffinity: FilterPlugin & ScorePlugin = {
  name: NAME,
  preFilter: (_ctx, pod) => (pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ? undefined : "Skip"),
  filter,
  preScore: (_ctx, pod) => (pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.length ? undefined : "Skip"),
  score,
  normalizeScores,
};
