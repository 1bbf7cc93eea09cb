// autoscaling HorizontalPodAutoscaler: stored as autoscaling/v2 (validation, defaults as
// Kubernetes' v2 defaulting), also served as autoscaling/v1 through a conversion of its own.
import { field, type FieldError } from "../errors.js";
import { isValidQuantity } from "../quantity.js";
import type { KObject } from "../types.js";
import type { ResourceInfo } from "../resources.js";
import { pathSegmentNameErrors } from "../validation/names.js";
import { gv, withMeta, type Info } from "./common.js";
import * as schema from "../schema/autoscaling.js";

/** The object an HPA scales (a kind with a scale subresource). */
export interface CrossVersionObjectReference {
  kind: string;
  name: string;
  apiVersion?: string;
}

/** What a metric aims for. */
export interface MetricTarget {
  type: "Utilization" | "Value" | "AverageValue";
  value?: string | number;
  averageValue?: string | number;
  averageUtilization?: number;
}
export interface MetricIdentifier {
  name: string;
  selector?: unknown;
}
export interface MetricSpec {
  type: "Resource" | "ContainerResource" | "Pods" | "Object" | "External";
  resource?: { name: string; target: MetricTarget };
  containerResource?: { name: string; container: string; target: MetricTarget };
  pods?: { metric: MetricIdentifier; target: MetricTarget };
  object?: { describedObject: CrossVersionObjectReference; metric: MetricIdentifier; target: MetricTarget };
  external?: { metric: MetricIdentifier; target: MetricTarget };
}
export interface MetricValueStatus {
  value?: string;
  averageValue?: string;
  averageUtilization?: number;
}
export interface MetricStatus {
  type: MetricSpec["type"];
  resource?: { name: string; current: MetricValueStatus };
  containerResource?: { name: string; container: string; current: MetricValueStatus };
  pods?: { metric: MetricIdentifier; current: MetricValueStatus };
  object?: { metric: MetricIdentifier; current: MetricValueStatus; describedObject: CrossVersionObjectReference };
  external?: { metric: MetricIdentifier; current: MetricValueStatus };
}
export interface HPAScalingPolicy {
  type: "Pods" | "Percent";
  value: number;
  periodSeconds: number;
}
export interface HPAScalingRules {
  stabilizationWindowSeconds?: number;
  selectPolicy?: "Max" | "Min" | "Disabled";
  policies?: HPAScalingPolicy[];
}
export interface HPACondition {
  type: "AbleToScale" | "ScalingActive" | "ScalingLimited";
  status: "True" | "False" | "Unknown";
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

/** autoscaling/v2 HorizontalPodAutoscaler, the stored form. */
export interface HorizontalPodAutoscaler extends KObject {
  spec: {
    scaleTargetRef: CrossVersionObjectReference;
    minReplicas?: number;
    maxReplicas: number;
    metrics?: MetricSpec[];
    behavior?: { scaleUp?: HPAScalingRules; scaleDown?: HPAScalingRules };
  };
  status?: {
    observedGeneration?: number;
    lastScaleTime?: string;
    currentReplicas?: number;
    desiredReplicas: number;
    currentMetrics?: MetricStatus[];
    conditions?: HPACondition[];
  };
}

/** Kubernetes' default target when an HPA names no metric: 80% average CPU utilisation. */
export const DEFAULT_CPU_UTILIZATION = 80;

/** The default scale-up rules (Kubernetes' GenerateHPAScaleUpRules): no stabilisation, the faster of 4 pods or 100% per 15 s. */
export function defaultScaleUp(r: HPAScalingRules = {}): HPAScalingRules {
  return {
    stabilizationWindowSeconds: r.stabilizationWindowSeconds ?? 0,
    selectPolicy: r.selectPolicy ?? "Max",
    policies: r.policies?.length
      ? r.policies
      : [
          { type: "Pods", value: 4, periodSeconds: 15 },
          { type: "Percent", value: 100, periodSeconds: 15 },
        ],
  };
}

/** The default scale-down rules: 100% per 15 s; the window stays unset (the controller's flag decides, 300 s by default). */
export function defaultScaleDown(r: HPAScalingRules = {}): HPAScalingRules {
  return {
    ...(r.stabilizationWindowSeconds !== undefined ? { stabilizationWindowSeconds: r.stabilizationWindowSeconds } : {}),
    selectPolicy: r.selectPolicy ?? "Max",
    policies: r.policies?.length ? r.policies : [{ type: "Percent", value: 100, periodSeconds: 15 }],
  };
}

/** Kubernetes' v2 defaulting: minReplicas 1, CPU at 80% when no metric, behavior filled in when given. */
export function defaultHpa(h: HorizontalPodAutoscaler): void {
  if (!h.spec || typeof h.spec !== "object") return;
  h.spec.minReplicas ??= 1;
  if (!h.spec.metrics?.length)
    h.spec.metrics = [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  if (h.spec.behavior) {
    h.spec.behavior.scaleUp = defaultScaleUp(h.spec.behavior.scaleUp);
    h.spec.behavior.scaleDown = defaultScaleDown(h.spec.behavior.scaleDown);
  }
}

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const sourceFields = { Resource: "resource", ContainerResource: "containerResource", Pods: "pods", Object: "object", External: "external" } as const;

function validateTarget(t: MetricTarget | undefined, path: string, resource: boolean): FieldError[] {
  if (!t || typeof t !== "object") return [field.required(path)];
  const errs: FieldError[] = [];
  const types = resource ? ["Utilization", "Value", "AverageValue"] : ["Value", "AverageValue"];
  if (!t.type) errs.push(field.required(`${path}.type`, "must specify a metric target type"));
  else if (!types.includes(t.type)) errs.push(field.notSupported(`${path}.type`, t.type, types));
  for (const k of ["value", "averageValue"] as const) {
    if (t[k] === undefined) continue;
    if (!isValidQuantity(t[k])) errs.push(field.invalid(`${path}.${k}`, t[k], "must be a quantity"));
    else if (Number.parseFloat(String(t[k])) <= 0) errs.push(field.invalid(`${path}.${k}`, t[k], "must be positive"));
  }
  if (t.averageUtilization !== undefined && (!isInt(t.averageUtilization) || t.averageUtilization <= 0))
    errs.push(field.invalid(`${path}.averageUtilization`, t.averageUtilization, "must be greater than 0"));
  if (t.type === "Utilization" && t.averageUtilization === undefined)
    errs.push(field.required(`${path}.averageUtilization`, "must set averageUtilization when type is Utilization"));
  if (t.type === "Value" && t.value === undefined) errs.push(field.required(`${path}.value`, "must set value when type is Value"));
  if (t.type === "AverageValue" && t.averageValue === undefined)
    errs.push(field.required(`${path}.averageValue`, "must set averageValue when type is AverageValue"));
  return errs;
}

function validateMetric(m: MetricSpec, path: string): FieldError[] {
  if (!m || typeof m !== "object") return [field.invalid(path, m, "must be an object")];
  const types = Object.keys(sourceFields);
  if (!m.type) return [field.required(`${path}.type`, "must specify a metric source type")];
  if (!types.includes(m.type)) return [field.notSupported(`${path}.type`, m.type, types)];
  const errs: FieldError[] = [];
  const own = sourceFields[m.type];
  for (const other of Object.values(sourceFields)) {
    if (other !== own && (m as unknown as Record<string, unknown>)[other] !== undefined)
      errs.push(field.forbidden(`${path}.${other}`, "must populate the given metric source only"));
  }
  const src = (m as unknown as Record<string, Record<string, unknown> | undefined>)[own];
  if (!src) return [...errs, field.required(`${path}.${own}`, "must populate information for the given metric source")];
  const p = `${path}.${own}`;
  if (own === "resource" || own === "containerResource") {
    if (!src.name) errs.push(field.required(`${p}.name`, "must specify a resource name"));
    if (own === "containerResource" && !src.container) errs.push(field.required(`${p}.container`, "must specify a container"));
    errs.push(...validateTarget(src.target as MetricTarget, `${p}.target`, true));
  } else {
    const metric = src.metric as MetricIdentifier | undefined;
    if (!metric?.name) errs.push(field.required(`${p}.metric.name`, "must specify a metric name"));
    if (own === "object") {
      const d = src.describedObject as CrossVersionObjectReference | undefined;
      if (!d?.kind) errs.push(field.required(`${p}.describedObject.kind`));
      if (!d?.name) errs.push(field.required(`${p}.describedObject.name`));
    }
    errs.push(...validateTarget(src.target as MetricTarget, `${p}.target`, false));
  }
  return errs;
}

function validateRules(r: HPAScalingRules | undefined, path: string): FieldError[] {
  if (r === undefined) return [];
  const errs: FieldError[] = [];
  const w = r.stabilizationWindowSeconds;
  if (w !== undefined && (!isInt(w) || w < 0)) errs.push(field.invalid(`${path}.stabilizationWindowSeconds`, w, "must be greater than or equal to zero"));
  else if (w !== undefined && w > 3600) errs.push(field.invalid(`${path}.stabilizationWindowSeconds`, w, "must be less than or equal to 3600"));
  if (r.selectPolicy !== undefined && !["Max", "Min", "Disabled"].includes(r.selectPolicy))
    errs.push(field.notSupported(`${path}.selectPolicy`, r.selectPolicy, ["Disabled", "Max", "Min"]));
  if (r.policies !== undefined && (!Array.isArray(r.policies) || r.policies.length === 0))
    errs.push(field.required(`${path}.policies`, "must specify at least one Policy"));
  (Array.isArray(r.policies) ? r.policies : []).forEach((pol, i) => {
    const p = `${path}.policies[${i}]`;
    if (!["Pods", "Percent"].includes(pol?.type)) errs.push(field.notSupported(`${p}.type`, pol?.type, ["Percent", "Pods"]));
    if (!isInt(pol?.value) || pol.value <= 0) errs.push(field.invalid(`${p}.value`, pol?.value, "must be greater than zero"));
    if (!isInt(pol?.periodSeconds) || pol.periodSeconds <= 0) errs.push(field.invalid(`${p}.periodSeconds`, pol?.periodSeconds, "must be greater than zero"));
    else if (pol.periodSeconds > 1800) errs.push(field.invalid(`${p}.periodSeconds`, pol.periodSeconds, "must be less than or equal to 1800"));
  });
  return errs;
}

/** Kubernetes' validation of an HPA spec (pkg/apis/autoscaling/validation). */
export function validateHpa(h: HorizontalPodAutoscaler): FieldError[] {
  const s = h.spec;
  if (!s || typeof s !== "object") return [field.required("spec")];
  const errs: FieldError[] = [];
  const ref = s.scaleTargetRef;
  if (!ref?.kind) errs.push(field.required("spec.scaleTargetRef.kind"));
  if (!ref?.name) errs.push(field.required("spec.scaleTargetRef.name"));
  else for (const m of pathSegmentNameErrors(ref.name)) errs.push(field.invalid("spec.scaleTargetRef.name", ref.name, m));
  if (s.minReplicas !== undefined && (!isInt(s.minReplicas) || s.minReplicas < 1))
    errs.push(field.invalid("spec.minReplicas", s.minReplicas, "must be greater than or equal to 1"));
  if (!isInt(s.maxReplicas) || s.maxReplicas < 1) errs.push(field.invalid("spec.maxReplicas", s.maxReplicas, "must be greater than 0"));
  else if (isInt(s.minReplicas) && s.maxReplicas < s.minReplicas)
    errs.push(field.invalid("spec.maxReplicas", s.maxReplicas, "must be greater than or equal to `minReplicas`"));
  if (s.metrics !== undefined && !Array.isArray(s.metrics)) errs.push(field.invalid("spec.metrics", s.metrics, "must be a list"));
  else for (const [i, m] of (s.metrics ?? []).entries()) errs.push(...validateMetric(m, `spec.metrics[${i}]`));
  errs.push(...validateRules(s.behavior?.scaleUp, "spec.behavior.scaleUp"), ...validateRules(s.behavior?.scaleDown, "spec.behavior.scaleDown"));
  return errs;
}

/** An autoscaling/v1 HorizontalPodAutoscaler: CPU utilisation only. */
export interface HorizontalPodAutoscalerV1 extends KObject {
  spec: { scaleTargetRef: CrossVersionObjectReference; minReplicas?: number; maxReplicas: number; targetCPUUtilizationPercentage?: number };
  status?: { observedGeneration?: number; lastScaleTime?: string; currentReplicas?: number; desiredReplicas: number; currentCPUUtilizationPercentage?: number };
}

const isCpuUtilization = (m: MetricSpec) => m.type === "Resource" && m.resource?.name === "cpu" && m.resource.target?.type === "Utilization";

/** v2 → v1: the CPU utilisation target and current value; everything else stays in the stored object. */
export function hpaToV1(h: HorizontalPodAutoscaler): HorizontalPodAutoscalerV1 {
  const cpu = h.spec?.metrics?.find(isCpuUtilization);
  const cur = h.status?.currentMetrics?.find((m) => m.type === "Resource" && m.resource?.name === "cpu");
  const out: HorizontalPodAutoscalerV1 = {
    ...h,
    apiVersion: "autoscaling/v1",
    kind: "HorizontalPodAutoscaler",
    spec: {
      scaleTargetRef: h.spec?.scaleTargetRef,
      ...(h.spec?.minReplicas !== undefined ? { minReplicas: h.spec.minReplicas } : {}),
      maxReplicas: h.spec?.maxReplicas,
      ...(cpu ? { targetCPUUtilizationPercentage: cpu.resource!.target.averageUtilization } : {}),
    },
  };
  if (h.status) {
    const { currentMetrics: _m, conditions: _c, ...rest } = h.status;
    out.status = {
      ...rest,
      ...(cur?.resource?.current.averageUtilization !== undefined ? { currentCPUUtilizationPercentage: cur.resource.current.averageUtilization } : {}),
    };
  }
  return out;
}

/**
 * v1 → v2. A write through v1 replaces the CPU target; the stored object's other metrics,
 * behavior and status conditions (which v1 cannot express) are kept, as Kubernetes keeps them.
 */
export function hpaFromV1(o: HorizontalPodAutoscalerV1, stored?: HorizontalPodAutoscaler): HorizontalPodAutoscaler {
  const spec = (o.spec ?? {}) as HorizontalPodAutoscalerV1["spec"];
  const kept = (stored?.spec?.metrics ?? []).filter((m) => !isCpuUtilization(m));
  const target = spec.targetCPUUtilizationPercentage;
  const cpu: MetricSpec[] =
    target !== undefined ? [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: target } } }] : [];
  const { targetCPUUtilizationPercentage: _t, ...base } = spec;
  const out: HorizontalPodAutoscaler = {
    ...o,
    apiVersion: "autoscaling/v2",
    kind: "HorizontalPodAutoscaler",
    spec: {
      ...base,
      ...(cpu.length || kept.length ? { metrics: [...cpu, ...kept] } : {}),
      ...(stored?.spec?.behavior ? { behavior: stored.spec.behavior } : {}),
    } as HorizontalPodAutoscaler["spec"],
  };
  if (o.status) {
    const { currentCPUUtilizationPercentage: c, ...rest } = o.status;
    out.status = {
      ...rest,
      conditions: stored?.status?.conditions,
      currentMetrics: c !== undefined ? [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: c } } }] : stored?.status?.currentMetrics,
    };
    if (!out.status.conditions) delete out.status.conditions;
    if (!out.status.currentMetrics) delete out.status.currentMetrics;
  }
  return out;
}

