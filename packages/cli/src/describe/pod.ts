// `describe pod`: the pod, each container's image, state, readiness, resources and command,
// its conditions, and its events (kubectl's PodDescriber layout).
import type { Container, ContainerState, ContainerStatus, EnvVar, Pod, Toleration } from "@skiff/api";
import { humanDuration } from "@skiff/printers";
import { type DescribeWriter, formatTime } from "./writer.js";

type Probe = {
  httpGet?: { path?: string; port?: number | string; host?: string; scheme?: string };
  tcpSocket?: { port?: number | string; host?: string };
  exec?: { command?: string[] };
  grpc?: { port?: number; service?: string };
  initialDelaySeconds?: number;
  timeoutSeconds?: number;
  periodSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
};

/** Writes everything but the events of a pod. */
export function describePod(w: DescribeWriter, pod: Pod, now: Date = new Date()): void {
  const spec = pod.spec ?? { containers: [] };
  const status = pod.status ?? {};
  w.line(0, `Name:\t${pod.metadata.name}`);
  w.line(0, `Namespace:\t${pod.metadata.namespace ?? ""}`);
  if (spec.priority !== undefined) w.line(0, `Priority:\t${spec.priority}`);
  if (spec.serviceAccountName) w.line(0, `Service Account:\t${spec.serviceAccountName}`);
  w.line(0, `Node:\t${spec.nodeName ? (status.hostIP ? `${spec.nodeName}/${status.hostIP}` : spec.nodeName) : "<none>"}`);
  if (status.startTime) w.line(0, `Start Time:\t${formatTime(status.startTime)}`);
  w.map(0, "Labels", pod.metadata.labels);
  w.annotations(0, pod.metadata.annotations);
  if (pod.metadata.deletionTimestamp) {
    const left = Date.parse(pod.metadata.deletionTimestamp) - now.getTime();
    w.line(0, `Status:\tTerminating (lasts ${humanDuration(left)})`);
    w.line(0, `Termination Grace Period:\t${pod.metadata.deletionGracePeriodSeconds ?? 0}s`);
  } else {
    w.line(0, `Status:\t${status.phase ?? "Pending"}`);
  }
  if (status.reason) w.line(0, `Reason:\t${status.reason}`);
  if (status.message) w.line(0, `Message:\t${status.message}`);
  w.line(0, `IP:\t${status.podIP ?? ""}`);
  const ips = status.podIPs?.length ? status.podIPs.map((p) => p.ip) : status.podIP ? [status.podIP] : [];
  if (ips.length === 0) w.line(0, "IPs:\t<none>");
  else {
    w.line(0, "IPs:");
    for (const ip of ips) w.line(1, `IP:\t${ip}`);
  }
  const controller = pod.metadata.ownerReferences?.find((o) => o.controller);
  if (controller) w.line(0, `Controlled By:\t${controller.kind}/${controller.name}`);
  if (spec.initContainers?.length) {
    w.line(0, "Init Containers:");
    for (const c of spec.initContainers)
      describeContainer(
        w,
        c,
        status.initContainerStatuses?.find((s) => s.name === c.name),
      );
  }
  w.line(0, "Containers:");
  for (const c of spec.containers ?? [])
    describeContainer(
      w,
      c,
      status.containerStatuses?.find((s) => s.name === c.name),
    );
  if (status.conditions?.length) {
    w.line(0, "Conditions:");
    w.line(1, "Type\tStatus");
    for (const c of status.conditions) w.line(1, `${c.type} \t${c.status}`);
  }
  describeVolumes(w, (spec.volumes as Record<string, unknown>[] | undefined) ?? []);
  if (status.qosClass) w.line(0, `QoS Class:\t${status.qosClass}`);
  w.map(0, "Node-Selectors", spec.nodeSelector, "=");
  w.list(0, "Tolerations", (spec.tolerations ?? []).map(formatToleration));
}

/** One container block: identity, ports, command, state, readiness, resources, env. */
function describeContainer(w: DescribeWriter, c: Container, s: ContainerStatus | undefined): void {
  w.line(1, `${c.name}:`);
  if (s?.containerID) w.line(2, `Container ID:\t${s.containerID}`);
  w.line(2, `Image:\t${c.image}`);
  if (s) w.line(2, `Image ID:\t${s.imageID ?? ""}`);
  const ports = c.ports ?? [];
  const fmt = (p: number | undefined, proto: string | undefined) => `${p ?? 0}/${proto ?? "TCP"}`;
  if (ports.length <= 1) {
    w.line(2, `Port:\t${ports[0] ? fmt(ports[0].containerPort, ports[0].protocol) : "<none>"}`);
    w.line(2, `Host Port:\t${ports[0] ? fmt(ports[0].hostPort, ports[0].protocol) : "<none>"}`);
  } else {
    w.line(2, `Ports:\t${ports.map((p) => fmt(p.containerPort, p.protocol)).join(", ")}`);
    w.line(2, `Host Ports:\t${ports.map((p) => fmt(p.hostPort, p.protocol)).join(", ")}`);
  }
  for (const [title, args] of [
    ["Command", c.command],
    ["Args", c.args],
  ] as const) {
    if (!args?.length) continue;
    w.line(2, `${title}:`);
    for (const a of args) for (const line of a.split("\n")) w.line(3, line);
  }
  if (s) {
    describeState(w, "State", s.state);
    if (s.lastState?.terminated) describeState(w, "Last State", s.lastState);
    w.line(2, `Ready:\t${s.ready ? "True" : "False"}`);
    w.line(2, `Restart Count:\t${s.restartCount ?? 0}`);
  } else {
    w.line(2, "State:\tWaiting");
    w.line(2, "Ready:\tFalse");
    w.line(2, "Restart Count:\t0");
  }
  for (const [title, list] of [
    ["Limits", c.resources?.limits],
    ["Requests", c.resources?.requests],
  ] as const) {
    const keys = Object.keys(list ?? {}).sort();
    if (!keys.length) continue;
    w.line(2, `${title}:`);
    for (const k of keys) w.line(3, `${k}:\t${list![k]}`);
  }
  for (const kind of ["liveness", "readiness", "startup"] as const) {
    const probe = c[`${kind}Probe`] as Probe | undefined;
    if (probe) w.line(2, `${kind[0].toUpperCase()}${kind.slice(1)}:\t${formatProbe(probe)}`);
  }
  const env = c.env ?? [];
  if (env.length === 0) w.line(2, "Environment:\t<none>");
  else {
    w.line(2, "Environment:");
    for (const e of env) w.line(3, `${e.name}:\t${formatEnvValue(e)}`);
  }
  const mounts = (c.volumeMounts as { name: string; mountPath: string; readOnly?: boolean; subPath?: string }[] | undefined) ?? [];
  if (mounts.length === 0) w.line(2, "Mounts:\t<none>");
  else {
    w.line(2, "Mounts:");
    for (const m of mounts) w.line(3, `${m.mountPath} from ${m.name} (${m.readOnly ? "ro" : "rw"}${m.subPath ? `,path="${m.subPath}"` : ""})`);
  }
}

