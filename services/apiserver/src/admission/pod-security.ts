// Pod Security admission: a namespace's labels pod-security.kubernetes.io/enforce|warn|audit
// name a level (privileged, baseline, restricted; see Kubernetes' Pod Security Standards). A
// new pod that breaks the enforced level is refused with every violation listed; one that
// breaks the warn level is admitted with a warning to the client; audit adds a log line.
import type { Logger } from "@skiff/log";
import { ForbiddenError, type KObject, type Pod } from "@skiff/api";
import type { MutatingPlugin } from "./chain.js";

export type Level = "privileged" | "baseline" | "restricted";
const LEVELS: Level[] = ["privileged", "baseline", "restricted"];
const LABEL = "pod-security.kubernetes.io/";

interface SecurityContext {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  runAsNonRoot?: boolean;
  runAsUser?: number;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string };
  procMount?: string;
  sysctls?: { name: string }[];
}

type AnyContainer = { name: string; securityContext?: SecurityContext; ports?: { hostPort?: number }[] };

const baselineCaps = new Set([
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
]);
const safeSysctls = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);
const restrictedVolumes = new Set(["configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"]);

const list = (names: string[]) => names.map((n) => `"${n}"`).join(", ");
const containersOf = (p: Pod): AnyContainer[] => [...(p.spec.initContainers ?? []), ...(p.spec.containers ?? [])] as AnyContainer[];

/** The violations of `level` by a pod, worded as Kubernetes words them. */
export function checkPod(pod: Pod, level: Level): string[] {
  if (level === "privileged") return [];
  const out: string[] = [];
  const spec = pod.spec as Pod["spec"] & {
    hostNetwork?: boolean;
    hostPID?: boolean;
    hostIPC?: boolean;
    securityContext?: SecurityContext & { sysctls?: { name: string }[] };
  };
  const cs = containersOf(pod);
  const volumes = (spec.volumes ?? []) as ({ name: string } & Record<string, unknown>)[];
  const psc = spec.securityContext ?? {};
  const where = (names: string[]) => `container${names.length > 1 ? "s" : ""} ${list(names)}`;

  // baseline
  const hostNs = (["hostNetwork", "hostPID", "hostIPC"] as const).filter((k) => spec[k]);
  if (hostNs.length) out.push(`host namespaces (${hostNs.map((k) => `${k}=true`).join(", ")})`);
  const privileged = cs.filter((c) => c.securityContext?.privileged).map((c) => c.name);
  if (privileged.length) out.push(`privileged (${where(privileged)} must not set securityContext.privileged=true)`);
  const badCaps = cs.flatMap((c) => (c.securityContext?.capabilities?.add ?? []).filter((x) => !baselineCaps.has(x)).map((x) => [c.name, x] as const));
  if (badCaps.length)
    out.push(
      `non-default capabilities (${where([...new Set(badCaps.map((b) => b[0]))])} must not include ${list([...new Set(badCaps.map((b) => b[1]))])} in securityContext.capabilities.add)`,
    );
  const hostPath = volumes.filter((v) => v.hostPath).map((v) => v.name);
  if (hostPath.length) out.push(`hostPath volumes (volume${hostPath.length > 1 ? "s" : ""} ${list(hostPath)})`);
  const hostPorts = cs.flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort).map((p) => [c.name, p.hostPort!] as const));
  if (hostPorts.length)
    out.push(
      `hostPort (${where([...new Set(hostPorts.map((h) => h[0]))])} uses hostPort${hostPorts.length > 1 ? "s" : ""} ${hostPorts.map((h) => h[1]).join(", ")})`,
    );
  const procMount = cs.filter((c) => c.securityContext?.procMount && c.securityContext.procMount !== "Default").map((c) => c.name);
  if (procMount.length) out.push(`procMount (${where(procMount)} must not set securityContext.procMount to "Unmasked")`);
  const unconfined = [
    psc.seccompProfile?.type === "Unconfined" ? "pod" : "",
    ...cs.filter((c) => c.securityContext?.seccompProfile?.type === "Unconfined").map((c) => `container "${c.name}"`),
  ].filter(Boolean);
  if (unconfined.length) out.push(`seccompProfile (${unconfined.join(", ")} must not set securityContext.seccompProfile.type to "Unconfined")`);
  const sysctls = (psc.sysctls ?? []).map((s) => s.name).filter((n) => !safeSysctls.has(n));
  if (sysctls.length) out.push(`forbidden sysctls (${sysctls.join(", ")})`);
  if (level === "baseline") return out;

  // restricted
  const vols = volumes.filter((v) => !Object.keys(v).some((k) => restrictedVolumes.has(k)) && Object.keys(v).some((k) => k !== "name")).map((v) => v.name);
  if (vols.length && !hostPath.length)
    out.push(
      `restricted volume types (volume${vols.length > 1 ? "s" : ""} ${list(vols)} use${vols.length > 1 ? "" : "s"} restricted volume type${vols.length > 1 ? "s" : ""})`,
    );
  const escalate = cs.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
  if (escalate.length) out.push(`allowPrivilegeEscalation != false (${where(escalate)} must set securityContext.allowPrivilegeEscalation=false)`);
  const capsDrop = cs.filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes("ALL")).map((c) => c.name);
  const capsAdd = cs.filter((c) => (c.securityContext?.capabilities?.add ?? []).some((x) => x !== "NET_BIND_SERVICE")).map((c) => c.name);
  if (capsDrop.length || capsAdd.length) {
    const parts = [
      capsDrop.length ? `${where(capsDrop)} must set securityContext.capabilities.drop=["ALL"]` : "",
      capsAdd.length ? `${where(capsAdd)} must not include capabilities other than "NET_BIND_SERVICE" in securityContext.capabilities.add` : "",
    ].filter(Boolean);
    out.push(`unrestricted capabilities (${parts.join("; ")})`);
  }
  const nonRoot = cs.filter((c) => (c.securityContext?.runAsNonRoot ?? psc.runAsNonRoot) !== true).map((c) => c.name);
  if (nonRoot.length) out.push(`runAsNonRoot != true (pod or ${where(nonRoot)} must set securityContext.runAsNonRoot=true)`);
  const root = [psc.runAsUser === 0 ? "pod" : "", ...cs.filter((c) => c.securityContext?.runAsUser === 0).map((c) => `container "${c.name}"`)].filter(Boolean);
  if (root.length) out.push(`runAsUser=0 (${root.join(", ")} must not set runAsUser=0)`);
  const okSeccomp = (t?: string) => t === "RuntimeDefault" || t === "Localhost";
  const noSeccomp = cs.filter((c) => !okSeccomp(c.securityContext?.seccompProfile?.type ?? psc.seccompProfile?.type)).map((c) => c.name);
  if (noSeccomp.length) out.push(`seccompProfile (pod or ${where(noSeccomp)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`);
  return out;
}

