// scheduling.k8s.io/v1 PriorityClass: a name for a pod priority. Pods naming one get its value in
// spec.priority at admission; the scheduler preempts lower-priority pods for higher ones.
import type { KObject } from "../types.js";
import { field } from "../errors.js";
import { gv, withMeta, type Info } from "./common.js";
import * as schedulingSchema from "../schema/scheduling.js";

export interface PriorityClass extends KObject {
  value: number;
  globalDefault?: boolean;
  description?: string;
  preemptionPolicy?: "PreemptLowerPriority" | "Never";
}

/** User classes go up to this value; higher ones are reserved for the system's (Kubernetes' HighestUserDefinablePriority). */
export const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;

/** The classes every Kubernetes cluster has (served by admission even without an object). */
export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  "system-node-critical": 2_000_001_000,
  "system-cluster-critical": 2_000_000_000,
};

export const schedulingResources: Info[] = [
  {
    ...gv("scheduling.k8s.io", "v1"),
    resource: "priorityclasses",
    singular: "priorityclass",
    kind: "PriorityClass",
    listKind: "PriorityClassList",
    schema: schedulingSchema.PriorityClass,
    namespaced: false,
    shortNames: ["pc"],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(false, (o) => {
      const pc = o as PriorityClass;
      const errs = [];
      const system = pc.metadata.name !== undefined && pc.metadata.name in SYSTEM_PRIORITY_CLASSES;
      if (typeof pc.value !== "number" || !Number.isInteger(pc.value)) errs.push(field.required("value", "an integer"));
      else if (!system && pc.value > HIGHEST_USER_DEFINABLE_PRIORITY)
        errs.push(field.forbidden("value", `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
      else if (pc.value < -2147483648) errs.push(field.invalid("value", pc.value, "must be a 32-bit integer"));
      if (!system && pc.metadata.name?.startsWith("system-"))
        errs.push(field.forbidden("metadata.name", "priority class names with 'system-' prefix are reserved"));
      if (pc.preemptionPolicy !== undefined && !["PreemptLowerPriority", "Never"].includes(pc.preemptionPolicy))
        errs.push(field.notSupported("preemptionPolicy", pc.preemptionPolicy, ["Never", "PreemptLowerPriority"]));
      return errs;
    }),
    applyDefaults: (o) => {
      (o as PriorityClass).preemptionPolicy ??= "PreemptLowerPriority";
    },
  },
];
