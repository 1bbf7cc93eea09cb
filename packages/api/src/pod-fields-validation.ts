// Validation of the pod fields that steer scheduling and probing: affinity, topology spread
// constraints, priority, and probe/lifecycle handlers — Kubernetes' rules and messages, so a
// mistake is a 422 naming the field instead of a pod the scheduler or the kubelet cannot act on.
import { field, type FieldError } from "./errors.js";
import type { LabelSelectorSpec, NodeSelectorTermSpec, PodAffinityTerm, PodSpec } from "./types.js";
import { isDNS1123Subdomain } from "./validation/names.js";
import { parseIPv4 } from "./ipv4.js";

const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const labelOps = ["In", "NotIn", "Exists", "DoesNotExist"];
const nodeOps = [...labelOps, "Gt", "Lt"];

function validateLabelSelector(sel: LabelSelectorSpec | null | undefined, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (sel?.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    if (!labelOps.includes(e.operator)) errs.push(field.notSupported(`${p}.operator`, e.operator, labelOps));
    else if ((e.operator === "In" || e.operator === "NotIn") && !e.values?.length)
      errs.push(field.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    else if ((e.operator === "Exists" || e.operator === "DoesNotExist") && e.values?.length)
      errs.push(field.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
  });
  return errs;
}

function validateNodeSelectorTerm(t: NodeSelectorTermSpec, path: string): FieldError[] {
  const errs: FieldError[] = [];
  (t?.matchExpressions ?? []).forEach((e, i) => {
    const p = `${path}.matchExpressions[${i}]`;
    if (!e.key) errs.push(field.required(`${p}.key`));
    if (!nodeOps.includes(e.operator)) errs.push(field.notSupported(`${p}.operator`, e.operator, nodeOps));
    else if ((e.operator === "In" || e.operator === "NotIn") && !e.values?.length)
      errs.push(field.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
    else if ((e.operator === "Exists" || e.operator === "DoesNotExist") && e.values?.length)
      errs.push(field.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    else if ((e.operator === "Gt" || e.operator === "Lt") && (e.values?.length !== 1 || !/^-?\d+$/.test(e.values[0])))
      errs.push(field.required(`${p}.values`, "must be specified single value when `operator` is 'Lt' or 'Gt'"));
  });
  (t?.matchFields ?? []).forEach((f, i) => {
    const p = `${path}.matchFields[${i}]`;
    if (f.key !== "metadata.name") errs.push(field.notSupported(`${p}.key`, f.key, ["metadata.name"]));
    if (f.operator !== "In" && f.operator !== "NotIn") errs.push(field.notSupported(`${p}.operator`, f.operator, ["In", "NotIn"]));
    else if (f.values?.length !== 1)
      errs.push(field.required(`${p}.values`, "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
  });
  return errs;
}

function validatePodAffinityTerm(t: PodAffinityTerm, path: string): FieldError[] {
  if (!t || typeof t !== "object") return [field.required(path)];
  const errs: FieldError[] = [];
  if (!t.topologyKey) errs.push(field.required(`${path}.topologyKey`, "can not be empty"));
  errs.push(...validateLabelSelector(t.labelSelector, `${path}.labelSelector`));
  errs.push(...validateLabelSelector(t.namespaceSelector, `${path}.namespaceSelector`));
  return errs;
}

function validateWeight(w: unknown, path: string): FieldError[] {
  return isInt(w) && w >= 1 && w <= 100 ? [] : [field.invalid(path, w, "must be in the range 1-100")];
}

/** spec.affinity. */
export function validateAffinity(spec: PodSpec): FieldError[] {
  const a = spec.affinity;
  if (a === undefined || a === null) return [];
  const errs: FieldError[] = [];
  const na = a.nodeAffinity;
  const req = na?.requiredDuringSchedulingIgnoredDuringExecution;
  if (req) {
    const p = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms";
    if (!req.nodeSelectorTerms?.length) errs.push(field.required(p, "must have at least one node selector term"));
    (req.nodeSelectorTerms ?? []).forEach((t, i) => {
      errs.push(...validateNodeSelectorTerm(t, `${p}[${i}]`));
    });
  }
  (na?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
    const p = `spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
    errs.push(...validateWeight(t.weight, `${p}.weight`), ...validateNodeSelectorTerm(t.preference, `${p}.preference`));
  });
  for (const kind of ["podAffinity", "podAntiAffinity"] as const) {
    const pa = a[kind];
    (pa?.requiredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      errs.push(...validatePodAffinityTerm(t, `spec.affinity.${kind}.requiredDuringSchedulingIgnoredDuringExecution[${i}]`));
    });
    (pa?.preferredDuringSchedulingIgnoredDuringExecution ?? []).forEach((t, i) => {
      const p = `spec.affinity.${kind}.preferredDuringSchedulingIgnoredDuringExecution[${i}]`;
      errs.push(...validateWeight(t.weight, `${p}.weight`), ...validatePodAffinityTerm(t.podAffinityTerm, `${p}.podAffinityTerm`));
    });
  }
  return errs;
}

/** spec.topologySpreadConstraints. */
export function validateTopologySpread(spec: PodSpec): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  (spec.topologySpreadConstraints ?? []).forEach((c, i) => {
    const p = `spec.topologySpreadConstraints[${i}]`;
    if (!isInt(c.maxSkew) || c.maxSkew <= 0) errs.push(field.invalid(`${p}.maxSkew`, c.maxSkew, "must be greater than zero"));
    if (!c.topologyKey) errs.push(field.required(`${p}.topologyKey`, "can not be empty"));
    if (!["DoNotSchedule", "ScheduleAnyway"].includes(c.whenUnsatisfiable))
      errs.push(field.notSupported(`${p}.whenUnsatisfiable`, c.whenUnsatisfiable, ["DoNotSchedule", "ScheduleAnyway"]));
    if (c.minDomains !== undefined && c.minDomains !== null) {
      if (!isInt(c.minDomains) || c.minDomains <= 0) errs.push(field.invalid(`${p}.minDomains`, c.minDomains, "must be greater than 0"));
      else if (c.whenUnsatisfiable !== "DoNotSchedule")
        errs.push(field.invalid(`${p}.minDomains`, c.minDomains, "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ScheduleAnyway"));
    }
    for (const [k, allowed] of [
      ["nodeAffinityPolicy", ["Honor", "Ignore"]],
      ["nodeTaintsPolicy", ["Honor", "Ignore"]],
    ] as const) {
      const v = c[k];
      if (v !== undefined && v !== null && !(allowed as readonly string[]).includes(v)) errs.push(field.notSupported(`${p}.${k}`, v, [...allowed]));
    }
    errs.push(...validateLabelSelector(c.labelSelector, `${p}.labelSelector`));
    const key = `${c.topologyKey}/${c.whenUnsatisfiable}`;
    if (seen.has(key)) errs.push(field.duplicate(`${p}`, `{${c.topologyKey}, ${c.whenUnsatisfiable}}`));
    seen.add(key);
  });
  return errs;
}

interface HandlerLike {
  exec?: unknown;
  httpGet?: unknown;
  tcpSocket?: unknown;
  grpc?: { port?: unknown; service?: string };
  sleep?: unknown;
}

/** One probe: exactly one handler (exec, httpGet, tcpSocket, grpc), sane numbers. */
function validateProbe(probe: unknown, path: string, kind: "liveness" | "readiness" | "startup"): FieldError[] {
  if (probe === undefined || probe === null) return [];
  if (typeof probe !== "object") return [field.invalid(path, probe, "must be an object")];
  const pr = probe as HandlerLike & Record<string, unknown>;
  const errs: FieldError[] = [];
  const handlers = (["exec", "httpGet", "tcpSocket", "grpc"] as const).filter((h) => pr[h] !== undefined && pr[h] !== null);
  if (handlers.length === 0) errs.push(field.required(path, "must specify a handler type"));
  else if (handlers.length > 1) errs.push(field.forbidden(`${path}.${handlers[1]}`, "may not specify more than 1 handler type"));
  if (pr.grpc) {
    const port = pr.grpc.port;
    if (!isInt(port) || port < 1 || port > 65535) errs.push(field.invalid(`${path}.grpc.port`, port, "must be between 1 and 65535, inclusive"));
  }
  for (const [k, min] of [
    ["initialDelaySeconds", 0],
    ["timeoutSeconds", 1],
    ["periodSeconds", 1],
    ["successThreshold", 1],
    ["failureThreshold", 1],
  ] as const) {
    const v = pr[k];
    if (v !== undefined && v !== null && (!isInt(v) || v < min))
      errs.push(field.invalid(`${path}.${k}`, v, min === 0 ? "must be greater than or equal to 0" : "must be greater than or equal to 1"));
  }
  if (kind !== "readiness" && pr.successThreshold !== undefined && pr.successThreshold !== 1)
    errs.push(field.invalid(`${path}.successThreshold`, pr.successThreshold, "must be 1"));
  const tg = pr.terminationGracePeriodSeconds;
  if (tg !== undefined && tg !== null) {
    if (kind === "readiness") errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, tg, "must not be set for readinessProbes"));
    else if (!isInt(tg) || tg <= 0) errs.push(field.invalid(`${path}.terminationGracePeriodSeconds`, tg, "must be greater than 0"));
  }
  return errs;
}

/** postStart/preStop: exactly one handler (exec, httpGet, tcpSocket, sleep). */
function validateLifecycle(lc: unknown, path: string): FieldError[] {
  if (!lc || typeof lc !== "object") return [];
  const errs: FieldError[] = [];
  for (const k of ["postStart", "preStop"] as const) {
    const h = (lc as Record<string, HandlerLike | undefined>)[k];
    if (!h) continue;
    const handlers = (["exec", "httpGet", "tcpSocket", "sleep"] as const).filter((x) => h[x] !== undefined && h[x] !== null);
    if (handlers.length === 0) errs.push(field.required(`${path}.${k}`, "must specify a handler type"));
    else if (handlers.length > 1) errs.push(field.forbidden(`${path}.${k}.${handlers[1]}`, "may not specify more than 1 handler type"));
  }
  return errs;
}

/** Probes and lifecycle handlers of every container. */
export function validateHandlers(spec: PodSpec): FieldError[] {
  const errs: FieldError[] = [];
  for (const [list, name] of [
    [spec.containers, "containers"],
    [spec.initContainers, "initContainers"],
  ] as const) {
    if (!Array.isArray(list)) continue;
    list.forEach((c, i) => {
      if (!c || typeof c !== "object") return;
      const p = `spec.${name}[${i}]`;
      errs.push(...validateProbe(c.livenessProbe, `${p}.livenessProbe`, "liveness"));
      errs.push(...validateProbe(c.readinessProbe, `${p}.readinessProbe`, "readiness"));
      errs.push(...validateProbe(c.startupProbe, `${p}.startupProbe`, "startup"));
      errs.push(...validateLifecycle(c.lifecycle, `${p}.lifecycle`));
    });
  }
  return errs;
}

/** hostNetwork: a host port must equal its container port (the pod listens on the node itself). */
function validateHostNetworkPorts(spec: PodSpec): FieldError[] {
  if (spec.hostNetwork !== true) return [];
  const errs: FieldError[] = [];
  for (const [list, name] of [
    [spec.containers, "containers"],
    [spec.initContainers, "initContainers"],
  ] as const) {
    (Array.isArray(list) ? list : []).forEach((c, i) => {
      (c?.ports ?? []).forEach((p, j) => {
        if (p.hostPort !== undefined && p.hostPort !== p.containerPort)
          errs.push(field.invalid(`spec.${name}[${i}].ports[${j}].hostPort`, p.hostPort, "must match `containerPort` when `hostNetwork` is true"));
      });
    });
  }
  return errs;
}

/** A dotted IPv4 address without leading zeros (which glibc would read as octal in /etc/hosts). */
const isIPv4 = (x: string) => parseIPv4(x) !== undefined && !/(^|\.)0\d/.test(x);

/** An IPv4 address, or an IPv6 one (hex groups, at most one "::", an IPv4 tail allowed). */
function isIP(s: string): boolean {
  if (isIPv4(s)) return true;
  const halves = s.split("::");
  if (!s.includes(":") || halves.length > 2) return false;
  const groups = halves.flatMap((h) => (h === "" ? [] : h.split(":")));
  let width = 0;
  for (const [i, g] of groups.entries()) {
    if (i === groups.length - 1 && g.includes(".")) {
      if (!isIPv4(g)) return false;
      width += 2;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) width += 1;
    else return false;
  }
  return halves.length === 2 ? width < 8 : width === 8;
}

/** hostAliases (Kubernetes' ValidateHostAliases): an IP and DNS-1123 subdomains per entry. */
function validateHostAliases(spec: PodSpec): FieldError[] {
  const aliases = spec.hostAliases as { ip?: string; hostnames?: string[] }[] | undefined;
  const errs: FieldError[] = [];
  (Array.isArray(aliases) ? aliases : []).forEach((a, i) => {
    const p = `spec.hostAliases[${i}]`;
    if (!isIP(String(a?.ip ?? ""))) errs.push(field.invalid(`${p}.ip`, a?.ip ?? "", "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    (a?.hostnames ?? []).forEach((h, j) => {
      const e = isDNS1123Subdomain(String(h));
      if (e) errs.push(field.invalid(`${p}.hostnames[${j}]`, h, e));
    });
  });
  return errs;
}

/** Everything this file checks on a pod spec. */
export function validatePodSchedulingAndHandlers(spec: PodSpec): FieldError[] {
  const errs = [
    ...validateAffinity(spec),
    ...validateTopologySpread(spec),
    ...validateHandlers(spec),
    ...validateHostNetworkPorts(spec),
    ...validateHostAliases(spec),
  ];
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null && !["PreemptLowerPriority", "Never"].includes(spec.preemptionPolicy)) {
    errs.push(field.notSupported("spec.preemptionPolicy", spec.preemptionPolicy, ["Never", "PreemptLowerPriority"]));
  }
  if (
    spec.priorityClassName !== undefined &&
    spec.priorityClassName !== "" &&
    !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(String(spec.priorityClassName))
  ) {
    errs.push(
      field.invalid(
        "spec.priorityClassName",
        spec.priorityClassName,
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
      ),
    );
  }
  return errs;
}
