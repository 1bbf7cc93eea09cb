// Priority admission for pods (Kubernetes' Priority plugin): spec.priority and
// spec.preemptionPolicy come from the PriorityClass the pod names, or from the class marked
// globalDefault, else 0. A class that does not exist refuses the pod.
import { ForbiddenError, SYSTEM_PRIORITY_CLASSES, isNotFound, type KObject, type Pod, type PriorityClass } from "@skiff/api";
import type { MutatingPlugin } from "./chain.js";

/** What the plugin reads: the registry. */
export interface PriorityReader {
  get(resource: string, namespace: string | undefined, name: string): Promise<KObject>;
  list(resource: string): Promise<{ items: KObject[] }>;
}

/** Resolves a pod's priority on create. */
export function priorityAdmission(registry: PriorityReader): MutatingPlugin {
  return {
    name: "Priority",
    handles: (a) => a.operation === "CREATE" && a.subresource === "" && a.resource.group === "" && a.resource.resource === "pods",
    async admit(a) {
      const pod = a.object as Pod;
      if (!pod.spec) return;
      const name = pod.spec.priorityClassName;
      let pc: PriorityClass | undefined;
      if (name) {
        try {
          pc = (await registry.get("priorityclasses", undefined, name)) as PriorityClass;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          if (!(name in SYSTEM_PRIORITY_CLASSES))
            throw new ForbiddenError(`pods "${pod.metadata.name}" is forbidden: no PriorityClass with name ${name} was found`);
          pc = { metadata: { name }, value: SYSTEM_PRIORITY_CLASSES[name] } as PriorityClass;
        }
      } else {
        pc = ((await registry.list("priorityclasses")).items as PriorityClass[]).filter((c) => c.globalDefault).sort((a, b) => a.value - b.value)[0];
        if (pc) pod.spec.priorityClassName = pc.metadata.name;
      }
      const value = pc?.value ?? 0;
      if (pod.spec.priority !== undefined && pod.spec.priority !== value) {
        throw new ForbiddenError(
          `pods "${pod.metadata.name}" is forbidden: the integer value of priority (${pod.spec.priority}) must not be provided in pod spec; priority admission controller computed ${value} from the given PriorityClass name`,
        );
      }
      pod.spec.priority = value;
      pod.spec.preemptionPolicy ??= pc?.preemptionPolicy ?? "PreemptLowerPriority";
    },
  };
}
