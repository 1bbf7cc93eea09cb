// Defaulting of API objects on create (Kubernetes' SetDefaults_* plus the defaults its
// admission adds), and the pod resource arithmetic (QoS class, effective requests) built on it.
import type { Container, Event, Namespace, Node, Pod, ResourceList, Toleration } from "./types.js";
import { cpuToMilli, memoryToBytes } from "./quantity.js";
import { nowRfc3339 } from "./meta.js";

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * How long a pod stays bound to a not-ready or unreachable node before eviction
 * (DefaultTolerationSeconds). Skiff uses 20 s, not Kubernetes' 300 s: the design's failure
 * model promises replacement pods within about half a minute of a node going silent.
 */
export const defaultTolerationSeconds = 20;

/** The NoExecute taints every pod tolerates for a while unless it says otherwise. */
const defaultTolerationKeys = ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"];

/**
 * Kubernetes' pull policy default: Always for ":latest" or an untagged, undigested image
 * (which means latest), IfNotPresent for a pinned tag or digest.
 */
function defaultPullPolicy(image: string): "Always" | "IfNotPresent" {
  const at = image.indexOf("@");
  const named = at >= 0 ? image.slice(0, at) : image;
  // The tag follows the last ':' of the last path segment; a ':' before a '/' is a registry port.
  const lastSegment = named.slice(named.lastIndexOf("/") + 1);
  const colon = lastSegment.lastIndexOf(":");
  const tag = colon >= 0 ? lastSegment.slice(colon + 1) : "";
  if (tag === "latest") return "Always";
  if (!tag && at < 0) return "Always";
  return "IfNotPresent";
}

function defaultContainer(c: Container): void {
  if (!isObject(c)) return;
  if (c.imagePullPolicy === undefined && typeof c.image === "string" && c.image !== "") {
    c.imagePullPolicy = defaultPullPolicy(c.image);
  }
  if (Array.isArray(c.ports)) {
    for (const p of c.ports) if (isObject(p) && p.protocol === undefined) p.protocol = "TCP";
  }
  c.terminationMessagePath ??= "/dev/termination-log";
  c.terminationMessagePolicy ??= "File";
  // Kubernetes' SetDefaults_Pod: a limit without a request means the request equals the limit
  // (for every resource, not only cpu and memory).
  const res = c.resources;
  if (res && typeof res === "object" && isObject(res.limits)) {
    const requests: ResourceList = isObject(res.requests) ? res.requests : {};
    for (const [name, value] of Object.entries(res.limits)) {
      if (!(name in requests)) requests[name] = value as string;
    }
    res.requests = requests;
  }
}

/** Whether a pod already tolerates a NoExecute taint with this key (an empty key matches all keys). */
function toleratesNoExecute(tolerations: Toleration[], key: string): boolean {
  return tolerations.some((t) => isObject(t) && (!t.key || t.key === key) && (!t.effect || t.effect === "NoExecute"));
}

/** Fills a pod's defaults in place (called on create, before validation). */
export function defaultPod(pod: Pod): void {
  const spec = pod.spec;
  if (!isObject(spec)) return;
  spec.restartPolicy ??= "Always";
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= "default-scheduler";
  spec.dnsPolicy ??= "ClusterFirst";
  spec.enableServiceLinks ??= true;
  if (Array.isArray(spec.containers)) spec.containers.forEach(defaultContainer);
  // Kubernetes' SetDefaults_PodSpec: with hostNetwork every container port is also a host port.
  if (spec.hostNetwork === true) {
    for (const c of [...(Array.isArray(spec.containers) ? spec.containers : []), ...(Array.isArray(spec.initContainers) ? spec.initContainers : [])]) {
      for (const p of isObject(c) && Array.isArray(c.ports) ? c.ports : []) if (isObject(p) && p.hostPort === undefined) p.hostPort = p.containerPort;
    }
  }
  if (Array.isArray(spec.initContainers)) spec.initContainers.forEach(defaultContainer);
  // Kubernetes adds these in its DefaultTolerationSeconds admission plugin, so that pods
  // on a failed node are evicted after defaultTolerationSeconds rather than immediately.
  if (spec.tolerations === undefined || Array.isArray(spec.tolerations)) {
    const tolerations = spec.tolerations ?? [];
    for (const key of defaultTolerationKeys) {
      if (!toleratesNoExecute(tolerations, key)) {
        tolerations.push({ key, operator: "Exists", effect: "NoExecute", tolerationSeconds: defaultTolerationSeconds });
      }
    }
    spec.tolerations = tolerations;
  }
  if (pod.status === undefined || pod.status === null) {
    pod.status = { phase: "Pending", qosClass: podQOSClass(pod) };
  } else if (isObject(pod.status) && pod.status.qosClass === undefined) {
    pod.status.qosClass = podQOSClass(pod);
  }
}

function allContainers(pod: Pod): Container[] {
  const spec = isObject(pod.spec) ? pod.spec : undefined;
  const list = [...(Array.isArray(spec?.containers) ? spec.containers : []), ...(Array.isArray(spec?.initContainers) ? spec.initContainers : [])];
  return list.filter(isObject);
}

