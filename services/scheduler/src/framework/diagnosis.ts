// Why a pod fits nowhere: each node's filter status, summarised into kube-scheduler's
// FailedScheduling message ("0/3 nodes are available: 1 Insufficient cpu, 2 node(s) …").
import type { UnschedulableStatus } from "./types.js";

/** Per-node reasons of one failed scheduling attempt. */
export interface Diagnosis {
  /** Number of nodes considered. */
  numNodes: number;
  /** The failing status of each rejected node, by node name. */
  nodeStatuses: Map<string, UnschedulableStatus>;
}

/** kube-scheduler's message when the cluster has no nodes at all. */
export const NO_NODES_MESSAGE = "no nodes available to schedule pods";

/**
 * The FailedScheduling message: how many nodes failed for each reason, "<count> <reason>"
 * sorted as strings (exactly as kube-scheduler's FitError does).
 */
export function failedSchedulingMessage(d: Diagnosis): string {
  if (d.numNodes === 0) return NO_NODES_MESSAGE;
  const histogram = new Map<string, number>();
  for (const status of d.nodeStatuses.values()) {
    for (const r of status.reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  }
  const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
  return `0/${d.numNodes} nodes are available${parts.length ? `: ${parts.join(", ")}` : ""}.`;
}
