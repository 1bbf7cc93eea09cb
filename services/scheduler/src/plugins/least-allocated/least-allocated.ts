// LeastAllocated plugin (kube-scheduler's NodeResourcesFit "LeastAllocated" strategy): prefers
// the node that has the largest share of its cpu and memory free once the pod is placed.
import type { Pod } from "@skiff/api";
import { cycleValue, MAX_NODE_SCORE, type CycleContext, type NodeInfo, type ScorePlugin, type ScoreResult } from "../../framework/types.js";
import { podNonZeroRequests, type Resources } from "../../framework/node-info.js";

/** The plugin's name. */
export const NAME = "LeastAllocated";
/** Key of the per-cycle value (built once, not per node). */
const REQUESTS_KEY = `${NAME}/requests`;

/** (capacity − requested) / capacity scaled to 0..MAX_NODE_SCORE, 0 when full or nothing is offered. */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity <= 0 || requested > capacity) return 0;
  return Math.floor(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** The mean over cpu and memory of the free share after placing a pod requesting podReq. */
export function leastAllocatedScore(podReq: Resources, nodeInfo: NodeInfo): number {
  const cpu = leastRequestedScore(nodeInfo.nonZeroRequested.milliCpu + podReq.milliCpu, nodeInfo.allocatable.milliCpu);
  const mem = leastRequestedScore(nodeInfo.nonZeroRequested.memory + podReq.memory, nodeInfo.allocatable.memory);
  return Math.floor((cpu + mem) / 2);
}

/** Scores a node by how empty it stays with the pod on it (requests without values count as 100m/200Mi). */
export function score(ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): ScoreResult {
  const req = cycleValue(ctx, REQUESTS_KEY, () => podNonZeroRequests(pod));
  return { code: "Success", score: leastAllocatedScore(req, nodeInfo) };
}

/** The LeastAllocated score plugin. */
export const leastAllocated: ScorePlugin = { name: NAME, score };