/** `State:  Running` and its details, as kubectl's describeStatus. */
function describeState(w: DescribeWriter, title: string, st: ContainerState | undefined): void {
  if (st?.running) {
    w.line(2, `${title}:\tRunning`);
    w.line(3, `Started:\t${formatTime(st.running.startedAt)}`);
  } else if (st?.terminated) {
    const t = st.terminated;
    w.line(2, `${title}:\tTerminated`);
    if (t.reason) w.line(3, `Reason:\t${t.reason}`);
    if (t.message) w.line(3, `Message:\t${t.message.trim()}`);
    w.line(3, `Exit Code:\t${t.exitCode}`);
    if (t.signal) w.line(3, `Signal:\t${t.signal}`);
    w.line(3, `Started:\t${formatTime(t.startedAt)}`);
    w.line(3, `Finished:\t${formatTime(t.finishedAt)}`);
  } else {
    w.line(2, `${title}:\tWaiting`);
    if (st?.waiting?.reason) w.line(3, `Reason:\t${st.waiting.reason}`);
    // kubectl leaves this to the events; it is often the only clue (bad image, missing secret).
    if (st?.waiting?.message) w.line(3, `Message:\t${st.waiting.message.trim()}`);
  }
}

/** `http-get http://:8080/healthz delay=0s timeout=1s period=10s #success=1 #failure=3`. */
export function formatProbe(p: Probe): string {
  let action = "unknown";
  if (p.httpGet) action = `http-get ${(p.httpGet.scheme ?? "HTTP").toLowerCase()}://${p.httpGet.host ?? ""}:${p.httpGet.port ?? ""}${p.httpGet.path ?? ""}`;
  else if (p.tcpSocket) action = `tcp-socket ${p.tcpSocket.host ?? ""}:${p.tcpSocket.port ?? ""}`;
  else if (p.exec) action = `exec [${(p.exec.command ?? []).join(" ")}]`;
  else if (p.grpc) action = `grpc <pod>:${p.grpc.port ?? ""} ${p.grpc.service ?? ""}`.trimEnd();
  return `${action} delay=${p.initialDelaySeconds ?? 0}s timeout=${p.timeoutSeconds ?? 1}s period=${p.periodSeconds ?? 10}s #success=${p.successThreshold ?? 1} #failure=${p.failureThreshold ?? 3}`;
}

function formatEnvValue(e: EnvVar): string {
  if (e.value !== undefined || !e.valueFrom) return e.value ?? "";
  const from = e.valueFrom as Record<string, Record<string, unknown>>;
  const opt = (r: Record<string, unknown>) => `  Optional: ${r.optional === true}`;
  if (from.configMapKeyRef) return `<set to the key '${from.configMapKeyRef.key}' of config map '${from.configMapKeyRef.name}'>${opt(from.configMapKeyRef)}`;
  if (from.secretKeyRef) return `<set to the key '${from.secretKeyRef.key}' in secret '${from.secretKeyRef.name}'>${opt(from.secretKeyRef)}`;
  if (from.fieldRef) return ` (${from.fieldRef.apiVersion ?? "v1"}:${from.fieldRef.fieldPath})`;
  if (from.resourceFieldRef) return `${from.resourceFieldRef.resource}`;
  return "<set from a source skiff cannot show>";
}

function describeVolumes(w: DescribeWriter, volumes: Record<string, unknown>[]): void {
  if (volumes.length === 0) return w.line(0, "Volumes:\t<none>");
  w.line(0, "Volumes:");
  for (const v of volumes) {
    w.line(1, `${v.name}:`);
    const type = Object.keys(v).find((k) => k !== "name");
    if (!type) continue;
    w.line(2, `Type:\t${type[0].toUpperCase()}${type.slice(1)}`);
    const src = v[type];
    if (src && typeof src === "object") {
      for (const [k, val] of Object.entries(src)) {
        if (typeof val !== "object") w.line(2, `${k[0].toUpperCase()}${k.slice(1)}:\t${String(val)}`);
      }
    }
  }
}

/** `key=value:Effect op=Exists for 300s`, kubectl's toleration format. */
export function formatToleration(t: Toleration): string {
  let s = t.key ?? "";
  if (t.value) s += `=${t.value}`;
  if (t.effect) s += `:${t.effect}`;
  if (t.operator === "Exists" && !t.value) s += t.key || t.effect ? " op=Exists" : "op=Exists";
  if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
  return s;
}
