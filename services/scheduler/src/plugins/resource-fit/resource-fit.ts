// ResourceFit plugin (kube-scheduler's NodeResourcesFit filter): the pod's cpu and memory
// requests must fit in what the node's pods leave of its allocatable, and the node must
// have room for one more pod.
import { podRequests, type Pod } from "@skiff/api";
import { cycleValue, success, unschedulable, type CycleContext, type FilterPlugin, type NodeInfo, type Status } from "../../framework/types.js";
import type { Resources } from "../../framework/node-info.js";

/** The plugin's name. */
export const NAME = "ResourceFit";
/** Key of the per-cycle value (built once, not per node). */
const REQUESTS_KEY = `${NAME}/requests`;
/** Reason of a node without enough free cpu. */
export const REASON_INSUFFICIENT_CPU = "Insufficient cpu";
/** Reason of a node without enough free memory. */
export const REASON_INSUFFICIENT_MEMORY = "Insufficient memory";
/** Reason of a node already running its allocatable number of pods. */
export const REASON_TOO_MANY_PODS = "Too many pods";

/** The pod's requests, computed once per scheduling cycle. */
export function cyclePodRequests(ctx: CycleContext, pod: Pod): Resources {
  return cycleValue(ctx, REQUESTS_KEY, () => podRequests(pod));
}

/** The reasons the pod does not fit the node's free resources (empty when it fits). */
export function insufficientResources(req: Resources, nodeInfo: NodeInfo): string[] {
  const reasons: string[] = [];
  const alloc = nodeInfo.allocatable;
  if (nodeInfo.podCount + 1 > alloc.pods) reasons.push(REASON_TOO_MANY_PODS);
  // Why only when requested: a pod asking for nothing fits even on an overcommitted node,
  // as in Kubernetes (BestEffort pods are limited by the pod count alone).
  if (req.milliCpu > 0 && req.milliCpu > alloc.milliCpu - nodeInfo.requested.milliCpu) reasons.push(REASON_INSUFFICIENT_CPU);
  if (req.memory > 0 && req.memory > alloc.memory - nodeInfo.requested.memory) reasons.push(REASON_INSUFFICIENT_MEMORY);
  return reasons;
}

/** Rejects nodes without room for the pod's requests or for one more pod. */
export function filter(ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): Status {
  const req = cyclePodRequests(ctx, pod);
  const alloc = nodeInfo.allocatable;
  // The common answer without building a list of reasons (this runs for hundreds of nodes per pod).
  if (
    nodeInfo.podCount < alloc.pods &&
    (req.milliCpu <= 0 || req.milliCpu <= alloc.milliCpu - nodeInfo.requested.milliCpu) &&
    (req.memory <= 0 || req.memory <= alloc.memory - nodeInfo.requested.memory)
  )
    return success;
  return unschedulable(...insufficientResources(req, nodeInfo));
}

/** The ResourceFit filter plugin. */
export const resourceFit: FilterPlugin = { name: NAME, filter };