const hpaV2: Info = {
  ...gv("autoscaling", "v2"),
  resource: "horizontalpodautoscalers",
  singular: "horizontalpodautoscaler",
  kind: "HorizontalPodAutoscaler",
  listKind: "HorizontalPodAutoscalerList",
  schema: schema.HorizontalPodAutoscalerV2,
  namespaced: true,
  shortNames: ["hpa"],
  hasStatus: true,
  gracefulDelete: false,
  categories: ["all"],
  garbageCollected: true,
  validate: withMeta(true, (o) => validateHpa(o as HorizontalPodAutoscaler)),
  applyDefaults: (o) => defaultHpa(o as HorizontalPodAutoscaler),
};

/** The v1 view: the same stored objects, converted on the way in and out. */
const hpaV1: ResourceInfo = {
  ...hpaV2,
  version: "v1",
  schema: schema.HorizontalPodAutoscalerV1,
  conversion: {
    storage: hpaV2,
    toStored: (o, stored) => hpaFromV1(o as HorizontalPodAutoscalerV1, stored as HorizontalPodAutoscaler | undefined),
    fromStored: (o) => hpaToV1(o as HorizontalPodAutoscaler),
  },
};
hpaV2.alsoServedAs = [hpaV1];

export const autoscalingResources: Info[] = [hpaV2];
