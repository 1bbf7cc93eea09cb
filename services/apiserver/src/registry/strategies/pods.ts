// Pods: graceful deletion finished by the node agent, the binding write, selectable fields.
import { ConflictError, InvalidError, field, setCondition, type KObject, type Pod } from "@skiff/api";
import type { StrategyOverrides } from "../strategy.js";

export const podStrategy: StrategyOverrides = {
  selectableFields: ["spec.nodeName", "status.phase", "spec.schedulerName", "spec.restartPolicy", "status.podIP"],
  deleteGracePeriod(o, requested) {
    const pod = o as Pod;
    // A pod that never ran, or has finished, has nothing to stop.
    const phase = pod.status?.phase;
    if (!pod.spec?.nodeName || phase === "Succeeded" || phase === "Failed") return 0;
    return requested ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  },
  // A bound pod is finished by its node agent, which stops its containers first.
  awaitsOwner: (o) => !!(o as Pod).spec?.nodeName && (o.metadata.deletionGracePeriodSeconds ?? 0) > 0,
};

/**
 * The binding subresource as an update function: sets spec.nodeName once and the PodScheduled
 * condition. `uid` (optional) guards against binding a pod that was replaced under the same name.
 */
export function bindTo(nodeName: string, uid?: string): (cur: KObject) => KObject {
  return (cur) => {
    const pod = cur as Pod;
    const name = pod.metadata.name ?? "";
    if (!nodeName) throw new InvalidError("Binding", name, [field.required("target.name")]);
    if (uid && pod.metadata.uid !== uid) throw new ConflictError("pods", name, "the pod was replaced (uid changed)");
    if (pod.spec.nodeName) throw new ConflictError("pods", name, `pod ${name} is already assigned to node "${pod.spec.nodeName}"`);
    if (pod.metadata.deletionTimestamp) throw new ConflictError("pods", name, "pod is being deleted");
    pod.spec.nodeName = nodeName;
    pod.status ??= {};
    pod.status.conditions ??= [];
    setCondition(pod.status.conditions, { type: "PodScheduled", status: "True", lastProbeTime: null });
    return pod;
  };
}
