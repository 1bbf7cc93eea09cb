// Per-namespace resource policy (core/v1): LimitRange (defaults and bounds of container and pod
// resources) and ResourceQuota (caps on object counts and compute in a namespace).
import { field, type FieldError } from "../errors.js";
import { isValidQuantity } from "../quantity.js";
import type { KObject, ResourceList } from "../types.js";
import { gv, withMeta, type Info } from "./common.js";
import * as quotaSchema from "../schema/quota.js";
import * as policySchema from "../schema/policy.js";

export interface LimitRangeItem {
  type: "Container" | "Pod" | "PersistentVolumeClaim";
  max?: ResourceList;
  min?: ResourceList;
  default?: ResourceList;
  defaultRequest?: ResourceList;
  maxLimitRequestRatio?: ResourceList;
}

export interface LimitRange extends KObject {
  spec: { limits: LimitRangeItem[] };
}

export interface ResourceQuota extends KObject {
  spec: { hard?: ResourceList; scopes?: string[] };
  status?: { hard?: ResourceList; used?: ResourceList };
}

function quantities(list: ResourceList | undefined, path: string): FieldError[] {
  if (list === undefined) return [];
  if (!list || typeof list !== "object" || Array.isArray(list)) return [field.invalid(path, list, "must be a map of resource names to quantities")];
  return Object.entries(list)
    .filter(([, v]) => !isValidQuantity(v))
    .map(([k, v]) => field.invalid(`${path}[${k}]`, v, "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
}

function validateLimitRange(o: LimitRange): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(o.spec?.limits)) return [field.required("spec.limits")];
  o.spec.limits.forEach((l, i) => {
    const p = `spec.limits[${i}]`;
    if (!["Container", "Pod", "PersistentVolumeClaim"].includes(l?.type))
      errs.push(field.notSupported(`${p}.type`, l?.type, ["Container", "Pod", "PersistentVolumeClaim"]));
    for (const k of ["max", "min", "default", "defaultRequest", "maxLimitRequestRatio"] as const) errs.push(...quantities(l?.[k], `${p}.${k}`));
    if (l?.type === "Pod" && (l.default || l.defaultRequest)) errs.push(field.forbidden(`${p}.default`, "may not be specified when `type` is 'Pod'"));
  });
  return errs;
}

const supportedScopes = ["Terminating", "NotTerminating", "BestEffort", "NotBestEffort"];

function validateQuota(o: ResourceQuota): FieldError[] {
  const errs = quantities(o.spec?.hard, "spec.hard");
  for (const [i, s] of (o.spec?.scopes ?? []).entries()) {
    if (!supportedScopes.includes(s)) errs.push(field.notSupported(`spec.scopes[${i}]`, s, supportedScopes));
  }
  return errs;
}

const core = gv("", "v1");

export const policyResources: Info[] = [
  {
    ...core,
    resource: "limitranges",
    singular: "limitrange",
    kind: "LimitRange",
    listKind: "LimitRangeList",
    schema: quotaSchema.LimitRange,
    namespaced: true,
    shortNames: ["limits"],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(true, (o) => validateLimitRange(o as LimitRange)),
  },
  {
    ...core,
    resource: "resourcequotas",
    singular: "resourcequota",
    kind: "ResourceQuota",
    listKind: "ResourceQuotaList",
    schema: quotaSchema.ResourceQuota,
    namespaced: true,
    shortNames: ["quota"],
    hasStatus: true,
    gracefulDelete: false,
    validate: withMeta(true, (o) => validateQuota(o as ResourceQuota)),
  },
];

/** policy/v1 PodDisruptionBudget: how many of the selected pods may be down at once by eviction. */
export interface PodDisruptionBudget extends KObject {
  spec: {
    minAvailable?: number | string;
    maxUnavailable?: number | string;
    selector?: import("../selectors.js").LabelSelectorStruct;
    unhealthyPodEvictionPolicy?: string;
  };
  status?: {
    observedGeneration?: number;
    disruptionsAllowed: number;
    currentHealthy: number;
    desiredHealthy: number;
    expectedPods: number;
    conditions?: unknown[];
  };
}

function intOrPercent(v: unknown, path: string): FieldError[] {
  if (v === undefined) return [];
  if (typeof v === "number") return Number.isInteger(v) && v >= 0 ? [] : [field.invalid(path, v, "must be greater than or equal to 0")];
  if (typeof v === "string" && /^\d+%$/.test(v) && Number(v.slice(0, -1)) <= 100) return [];
  return [field.invalid(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%')")];
}

export const pdbResources: Info[] = [
  {
    ...gv("policy", "v1"),
    resource: "poddisruptionbudgets",
    singular: "poddisruptionbudget",
    kind: "PodDisruptionBudget",
    listKind: "PodDisruptionBudgetList",
    schema: policySchema.PodDisruptionBudget,
    namespaced: true,
    shortNames: ["pdb"],
    hasStatus: true,
    gracefulDelete: false,
    validate: withMeta(true, (o) => {
      const s = (o as PodDisruptionBudget).spec ?? {};
      const errs = [...intOrPercent(s.minAvailable, "spec.minAvailable"), ...intOrPercent(s.maxUnavailable, "spec.maxUnavailable")];
      if (s.minAvailable !== undefined && s.maxUnavailable !== undefined)
        errs.push(field.invalid("spec", s, "minAvailable and maxUnavailable cannot be both set"));
      if (s.unhealthyPodEvictionPolicy !== undefined && !["IfHealthyBudget", "AlwaysAllow"].includes(s.unhealthyPodEvictionPolicy))
        errs.push(field.notSupported("spec.unhealthyPodEvictionPolicy", s.unhealthyPodEvictionPolicy, ["AlwaysAllow", "IfHealthyBudget"]));
      return errs;
    }),
  },
];
