// Preemption (kube-scheduler's DefaultPreemption, reduced): when a pod fits nowhere, find the node
// where evicting the fewest, lowest-priority pods lets it fit. Only pods of lower priority than
// the preemptor are victims; after removing all of them from a copy of the node, victims are given
// back from the highest priority down while the pod still fits. Among the nodes that work, the one
// whose most important victim has the lowest priority wins, then the lowest sum, then the fewest.
// PodDisruptionBudgets are not consulted.
import { objectKey, type Pod } from "@skiff/api";
import type { Framework } from "../framework/framework.js";
import { NodeInfo } from "../framework/node-info.js";
import { newCycleContext } from "../framework/types.js";
import type { Diagnosis } from "../framework/diagnosis.js";

/** A pod's priority (spec.priority, resolved from its PriorityClass at admission; 0 when none). */
export function priorityOf(pod: Pod): number {
  return typeof pod.spec.priority === "number" ? pod.spec.priority : 0;
}

/** Where to preempt and whom. */
export interface Candidate {
  nodeName: string;
  victims: Pod[];
}

/**
 * Whether the pod may preempt now: its policy allows it, and it is not already waiting for
 * victims on its nominated node to go away (which would make it evict more pods for nothing).
 */
export function eligibleToPreempt(pod: Pod, nodes: readonly NodeInfo[]): boolean {
  if (pod.spec.preemptionPolicy === "Never") return false;
  const nominated = (pod.status as { nominatedNodeName?: string } | undefined)?.nominatedNodeName;
  if (!nominated) return true;
  const ni = nodes.find((n) => n.name === nominated);
  return !ni?.pods.some((p) => p.metadata.deletionTimestamp && priorityOf(p) < priorityOf(pod));
}

function fits(framework: Framework, pod: Pod, nodes: readonly NodeInfo[], copy: NodeInfo): boolean {
  const all = nodes.map((n) => (n.name === copy.name ? copy : n));
  const ctx = newCycleContext(all);
  const r = framework.runFilters(ctx, pod, [copy]);
  return !r.error && r.feasible.length === 1;
}

/** The best preemption for a pod that fit nowhere, or undefined when evicting cannot help. */
export function findCandidate(framework: Framework, pod: Pod, nodes: readonly NodeInfo[], diagnosis: Diagnosis): Candidate | undefined {
  const prio = priorityOf(pod);
  let best: { c: Candidate; key: [number, number, number] } | undefined;
  for (const ni of nodes) {
    // Nodes rejected for reasons no eviction changes (labels, taints, affinity to absent pods) are skipped.
    if (diagnosis.nodeStatuses.get(ni.name)?.code !== "Unschedulable") continue;
    const lower = ni.pods.filter((p) => priorityOf(p) < prio && !p.metadata.deletionTimestamp);
    if (lower.length === 0) continue;
    const copy = new NodeInfo(
      ni.name,
      ni.node,
      ni.pods.filter((p) => !lower.includes(p)),
    );
    if (!fits(framework, pod, nodes, copy)) continue;
    const victims: Pod[] = [];
    for (const p of [...lower].sort((a, b) => priorityOf(b) - priorityOf(a))) {
      copy.addPod(p);
      if (!fits(framework, pod, nodes, copy)) {
        copy.removePod(objectKey(p));
        victims.push(p);
      }
    }
    const key: [number, number, number] = [Math.max(...victims.map(priorityOf)), victims.reduce((s, p) => s + priorityOf(p), 0), victims.length];
    if (!best || key[0] < best.key[0] || (key[0] === best.key[0] && (key[1] < best.key[1] || (key[1] === best.key[1] && key[2] < best.key[2])))) {
      best = { c: { nodeName: ni.name, victims }, key };
    }
  }
  return best?.c;
}
