// Pods (core/v1): validation for create and update (containers, ports, env, resources,
// tolerations; what an update may change).
import { validatePodSchedulingAndHandlers } from "../pod-fields-validation.js";
import { field, type FieldError } from "../errors.js";
import type { Container, Pod, PodSpec, Toleration } from "../types.js";
import { compareQuantities, parseQuantity } from "../quantity.js";
import { defaultPod } from "../defaults.js";
import { dns1123LabelErrors, dns1123SubdomainErrors, envVarNameErrors, labelValueErrors, portNameErrors, qualifiedNameErrors } from "../validation/names.js";
import { deepEqual, invalidEach, isInt, isObject, isStringArray, taintEffects } from "../validation/helpers.js";
import { validateLabels, validateObjectMeta } from "../validation/meta.js";
import * as podSchema from "../schema/pod.js";
import { gv, type Info } from "./common.js";

const pullPolicies = ["Always", "IfNotPresent", "Never"];
const restartPolicies = ["Always", "OnFailure", "Never"];
const protocols = ["SCTP", "TCP", "UDP"];
const dnsPolicies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];
const terminationMessagePolicies = ["File", "FallbackToLogsOnError"];
const standardContainerResources = ["cpu", "memory", "ephemeral-storage"];

/** Native resources (no domain, or a kubernetes.io domain) may be requested below their limit; others may not. */
function overcommitAllowed(name: string): boolean {
  const native = !name.includes("/") || name.includes("kubernetes.io/");
  return native && !name.startsWith("hugepages-");
}

function validateResourceName(name: string, path: string): FieldError[] {
  if (name.includes("/")) return invalidEach(path, name, qualifiedNameErrors(name));
  if (standardContainerResources.includes(name) || name.startsWith("hugepages-")) return [];
  return [field.invalid(path, name, "must be a standard resource for containers")];
}

/** Validates a resource list; returns the errors and the entries whose values parsed. */
function validateResourceList(list: unknown, path: string): { errs: FieldError[]; valid: Map<string, string> } {
  const valid = new Map<string, string>();
  if (list === undefined || list === null) return { errs: [], valid };
  if (!isObject(list)) return { errs: [field.invalid(path, list, "must be a map of resource names to quantities")], valid };
  const errs: FieldError[] = [];
  for (const [name, value] of Object.entries(list)) {
    const p = `${path}[${name}]`;
    const nameErrs = validateResourceName(name, p);
    errs.push(...nameErrs);
    if (typeof value !== "string" && typeof value !== "number") {
      errs.push(field.invalid(p, value, "must be a quantity string"));
      continue;
    }
    let n: number;
    try {
      n = parseQuantity(value);
    } catch (err) {
      errs.push(field.invalid(p, value, (err as Error).message.replace(/^invalid quantity "[^"]*": /, "")));
      continue;
    }
    if (n < 0) errs.push(field.invalid(p, value, "must be greater than or equal to 0"));
    else if (!nameErrs.length) valid.set(name, String(value));
  }
  return { errs, valid };
}

function validateResources(res: unknown, path: string): FieldError[] {
  if (res === undefined || res === null) return [];
  if (!isObject(res)) return [field.invalid(path, res, "must be an object")];
  const limits = validateResourceList(res.limits, `${path}.limits`);
  const requests = validateResourceList(res.requests, `${path}.requests`);
  const errs = [...limits.errs, ...requests.errs];
  for (const [name, req] of requests.valid) {
    const lim = limits.valid.get(name);
    if (lim === undefined) {
      if (!overcommitAllowed(name)) errs.push(field.required(`${path}.limits`, "Limit must be set for non overcommitable resources"));
      continue;
    }
    const cmp = compareQuantities(req, lim);
    if (cmp !== 0 && !overcommitAllowed(name)) {
      errs.push(field.invalid(`${path}.requests`, req, `must be equal to ${name} limit of ${lim}`));
    } else if (cmp > 0) {
      errs.push(field.invalid(`${path}.requests`, req, `must be less than or equal to ${name} limit of ${lim}`));
    }
  }
  return errs;
}

function validatePorts(ports: unknown, path: string): FieldError[] {
  if (ports === undefined || ports === null) return [];
  if (!Array.isArray(ports)) return [field.invalid(path, ports, "must be a list of ports")];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port: unknown, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(port)) {
      errs.push(field.invalid(p, port, "must be an object"));
      return;
    }
    if (port.name !== undefined && port.name !== "") {
      if (typeof port.name !== "string") {
        errs.push(field.invalid(`${p}.name`, port.name, "must be a string"));
      } else {
        errs.push(...invalidEach(`${p}.name`, port.name, portNameErrors(port.name)));
        if (names.has(port.name)) errs.push(field.duplicate(`${p}.name`, port.name));
        names.add(port.name);
      }
    }
    if (port.containerPort === undefined || port.containerPort === 0) {
      errs.push(field.required(`${p}.containerPort`));
    } else if (!isInt(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) {
      errs.push(field.invalid(`${p}.containerPort`, port.containerPort, "must be between 1 and 65535, inclusive"));
    }
    if (port.hostPort !== undefined && port.hostPort !== 0 && (!isInt(port.hostPort) || port.hostPort < 1 || port.hostPort > 65535)) {
      errs.push(field.invalid(`${p}.hostPort`, port.hostPort, "must be between 1 and 65535, inclusive"));
    }
    if (port.protocol !== undefined && !protocols.includes(port.protocol as string)) {
      errs.push(field.notSupported(`${p}.protocol`, port.protocol, protocols));
    }
  });
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  if (env === undefined || env === null) return [];
  if (!Array.isArray(env)) return [field.invalid(path, env, "must be a list of environment variables")];
  const errs: FieldError[] = [];
  env.forEach((ev: unknown, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(ev)) {
      errs.push(field.invalid(p, ev, "must be an object"));
      return;
    }
    if (ev.name === undefined || ev.name === "") errs.push(field.required(`${p}.name`));
    else if (typeof ev.name !== "string") errs.push(field.invalid(`${p}.name`, ev.name, "must be a string"));
    else errs.push(...invalidEach(`${p}.name`, ev.name, envVarNameErrors(ev.name)));
    if (ev.value !== undefined && typeof ev.value !== "string") errs.push(field.invalid(`${p}.value`, ev.value, "must be a string"));
    if (ev.value && ev.valueFrom !== undefined && ev.valueFrom !== null) {
      errs.push(field.invalid(`${p}.valueFrom`, "", "may not be specified when `value` is not empty"));
    }
  });
  return errs;
}

