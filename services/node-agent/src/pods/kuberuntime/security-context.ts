// A pod's securityContext as the engine applies it (the kubelet's security_context.go and
// verifyRunAsNonRoot): container fields win over the pod's for runAsUser, runAsGroup,
// runAsNonRoot and seccompProfile; supplementalGroups, fsGroup and sysctls are pod-level only;
// capabilities, privileged, allowPrivilegeEscalation and readOnlyRootFilesystem container-only.
import type { Pod, RuntimeContainerSpec } from "@skiff/api";
import { ConfigError } from "../../config/env.js";
import type { ContainerConfig } from "../../runtime/runtime.js";

/** core/v1 SecurityContext (the fields the agent acts on). */
export interface ContainerSecurity {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  readOnlyRootFilesystem?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string; localhostProfile?: string };
  procMount?: string;
}

/** core/v1 PodSecurityContext (the fields the agent acts on). */
export interface PodSecurity {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
  supplementalGroups?: number[];
  fsGroup?: number;
  sysctls?: { name: string; value: string }[];
  seccompProfile?: { type?: string; localhostProfile?: string };
}

/** The pod's securityContext. */
export const podSecurityOf = (pod: Pod): PodSecurity => (pod.spec.securityContext ?? {}) as PodSecurity;

/** The container's settings with the pod's filled in where Kubernetes lets them apply. */
export function effectiveSecurity(pod: Pod, spec: RuntimeContainerSpec): ContainerSecurity & Pick<PodSecurity, "supplementalGroups" | "fsGroup"> {
  const p = podSecurityOf(pod);
  const c = (spec.securityContext ?? {}) as ContainerSecurity;
  return {
    ...c,
    runAsUser: c.runAsUser ?? p.runAsUser,
    runAsGroup: c.runAsGroup ?? p.runAsGroup,
    runAsNonRoot: c.runAsNonRoot ?? p.runAsNonRoot,
    seccompProfile: c.seccompProfile ?? p.seccompProfile,
    supplementalGroups: p.supplementalGroups,
    fsGroup: p.fsGroup,
  };
}

/** The kubelet's name of a pod in messages: name_namespace(uid). */
const podName = (pod: Pod) => `${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;

/**
 * The kubelet's verifyRunAsNonRoot: with runAsNonRoot, the user the container runs as must be
 * provably non-zero — from runAsUser, else from the image's USER (empty means root; a name cannot
 * be verified). Throws ConfigError (CreateContainerConfigError) with the kubelet's words.
 */
export function verifyRunAsNonRoot(pod: Pod, spec: RuntimeContainerSpec, imageUser: string): void {
  const s = effectiveSecurity(pod, spec);
  if (s.runAsNonRoot !== true) return;
  const where = `(pod: "${podName(pod)}", container: ${spec.name})`;
  if (s.runAsUser !== undefined) {
    if (s.runAsUser === 0) throw new ConfigError(`container's runAsUser breaks non-root policy ${where}`);
    return;
  }
  const user = imageUser.split(":")[0];
  if (user === "" || /^\d+$/.test(user)) {
    if (Number(user || "0") === 0) throw new ConfigError(`container has runAsNonRoot and image will run as root ${where}`);
    return;
  }
  throw new ConfigError(`container has runAsNonRoot and image has non-numeric user (${user}), cannot verify user is non-root ${where}`);
}

const capName = (c: string) => c.toUpperCase().replace(/^CAP_/, "");

/** The engine's share of the securityContext; `imageUser` is the image's USER (read only when needed). */
export async function securityConfig(pod: Pod, spec: RuntimeContainerSpec, imageUser: () => Promise<string>): Promise<Partial<ContainerConfig>> {
  const s = effectiveSecurity(pod, spec);
  const out: Partial<ContainerConfig> = {};
  if (s.runAsNonRoot === true || (s.runAsGroup !== undefined && s.runAsUser === undefined)) {
    const iu = await imageUser();
    verifyRunAsNonRoot(pod, spec, iu);
    // runAsGroup alone: the image's user with that primary group.
    if (s.runAsUser === undefined && s.runAsGroup !== undefined) out.user = `${iu.split(":")[0] || "0"}:${s.runAsGroup}`;
  }
  if (s.runAsUser !== undefined) out.user = s.runAsUser + (s.runAsGroup !== undefined ? `:${s.runAsGroup}` : "");
  const groups = [...(s.supplementalGroups ?? []), ...(s.fsGroup !== undefined ? [s.fsGroup] : [])];
  if (groups.length) out.groupAdd = [...new Set(groups)].map(String);
  if (s.capabilities?.add?.length) out.capAdd = s.capabilities.add.map(capName);
  if (s.capabilities?.drop?.length) out.capDrop = s.capabilities.drop.map(capName);
  if (s.privileged === true) out.privileged = true;
  if (s.readOnlyRootFilesystem === true) out.readonlyRootfs = true;
  const opts: string[] = [];
  // Kubernetes sets no_new_privs only when allowPrivilegeEscalation is false (privileged implies true).
  if (s.allowPrivilegeEscalation === false && s.privileged !== true) opts.push("no-new-privileges");
  const seccomp = s.seccompProfile?.type;
  if (seccomp === "Unconfined" || s.privileged === true) opts.push("seccomp=unconfined");
  else if (seccomp === "Localhost")
    throw new ConfigError(`${where(spec)}securityContext.seccompProfile: Localhost profiles are not supported by this node (use RuntimeDefault or Unconfined)`);
  else if (seccomp !== undefined && seccomp !== "RuntimeDefault")
    throw new ConfigError(`${where(spec)}securityContext.seccompProfile.type: Unsupported value: "${seccomp}"`);
  if (opts.length) out.securityOpt = opts;
  return out;
}

const where = (spec: RuntimeContainerSpec) => `container ${spec.name}: `;

/** Kubernetes' safe sysctls (namespaced, cannot affect other pods); every other one is refused by the node. */
export const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

/** The kubelet's admission of sysctls: the message of the first one not allowed, else undefined. */
export function forbiddenSysctl(pod: Pod, allowedUnsafe: ReadonlySet<string> = new Set()): string | undefined {
  for (const s of podSecurityOf(pod).sysctls ?? []) {
    // The kubelet also accepts the slash form (net/ipv4/…).
    const name = s.name.replace(/\//g, ".");
    if (pod.spec.hostNetwork === true && name.startsWith("net.")) return `sysctl "${s.name}" not allowed with host net enabled`;
    if (
      pod.spec.hostIPC === true &&
      (name.startsWith("kernel.shm") || name.startsWith("kernel.msg") || name.startsWith("kernel.sem") || name.startsWith("fs.mqueue."))
    )
      return `sysctl "${s.name}" not allowed with host ipc enabled`;
    if (SAFE_SYSCTLS.has(name) || allowedUnsafe.has(name)) continue;
    if ([...allowedUnsafe].some((a) => a.endsWith("*") && name.startsWith(a.slice(0, -1)))) continue;
    return `forbidden sysctl: "${s.name}" not allowlisted`;
  }
  return undefined;
}

/** The sysctls of the pod's sandbox (they are per network / IPC namespace, which the sandbox holds). */
export function sandboxSysctls(pod: Pod): Record<string, string> | undefined {
  const list = podSecurityOf(pod).sysctls ?? [];
  if (!list.length) return undefined;
  return Object.fromEntries(list.map((s) => [s.name.replace(/\//g, "."), s.value]));
}
