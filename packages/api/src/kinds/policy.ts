// Per-namespace resource policy (core/v1): LimitRange (defaults and bounds of container and pod
// resources) and ResourceQuota (caps on object counts and compute in a namespace).
import { field, type FieldError } from "../errors.js";
import { isValidQuantity } from "../quantity.js";
import type { KObject, ResourceList } from "../types.js";
import { gv, withMeta, type Info } from "./common.js";


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
  return Object.entries(list).filter(([, v]) => !isValidQuantity(v)).map(([k, v]) => field.invalid(`${path}[${k}]`, v, "must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
}

function validateLimitRange(o: LimitRange): FieldError[] {
  const errs: FieldError[] = [];
  if (!Array.isArray(o.spec?.limits)) return [field.required("spec.limits")];
  o.spec.limits.forEach((l, i) => {
    const p = `spec.limits[${i}]`;
    if (!["Container", "Pod", "PersistentVolumeClaim"].includes(l?.type)) errs.push(field.notSupported(`${p}.type`, l?.type, ["Container", "Pod", "PersistentVolumeClaim"]));
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
    ...core, resource: "limitranges", singular: "limitrange", kind: "LimitRange", listKind: "LimitRangeList",
    namespaced: true, shortNames: ["limits"], hasStatus: false, gracefulDelete: false,
    validate: withMeta(true, (o) => validateLimitRange(o as LimitRange)),
  },
  {
    ...core, resource: "resourcequotas", singular: "resourcequota", kind: "ResourceQuota", listKind: "ResourceQuotaList",
    namespaced: true, shortNames: ["quota"], hasStatus: true, gracefulDelete: false,
    validate: withMeta(true, (o) => validateQuota(o as ResourceQuota)),
  },
];