/** Validates one container; `names` collects the names seen so far across all containers. */
function validateContainer(c: Container, path: string, names: Set<string>): FieldError[] {
  if (!isObject(c)) return [field.invalid(path, c, "must be an object")];
  const errs: FieldError[] = [];
  if (c.name === undefined || c.name === "") {
    errs.push(field.required(`${path}.name`));
  } else if (typeof c.name !== "string") {
    errs.push(field.invalid(`${path}.name`, c.name, "must be a string"));
  } else {
    errs.push(...invalidEach(`${path}.name`, c.name, dns1123LabelErrors(c.name)));
    if (names.has(c.name)) errs.push(field.duplicate(`${path}.name`, c.name));
    names.add(c.name);
  }
  if (c.image === undefined || c.image === "") errs.push(field.required(`${path}.image`));
  else if (typeof c.image !== "string") errs.push(field.invalid(`${path}.image`, c.image, "must be a string"));
  else if (c.image.trim() !== c.image) errs.push(field.invalid(`${path}.image`, c.image, "must not have leading or trailing whitespace"));
  // Absent enums are fine here: defaultPod fills them on create.
  if (c.imagePullPolicy !== undefined && !pullPolicies.includes(c.imagePullPolicy)) {
    errs.push(field.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, pullPolicies));
  }
  for (const key of ["command", "args"] as const) {
    if (c[key] !== undefined && !isStringArray(c[key])) errs.push(field.invalid(`${path}.${key}`, c[key], "must be a list of strings"));
  }
  if (c.workingDir !== undefined && typeof c.workingDir !== "string") errs.push(field.invalid(`${path}.workingDir`, c.workingDir, "must be a string"));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validatePorts(c.ports, `${path}.ports`));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  if (c.terminationMessagePolicy !== undefined && !terminationMessagePolicies.includes(c.terminationMessagePolicy as string)) {
    errs.push(field.notSupported(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, terminationMessagePolicies));
  }
  return errs;
}

