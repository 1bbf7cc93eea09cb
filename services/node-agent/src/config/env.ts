// Container configuration from the API: env (value, valueFrom configMapKeyRef / secretKeyRef /
// fieldRef / resourceFieldRef, envFrom) and the downward API's field values. A reference that
// cannot be resolved is a ConfigError: the container waits with CreateContainerConfigError.
import { cpuToMilli, memoryToBytes, type ConfigMap, type Pod, type Secret, type RuntimeContainerSpec } from "@skiff/api";

/** A configuration the agent cannot build yet; shown as the container's waiting message. */
export class ConfigError extends Error {}

/** Where referenced objects come from (the agent's informer caches). */
export interface ConfigSources {
  configMap(namespace: string, name: string): ConfigMap | undefined;
  secret(namespace: string, name: string): Secret | undefined;
  /** Node allocatable, the default for resourceFieldRef when a container sets no limit. */
  allocatable: { cpu: string; memory: string };
}

/** The value of a downward-API field path, as the kubelet renders it. */
export function fieldValue(pod: Pod, path: string): string {
  const m = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (m) return (m[1] === "labels" ? pod.metadata.labels : pod.metadata.annotations)?.[m[2]] ?? "";
  switch (path) {
    case "metadata.name":
      return pod.metadata.name ?? "";
    case "metadata.namespace":
      return pod.metadata.namespace ?? "";
    case "metadata.uid":
      return pod.metadata.uid ?? "";
    case "metadata.labels":
      return formatMap(pod.metadata.labels);
    case "metadata.annotations":
      return formatMap(pod.metadata.annotations);
    case "spec.nodeName":
      return pod.spec.nodeName ?? "";
    case "spec.serviceAccountName":
      return String(pod.spec.serviceAccountName ?? "default");
    case "status.podIP":
      return pod.status?.podIP ?? "";
    case "status.podIPs":
      return (pod.status?.podIPs ?? []).map((p) => p.ip).join(",");
    case "status.hostIP":
      return pod.status?.hostIP ?? "";
    case "status.hostIPs":
      return (pod.status?.hostIPs ?? []).map((p) => p.ip).join(",");
    default:
      throw new ConfigError(`unsupported fieldRef fieldPath: "${path}"`);
  }
}

/** key="value" lines sorted by key, as the downward API writes label and annotation files. */
function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {})
    .sort()
    .map((k) => `${k}=${JSON.stringify(m![k])}`)
    .join("\n");
}

/** The value of a resourceFieldRef: the container's limit (or node allocatable) / divisor, rounded up. */
export function resourceValue(pod: Pod, container: string, resource: string, divisor: string | undefined, allocatable: ConfigSources["allocatable"]): string {
  const c = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((x) => x.name === container);
  if (!c) throw new ConfigError(`resourceFieldRef: container "${container}" not found in the pod`);
  const [kind, res] = resource.split(".") as ["limits" | "requests", string];
  if (!["limits", "requests"].includes(kind) || !["cpu", "memory"].includes(res)) throw new ConfigError(`unsupported resourceFieldRef resource: "${resource}"`);
  const set = c.resources?.[kind]?.[res] ?? (kind === "requests" ? c.resources?.limits?.[res] : undefined);
  if (res === "cpu") {
    const milli = set !== undefined ? cpuToMilli(set) : kind === "limits" ? cpuToMilli(allocatable.cpu) : 0;
    return String(Math.ceil(milli / cpuToMilli(divisor ?? "1")));
  }
  const bytes = set !== undefined ? memoryToBytes(set) : kind === "limits" ? memoryToBytes(allocatable.memory) : 0;
  return String(Math.ceil(bytes / memoryToBytes(divisor ?? "1")));
}

/** Kubernetes' $(VAR) expansion: defined names are replaced, $$ escapes, anything else stays. */
export function expand(s: string, vars: Map<string, string>): string {
  return s.replace(/\$\$|\$\(([-._a-zA-Z0-9]+)\)/g, (m, name: string | undefined) => (m === "$$" ? "$" : vars.has(name!) ? vars.get(name!)! : m));
}

function decodeSecret(s: Secret, key: string): string | undefined {
  const v = s.data?.[key];
  return v === undefined ? undefined : Buffer.from(v, "base64").toString("utf8");
}

/** The container's environment (NAME=value list, envFrom first then env, later wins), with $(VAR) expanded. */
export function resolveEnv(pod: Pod, c: RuntimeContainerSpec, src: ConfigSources): Map<string, string> {
  const ns = pod.metadata.namespace!;
  const vars = new Map<string, string>();
  for (const from of c.envFrom ?? []) {
    const prefix = from.prefix ?? "";
    if (from.configMapRef) {
      const cm = src.configMap(ns, from.configMapRef.name);
      if (!cm) {
        if (from.configMapRef.optional) continue;
        throw new ConfigError(`configmap "${from.configMapRef.name}" not found`);
      }
      for (const [k, v] of Object.entries(cm.data ?? {})) vars.set(prefix + k, v);
    } else if (from.secretRef) {
      const s = src.secret(ns, from.secretRef.name);
      if (!s) {
        if (from.secretRef.optional) continue;
        throw new ConfigError(`secret "${from.secretRef.name}" not found`);
      }
      for (const k of Object.keys(s.data ?? {})) vars.set(prefix + k, decodeSecret(s, k)!);
    }
  }
  for (const e of c.env ?? []) {
    const vf = e.valueFrom;
    if (!vf) {
      vars.set(e.name, expand(e.value ?? "", vars));
      continue;
    }
    if (vf.configMapKeyRef) {
      const r = vf.configMapKeyRef;
      const cm = src.configMap(ns, r.name ?? "");
      if (!cm) {
        if (r.optional) continue;
        throw new ConfigError(`configmap "${r.name}" not found`);
      }
      const v = cm.data?.[r.key];
      if (v === undefined) {
        if (r.optional) continue;
        throw new ConfigError(`couldn't find key ${r.key} in ConfigMap ${ns}/${r.name}`);
      }
      vars.set(e.name, v);
    } else if (vf.secretKeyRef) {
      const r = vf.secretKeyRef;
      const s = src.secret(ns, r.name ?? "");
      if (!s) {
        if (r.optional) continue;
        throw new ConfigError(`secret "${r.name}" not found`);
      }
      const v = decodeSecret(s, r.key);
      if (v === undefined) {
        if (r.optional) continue;
        throw new ConfigError(`couldn't find key ${r.key} in Secret ${ns}/${r.name}`);
      }
      vars.set(e.name, v);
    } else if (vf.fieldRef) {
      vars.set(e.name, fieldValue(pod, vf.fieldRef.fieldPath));
    } else if (vf.resourceFieldRef) {
      const r = vf.resourceFieldRef;
      vars.set(e.name, resourceValue(pod, r.containerName || c.name, r.resource, r.divisor, src.allocatable));
    }
  }
  return vars;
}
