// Validation of workload specs beyond the template (apps/validation.go): rolling-update
// parameters (int-or-percent, not both zero), history limits, progress deadlines, StatefulSet
// policies, immutable selectors, and CronJob schedules parsed by the controller's own parser.
import { field, type FieldError } from "../errors.js";
import type { KObject } from "../types.js";
import { parseCron } from "../cron.js";
import { nonNegative } from "./common.js";

type IntOrString = number | string | undefined;

const percentRe = /^[0-9]+%$/;

/** An int-or-percent value ("25%", 1): its own errors, and whether it is zero. */
function intOrPercent(v: IntOrString, path: string, maxPercent?: number): { errs: FieldError[]; zero: boolean } {
  if (v === undefined) return { errs: [], zero: false };
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0) return { errs: [field.invalid(path, v, "must be greater than or equal to 0")], zero: false };
    return { errs: [], zero: v === 0 };
  }
  if (typeof v !== "string" || !percentRe.test(v)) {
    return {
      errs: [
        field.invalid(
          path,
          v,
          "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
        ),
      ],
      zero: false,
    };
  }
  const n = Number(v.slice(0, -1));
  if (maxPercent !== undefined && n > maxPercent) return { errs: [field.invalid(path, v, `must not be greater than ${maxPercent}%`)], zero: false };
  return { errs: [], zero: n === 0 };
}

/** maxUnavailable and maxSurge of a rolling update: syntax, ≤100% unavailable, not both zero. */
export function validateRollingParams(
  ru: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } | undefined,
  path: string,
  surgeDefault: IntOrString,
): FieldError[] {
  if (!ru) return [];
  const unavail = intOrPercent(ru.maxUnavailable, `${path}.maxUnavailable`, 100);
  const surge = intOrPercent(ru.maxSurge, `${path}.maxSurge`);
  const errs = [...unavail.errs, ...surge.errs];
  const surgeZero = ru.maxSurge === undefined ? surgeDefault === 0 : surge.zero;
  if (unavail.zero && surgeZero) errs.push(field.invalid(`${path}.maxUnavailable`, ru.maxUnavailable, "may not be 0 when `maxSurge` is 0"));
  return errs;
}

/** Deployment spec checks beyond the template. */
export function validateDeploymentSpec(
  s:
    | {
        strategy?: { type?: string; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } };
        revisionHistoryLimit?: number;
        progressDeadlineSeconds?: number;
        minReadySeconds?: number;
      }
    | undefined,
): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [...nonNegative(s.revisionHistoryLimit, "spec.revisionHistoryLimit")];
  const st = s.strategy;
  if (st?.type !== undefined && st.type !== "RollingUpdate" && st.type !== "Recreate")
    errs.push(field.notSupported("spec.strategy.type", st.type, ["Recreate", "RollingUpdate"]));
  if (st?.type === "Recreate" && st.rollingUpdate)
    errs.push(field.forbidden("spec.strategy.rollingUpdate", "may not be specified when strategy `type` is 'Recreate'"));
  else errs.push(...validateRollingParams(st?.rollingUpdate, "spec.strategy.rollingUpdate", "25%"));
  if (s.progressDeadlineSeconds !== undefined) {
    const p = s.progressDeadlineSeconds;
    if (typeof p !== "number" || !Number.isInteger(p) || p < 0)
      errs.push(field.invalid("spec.progressDeadlineSeconds", p, "must be greater than or equal to 0"));
    else if (p <= (s.minReadySeconds ?? 0)) errs.push(field.invalid("spec.progressDeadlineSeconds", p, "must be greater than minReadySeconds"));
  }
  return errs;
}

/** DaemonSet updateStrategy and history. */
export function validateDaemonSetSpec(
  s:
    | { updateStrategy?: { type?: string; rollingUpdate?: { maxSurge?: IntOrString; maxUnavailable?: IntOrString } }; revisionHistoryLimit?: number }
    | undefined,
): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [...nonNegative(s.revisionHistoryLimit, "spec.revisionHistoryLimit")];
  const st = s.updateStrategy;
  if (st?.type !== undefined && st.type !== "RollingUpdate" && st.type !== "OnDelete")
    errs.push(field.notSupported("spec.updateStrategy.type", st.type, ["OnDelete", "RollingUpdate"]));
  if (st?.type === "RollingUpdate") errs.push(...validateRollingParams(st.rollingUpdate, "spec.updateStrategy.rollingUpdate", 0));
  return errs;
}