/** A quantity converted with fn, or 0 when invalid (validation rejects such pods at admission). */
function amount(q: unknown, fn: (q: string | number) => number): number {
  if (typeof q !== "string" && typeof q !== "number") return 0;
  try {
    return fn(q);
  } catch {
    return 0;
  }
}

const toUnits = (name: "cpu" | "memory") => (name === "cpu" ? cpuToMilli : memoryToBytes);

/** A container's cpu/memory requests, where a missing request defaults to the limit as on create. */
function containerRequests(c: Container): { milliCpu: number; memory: number } {
  const req = isObject(c.resources) && isObject(c.resources.requests) ? c.resources.requests : {};
  const lim = isObject(c.resources) && isObject(c.resources.limits) ? c.resources.limits : {};
  return {
    milliCpu: amount(req.cpu ?? lim.cpu, cpuToMilli),
    memory: amount(req.memory ?? lim.memory, memoryToBytes),
  };
}

/**
 * A pod's QoS class by Kubernetes' rules: BestEffort without any cpu/memory request or limit;
 * Guaranteed when every container has cpu and memory limits and the pod's requests equal its
 * limits; Burstable otherwise. Missing requests count as their limits (as defaulting makes them).
 */
export function podQOSClass(pod: Pod): "Guaranteed" | "Burstable" | "BestEffort" {
  const requests = new Map<string, number>();
  const limits = new Map<string, number>();
  let guaranteed = true;
  for (const c of allContainers(pod)) {
    const req = isObject(c.resources) && isObject(c.resources.requests) ? c.resources.requests : {};
    const lim = isObject(c.resources) && isObject(c.resources.limits) ? c.resources.limits : {};
    const limitsFound = new Set<string>();
    for (const name of ["cpu", "memory"] as const) {
      const r = amount(req[name] ?? lim[name], toUnits(name));
      if (r > 0) requests.set(name, (requests.get(name) ?? 0) + r);
      const l = amount(lim[name], toUnits(name));
      if (l > 0) {
        limits.set(name, (limits.get(name) ?? 0) + l);
        limitsFound.add(name);
      }
    }
    if (limitsFound.size < 2) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (guaranteed && requests.size === limits.size && [...requests].every(([name, r]) => limits.get(name) === r)) {
    return "Guaranteed";
  }
  return "Burstable";
}

/**
 * A pod's effective cpu (millicores) and memory (bytes) requests, as the scheduler accounts
 * them: the larger of the sum over containers and the largest init container, since init
 * containers run one at a time before the others start.
 */
export function podRequests(pod: Pod): { milliCpu: number; memory: number } {
  const spec = isObject(pod.spec) ? pod.spec : undefined;
  const sum = { milliCpu: 0, memory: 0 };
  for (const c of Array.isArray(spec?.containers) ? spec.containers : []) {
    if (!isObject(c)) continue;
    const r = containerRequests(c);
    sum.milliCpu += r.milliCpu;
    sum.memory += r.memory;
  }
  for (const c of Array.isArray(spec?.initContainers) ? spec.initContainers : []) {
    if (!isObject(c)) continue;
    const r = containerRequests(c);
    sum.milliCpu = Math.max(sum.milliCpu, r.milliCpu);
    sum.memory = Math.max(sum.memory, r.memory);
  }
  return sum;
}

/** Fills a node's defaults in place: an empty spec, and allocatable equal to capacity when unset. */
export function defaultNode(node: Node): void {
  if (node.spec === undefined || node.spec === null) node.spec = {};
  const status = node.status;
  if (isObject(status) && isObject(status.capacity) && status.allocatable === undefined) {
    status.allocatable = { ...status.capacity };
  }
}

/**
 * Fills a namespace's defaults in place on create: phase Active, and the "kubernetes"
 * finalizer, which the namespace controller removes once it has emptied the namespace.
 */
export function defaultNamespace(ns: Namespace): void {
  if (!isObject(ns.spec)) ns.spec = {};
  if (!isObject(ns.status)) ns.status = {};
  ns.status.phase ??= "Active";
  // Why not when terminating: the namespace controller removes the finalizer to let deletion
  // finish; putting it back would make the namespace hang in Terminating forever.
  if (ns.metadata?.deletionTimestamp || ns.status.phase === "Terminating") return;
  const finalizers = Array.isArray(ns.spec.finalizers) ? ns.spec.finalizers : [];
  if (!finalizers.includes("kubernetes")) finalizers.push("kubernetes");
  ns.spec.finalizers = finalizers;
}

/** Fills an event's defaults in place: type Normal, count 1, first/last timestamps (now when absent). */
export function defaultEvent(ev: Event, now: Date = new Date()): void {
  ev.type ??= "Normal";
  ev.count ??= 1;
  // Why from lastTimestamp: an event first seen "now" but last seen earlier would be nonsense.
  ev.firstTimestamp ??= ev.lastTimestamp ?? nowRfc3339(now);
  ev.lastTimestamp ??= nowRfc3339(now);
}
