// TaintToleration plugin: a node's NoSchedule and NoExecute taints keep away every pod that
// does not tolerate them (PreferNoSchedule is only a preference and is not filtered on).
import type { Pod, Taint, Toleration } from "@skiff/api";
import { success, unresolvable, type CycleContext, type FilterPlugin, type NodeInfo, type Status } from "../../framework/types.js";

/** The plugin's name. */
export const NAME = "TaintToleration";
/** Reason of a node with a taint the pod does not tolerate (Kubernetes' wording). */
export function reasonUntoleratedTaint(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ""}}`;
}

/**
 * Whether one toleration tolerates one taint, by Kubernetes' rules: an empty effect matches
 * every effect; an empty key (with Exists) matches every key; Exists ignores the value; Equal
 * (the default operator) needs the same value.
 */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  switch (t.operator ?? "Equal") {
    case "Exists":
      return true;
    case "Equal":
      return (t.value ?? "") === (taint.value ?? "");
    default:
      return false;
  }
}

/** The first NoSchedule/NoExecute taint none of the tolerations tolerates, if any. */
export function findUntoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[] | undefined): Taint | undefined {
  return (taints ?? []).find(
    (taint) => (taint.effect === "NoSchedule" || taint.effect === "NoExecute") && !(tolerations ?? []).some((t) => toleratesTaint(t, taint)),
  );
}

/** Rejects nodes with a NoSchedule/NoExecute taint the pod does not tolerate. */
export function filter(_ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): Status {
  const taint = findUntoleratedTaint(nodeInfo.node.spec?.taints, pod.spec.tolerations);
  return taint ? unresolvable(reasonUntoleratedTaint(taint)) : success;
}

/** The TaintToleration filter plugin. */
export const taintToleration: FilterPlugin = { name: NAME, filter };