/** Validates tolerations (Kubernetes' validateTolerations). */
function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  if (tolerations === undefined || tolerations === null) return [];
  if (!Array.isArray(tolerations)) return [field.invalid(path, tolerations, "must be a list of tolerations")];
  const errs: FieldError[] = [];
  tolerations.forEach((t: Toleration, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(t)) {
      errs.push(field.invalid(p, t, "must be an object"));
      return;
    }
    if (t.key !== undefined && t.key !== "") {
      if (typeof t.key !== "string") errs.push(field.invalid(`${p}.key`, t.key, "must be a string"));
      else errs.push(...invalidEach(`${p}.key`, t.key, qualifiedNameErrors(t.key)));
    }
    // An empty key with Exists tolerates every taint; with Equal it would match nothing.
    if (!t.key && t.operator !== "Exists") {
      errs.push(field.invalid(`${p}.operator`, t.operator ?? "", 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== "NoExecute") {
      errs.push(field.invalid(`${p}.effect`, t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.operator === undefined || (t.operator as string) === "" || t.operator === "Equal") {
      if (t.value !== undefined) errs.push(...invalidEach(`${p}.value`, t.value, labelValueErrors(String(t.value))));
    } else if (t.operator === "Exists") {
      if (t.value) errs.push(field.invalid(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(field.notSupported(`${p}.operator`, t.operator, ["Equal", "Exists"]));
    }
    if (t.effect !== undefined && t.effect !== "" && !taintEffects.includes(t.effect as string)) {
      errs.push(field.notSupported(`${p}.effect`, t.effect, taintEffects));
    }
  });
  return errs;
}

function validateOptionalName(v: unknown, path: string, check: (s: string) => string[]): FieldError[] {
  if (v === undefined || v === "") return [];
  if (typeof v !== "string") return [field.invalid(path, v, "must be a string")];
  return invalidEach(path, v, check(v));
}

/** Validates a pod for create: metadata, containers, resources, policies, tolerations. */
export function validatePod(pod: Pod): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, { namespaced: true });
  const spec = pod.spec as PodSpec | undefined;
  if (!isObject(spec)) return [...errs, field.required("spec")];
  const names = new Set<string>();
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    errs.push(field.required("spec.containers"));
  } else {
    spec.containers.forEach((c, i) => {
      errs.push(...validateContainer(c, `spec.containers[${i}]`, names));
    });
  }
  // Init containers come second, as in Kubernetes, so a clash is reported on the init container.
  if (spec.initContainers !== undefined) {
    if (!Array.isArray(spec.initContainers)) errs.push(field.invalid("spec.initContainers", spec.initContainers, "must be a list of containers"));
    else
      spec.initContainers.forEach((c, i) => {
        errs.push(...validateContainer(c, `spec.initContainers[${i}]`, names));
      });
  }
  if (spec.restartPolicy !== undefined && !restartPolicies.includes(spec.restartPolicy)) {
    errs.push(field.notSupported("spec.restartPolicy", spec.restartPolicy, restartPolicies));
  }
  if (spec.dnsPolicy !== undefined && !dnsPolicies.includes(spec.dnsPolicy as string)) {
    errs.push(field.notSupported("spec.dnsPolicy", spec.dnsPolicy, dnsPolicies));
  }
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && grace !== null && (!isInt(grace) || grace < 0)) {
    errs.push(field.invalid("spec.terminationGracePeriodSeconds", grace, "must be greater than or equal to 0"));
  }
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null && (!isInt(deadline) || deadline < 1 || deadline > 2147483647)) {
    errs.push(field.invalid("spec.activeDeadlineSeconds", deadline, "must be between 1 and 2147483647, inclusive"));
  }
  errs.push(...validateLabels(spec.nodeSelector, "spec.nodeSelector"));
  errs.push(...validateOptionalName(spec.nodeName, "spec.nodeName", dns1123SubdomainErrors));
  errs.push(...validateOptionalName(spec.schedulerName, "spec.schedulerName", dns1123SubdomainErrors));
  errs.push(...validateOptionalName(spec.hostname, "spec.hostname", dns1123LabelErrors));
  errs.push(...validateTolerations(spec.tolerations, "spec.tolerations"));
  errs.push(...validatePodSchedulingAndHandlers(spec));
  return errs;
}

