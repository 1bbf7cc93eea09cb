// NodeReady plugin: only nodes whose Ready condition is "True" and that are not cordoned
// (spec.unschedulable) take new pods.
import { getCondition, type Pod } from "@skiff/api";
import { success, unresolvable, type CycleContext, type FilterPlugin, type NodeInfo, type Status } from "../../framework/types.js";

/** The plugin's name. */
export const NAME = "NodeReady";
/** Reason of a node whose Ready condition is not "True". */
export const REASON_NOT_READY = "node(s) were not ready";
/** Reason of a cordoned node (spec.unschedulable). */
export const REASON_UNSCHEDULABLE = "node(s) were unschedulable";

/** Each Node object's answer: a node changes far less often than pods are scheduled (objects are replaced, never changed, on update). */
const answers = new WeakMap<object, Status>();

/** Rejects nodes that are not Ready or are marked unschedulable. */
export function filter(_ctx: CycleContext, _pod: Pod, nodeInfo: NodeInfo): Status {
  const node = nodeInfo.node;
  let status = answers.get(node);
  if (status === undefined) answers.set(node, (status = readiness(node)));
  return status;
}

function readiness(node: NodeInfo["node"]): Status {
  if (node.spec?.unschedulable) return unresolvable(REASON_UNSCHEDULABLE);
  // A node without a Ready condition has never reported in: not ready, like Kubernetes.
  if (getCondition(node.status?.conditions, "Ready")?.status !== "True") return unresolvable(REASON_NOT_READY);
  return success;
}

/** The NodeReady filter plugin. */
export const nodeReady: FilterPlugin = { name: NAME, filter };