/** StatefulSet podManagementPolicy, updateStrategy, claim templates, history. */
export function validateStatefulSetSpec(
  s:
    | {
        podManagementPolicy?: string;
        revisionHistoryLimit?: number;
        serviceName?: string;
        updateStrategy?: { type?: string; rollingUpdate?: { partition?: number; maxUnavailable?: IntOrString } };
        volumeClaimTemplates?: KObject[];
      }
    | undefined,
): FieldError[] {
  if (!s) return [];
  const errs: FieldError[] = [...nonNegative(s.revisionHistoryLimit, "spec.revisionHistoryLimit")];
  if (s.podManagementPolicy !== undefined && s.podManagementPolicy !== "OrderedReady" && s.podManagementPolicy !== "Parallel") {
    errs.push(field.notSupported("spec.podManagementPolicy", s.podManagementPolicy, ["OrderedReady", "Parallel"]));
  }
  const st = s.updateStrategy;
  if (st?.type !== undefined && st.type !== "RollingUpdate" && st.type !== "OnDelete")
    errs.push(field.notSupported("spec.updateStrategy.type", st.type, ["OnDelete", "RollingUpdate"]));
  if (st?.type === "OnDelete" && st.rollingUpdate)
    errs.push(field.invalid("spec.updateStrategy.rollingUpdate", st.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  if (st?.rollingUpdate) {
    errs.push(...nonNegative(st.rollingUpdate.partition, "spec.updateStrategy.rollingUpdate.partition"));
    const mu = intOrPercent(st.rollingUpdate.maxUnavailable, "spec.updateStrategy.rollingUpdate.maxUnavailable", 100);
    errs.push(...mu.errs);
    if (mu.zero) errs.push(field.invalid("spec.updateStrategy.rollingUpdate.maxUnavailable", st.rollingUpdate.maxUnavailable, "must be greater than 0"));
  }
  (s.volumeClaimTemplates ?? []).forEach((t, i) => {
    if (!t?.metadata?.name) errs.push(field.required(`spec.volumeClaimTemplates[${i}].metadata.name`));
    if (!(t as { spec?: { accessModes?: unknown[] } })?.spec?.accessModes?.length)
      errs.push(field.required(`spec.volumeClaimTemplates[${i}].spec.accessModes`));
  });
  return errs;
}

/** spec.selector may not change after creation (Deployments, ReplicaSets, DaemonSets, StatefulSets in apps/v1). */
export function validateSelectorImmutable(o: KObject, old: KObject): FieldError[] {
  const sel = (x: KObject) => (x.spec as { selector?: unknown } | undefined)?.selector;
  if (canonical(sel(o)) === canonical(sel(old))) return [];
  return [field.invalid("spec.selector", sel(o), "field is immutable")];
}

/** StatefulSet spec fields other than these may not change (apps/validation.go's ValidateStatefulSetUpdate). */
export function validateStatefulSetUpdate(o: KObject, old: KObject): FieldError[] {
  const mutable = ["replicas", "template", "updateStrategy", "minReadySeconds", "persistentVolumeClaimRetentionPolicy", "ordinals"];
  const strip = (x: KObject) =>
    Object.fromEntries(Object.entries((x.spec ?? {}) as Record<string, unknown>).filter(([k]) => !mutable.includes(k) && k !== "selector"));
  const errs = validateSelectorImmutable(o, old);
  if (canonical(strip(o)) !== canonical(strip(old))) {
    errs.push(
      field.forbidden(
        "spec",
        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
      ),
    );
  }
  return errs;
}

/** A CronJob schedule: parsed with the same parser the controller runs it with. */
export function validateSchedule(schedule: unknown, path = "spec.schedule"): FieldError[] {
  if (schedule === undefined || schedule === "") return [field.required(path)];
  if (typeof schedule !== "string") return [field.invalid(path, schedule, "must be a string")];
  try {
    parseCron(schedule);
    return [];
  } catch (err) {
    return [field.invalid(path, schedule, `unparseable cron schedule: ${(err as Error).message}`)];
  }
}

/** JSON with sorted keys, so equal values compare equal whatever their key order. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => (v as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}