/** A namespace's level for one mode (enforce, warn, audit); unknown values are treated as restricted, as Kubernetes does. */
export function levelOf(ns: KObject | undefined, mode: "enforce" | "warn" | "audit"): Level {
  const v = ns?.metadata.labels?.[`${LABEL}${mode}`];
  if (v === undefined) return "privileged";
  return LEVELS.includes(v as Level) ? (v as Level) : "restricted";
}

export function podSecurity(getNamespace: (name: string) => Promise<KObject | undefined>, log: Logger): MutatingPlugin {
  return {
    name: "PodSecurity",
    handles: (a) => a.operation === "CREATE" && a.subresource === "" && a.resource.group === "" && a.resource.resource === "pods",
    async admit(a) {
      const ns = await getNamespace(a.namespace);
      const pod = a.object as Pod;
      const message = (level: Level, v: string[], verb = "violates") => `${verb} PodSecurity "${level}:latest": ${v.join(", ")}`;
      const enforce = levelOf(ns, "enforce");
      const bad = checkPod(pod, enforce);
      if (bad.length) throw new ForbiddenError(`pods "${a.name}" is forbidden: ${message(enforce, bad)}`, { name: a.name, kind: "pods" });
      const warn = levelOf(ns, "warn");
      const warned = checkPod(pod, warn);
      if (warned.length) a.warn?.(`would ${message(warn, warned, "violate")}`);
      const audit = levelOf(ns, "audit");
      const audited = checkPod(pod, audit);
      if (audited.length) log.info({ namespace: a.namespace, pod: a.name, user: a.user?.name }, `pod ${message(audit, audited)}`);
    },
  };
}
