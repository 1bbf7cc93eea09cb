// Spread plugin (kube-scheduler's old SelectorSpread, by controller): prefers nodes running
// fewer pods of the pod's own controller (the ownerReference with controller=true), so the
// replicas of a ReplicaSet land on different nodes.
import type { OwnerReference, Pod } from "@skiff/api";
import { cycleValue, MAX_NODE_SCORE, type CycleContext, type NodeInfo, type NodeScore, type ScorePlugin, type ScoreResult } from "../../framework/types.js";

/** The plugin's name. */
export const NAME = "Spread";
/** Key of the per-cycle value (built once, not per node). */
const OWNER_KEY = `${NAME}/owner`;

/** The controlling owner of a pod (ownerReference with controller: true), if any. */
export function controllerOf(pod: Pod): OwnerReference | undefined {
  return pod.metadata.ownerReferences?.find((r) => r.controller === true);
}

/** How many pods on the node share the given controller (same namespace, same owner uid). */
export function countSiblings(namespace: string | undefined, ownerUid: string, nodeInfo: NodeInfo): number {
  let n = 0;
  for (const p of nodeInfo.pods) {
    if (p.metadata.namespace === namespace && controllerOf(p)?.uid === ownerUid) n++;
  }
  return n;
}

/** Raw score: the number of sibling pods on the node (normalizeScores turns it around). */
export function score(ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): ScoreResult {
  const owner = cycleValue(ctx, OWNER_KEY, () => controllerOf(pod));
  // A pod without a controller has no siblings to spread from: every node scores the same.
  if (!owner) return { code: "Success", score: 0 };
  return { code: "Success", score: countSiblings(pod.metadata.namespace, owner.uid, nodeInfo) };
}

/**
 * Rescales sibling counts to 0..MAX_NODE_SCORE: nodes without siblings score MAX_NODE_SCORE,
 * the node(s) with the most score 0, linearly between (no siblings anywhere → all MAX_NODE_SCORE).
 */
export function normalizeScores(_ctx: CycleContext, _pod: Pod, scores: NodeScore[]): void {
  const max = scores.reduce((m, s) => Math.max(m, s.score), 0);
  for (const s of scores) s.score = max === 0 ? MAX_NODE_SCORE : Math.floor((MAX_NODE_SCORE * (max - s.score)) / max);
}

/** The Spread score plugin. */
export const spread: ScorePlugin = {
  name: NAME,
  preScore: (ctx, pod) => (cycleValue(ctx, OWNER_KEY, () => controllerOf(pod)) ? undefined : "Skip"),
  score,
  normalizeScores,
};