const podUpdateForbidden =
  "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)";

/** Paths (spec.x, spec.containers[i].x) at which two pod specs differ, for the error message. */
function specDiff(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (deepEqual(a[k], b[k])) continue;
    const x = a[k];
    const y = b[k];
    if ((k === "containers" || k === "initContainers") && Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
      x.forEach((c, i) => {
        if (isObject(c) && isObject(y[i])) {
          for (const ck of new Set([...Object.keys(c), ...Object.keys(y[i])])) {
            if (!deepEqual(c[ck], y[i][ck])) out.push(`spec.${k}[${i}].${ck}`);
          }
        } else if (!deepEqual(c, y[i])) {
          out.push(`spec.${k}[${i}]`);
        }
      });
    } else {
      out.push(`spec.${k}`);
    }
  }
  return out;
}

/**
 * The update rules of a pod's spec: only container images, activeDeadlineSeconds (set or
 * lowered) and tolerations (additions) may change; spec.nodeName changes only by binding.
 * Callers also run validatePod and validateObjectMetaUpdate on the new object.
 */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  if (!isObject(pod.spec) || !isObject(old.spec)) return [];
  // Compare as stored: omitting a field that defaulting fills is not a change.
  const next = structuredClone({ ...pod, status: undefined }) as Pod;
  const prev = structuredClone({ ...old, status: undefined }) as Pod;
  defaultPod(next);
  defaultPod(prev);
  const newSpec = next.spec;
  const oldSpec = prev.spec;
  if (!Array.isArray(newSpec.containers) || !Array.isArray(oldSpec.containers) || newSpec.containers.length !== oldSpec.containers.length) {
    return [field.forbidden("spec.containers", "pod updates may not add or remove containers")];
  }
  const errs: FieldError[] = [];
  const newDeadline = newSpec.activeDeadlineSeconds;
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  if (newDeadline === undefined || newDeadline === null) {
    if (oldDeadline !== undefined && oldDeadline !== null) {
      errs.push(field.invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
    }
  } else if (typeof oldDeadline === "number" && typeof newDeadline === "number" && newDeadline > oldDeadline) {
    errs.push(field.invalid("spec.activeDeadlineSeconds", newDeadline, "must be less than or equal to previous value"));
  }
  // Existing tolerations stay (only their tolerationSeconds may change); new ones may be added.
  const newTols = Array.isArray(newSpec.tolerations) ? newSpec.tolerations : [];
  for (const t of Array.isArray(oldSpec.tolerations) ? oldSpec.tolerations : []) {
    if (!newTols.some((n) => deepEqual({ ...t, tolerationSeconds: n.tolerationSeconds }, n))) {
      errs.push(field.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
      break;
    }
  }
  // Copy the mutable fields from the old spec; whatever still differs was not allowed to change.
  const munged = structuredClone(newSpec);
  munged.containers.forEach((c, i) => {
    if (isObject(c) && isObject(oldSpec.containers[i])) c.image = oldSpec.containers[i].image;
  });
  if (Array.isArray(munged.initContainers) && Array.isArray(oldSpec.initContainers) && munged.initContainers.length === oldSpec.initContainers.length) {
    munged.initContainers.forEach((c, i) => {
      if (isObject(c) && isObject(oldSpec.initContainers?.[i])) c.image = oldSpec.initContainers![i].image;
    });
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.tolerations = oldSpec.tolerations;
  const changed = specDiff(munged as Record<string, unknown>, oldSpec as Record<string, unknown>);
  if (changed.length) errs.push(field.forbidden("spec", `${podUpdateForbidden}; changed: ${changed.join(", ")}`));
  return errs;
}

export const podResources: Info[] = [
  {
    ...gv("", "v1"),
    resource: "pods",
    singular: "pod",
    kind: "Pod",
    listKind: "PodList",
    schema: podSchema.Pod,
    categories: ["all"],
    garbageCollected: true,
    mergeKeys: { conditions: "type", resizePolicy: "resourceName" },
    namespaced: true,
    shortNames: ["po"],
    hasStatus: true,
    gracefulDelete: true,
    validate: (o) => validatePod(o as Pod),
    validateUpdate: (o, old) => validatePodUpdate(o as Pod, old as Pod),
    applyDefaults: (o) => defaultPod(o as Pod),
  },
];
