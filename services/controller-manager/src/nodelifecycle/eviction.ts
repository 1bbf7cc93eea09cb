// Taint-based eviction (kube's NoExecuteTaintManager): pods on a node with NoExecute taints
// are deleted once their toleration of those taints runs out.
import type { Pod, Taint, Toleration } from "@skiff/api";

/** The taints the node lifecycle controller puts on failed nodes. */
const lifecycleTaints = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

/** Whether a toleration tolerates a taint (key/operator/value/effect). */
export function tolerates(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (!t.key) return t.operator === "Exists";
  if (t.key !== taint.key) return false;
  return t.operator === "Exists" || (t.value ?? "") === (taint.value ?? "");
}

/**
 * When a pod must leave a node with these taints: ms from `now` (0 = now), or undefined when
 * it tolerates them forever. A pod with no toleration for a NoExecute taint goes at once, as in
 * Kubernetes — except for the node-lifecycle taints (not-ready, unreachable), where a pod that
 * somehow lacks the default tolerations gets `untoleratedMs` (Skiff's --pod-eviction-timeout-ms);
 * with tolerations, the shortest tolerationSeconds counted from the taint's timeAdded applies.
 */
export function evictionDelayMs(pod: Pod, taints: Taint[], now: number, untoleratedMs: number): number | undefined {
  let deadline: number | undefined;
  for (const taint of taints) {
    if (taint.effect !== "NoExecute") continue;
    const added = Date.parse(taint.timeAdded ?? "") || now;
    const matching = (pod.spec.tolerations ?? []).filter((t) => tolerates(t, taint));
    let until: number | undefined;
    if (matching.length === 0) until = lifecycleTaints.includes(taint.key) ? added + untoleratedMs : now;
    else if (matching.some((t) => t.tolerationSeconds === undefined || t.tolerationSeconds === null)) until = undefined;
    else until = added + Math.min(...matching.map((t) => Math.max(0, t.tolerationSeconds!))) * 1000;
    if (until !== undefined) deadline = deadline === undefined ? until : Math.min(deadline, until);
  }
  return deadline === undefined ? undefined : Math.max(0, deadline - now);
}
