// NodeSelector plugin: a pod with spec.nodeSelector only runs on nodes carrying all of
// those labels with those values.
import type { Pod } from "@skiff/api";
import { success, unresolvable, type CycleContext, type FilterPlugin, type NodeInfo, type Status } from "../../framework/types.js";

/** The plugin's name. */
export const NAME = "NodeSelector";
/** Reason of a node whose labels do not match (Kubernetes' wording, shared with node affinity). */
export const REASON_MISMATCH = "node(s) didn't match Pod's node affinity/selector";

/** Whether labels hold every key=value of the selector (an empty selector matches every node). */
export function matchesNodeSelector(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  const ls = labels ?? {};
  return Object.entries(selector ?? {}).every(([k, v]) => Object.hasOwn(ls, k) && ls[k] === v);
}

/** Rejects nodes whose labels do not match the pod's nodeSelector. */
export function filter(_ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): Status {
  return matchesNodeSelector(pod.spec.nodeSelector, nodeInfo.node.metadata.labels) ? success : unresolvable(REASON_MISMATCH);
}

/** The NodeSelector filter plugin. */
export const nodeSelector: FilterPlugin = {
  name: NAME,
  preFilter: (_ctx, pod) => (pod.spec.nodeSelector && Object.keys(pod.spec.nodeSelector).length > 0 ? undefined : "Skip"),
  filter,
};
