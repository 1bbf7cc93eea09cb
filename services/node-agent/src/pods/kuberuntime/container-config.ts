// The translation of one container of the pod spec into the engine's ContainerConfig: env
// (downward API, ConfigMaps, Secrets, service links), mounts, resources, labels, stdio.
import { ContainerLabels as L, cpuToMilli, memoryToBytes, type Pod, type RuntimeContainerSpec } from "@skiff/api";
import type { ContainerConfig, RuntimeContainer } from "../../runtime/runtime.js";
import { expand, resolveEnv } from "../../config/env.js";
import type { PreparedVolume, VolumeManager, VolumeSources } from "../../volumes/volumes.js";
import { ATTEMPT, BACKOFF_STEP, containerName, podLabels } from "./labels.js";

export interface ContainerConfigOptions {
  hostIP: string;
  /** Labels of everything this agent runs (node, cluster). */
  nodeLabels: Record<string, string>;
  /** json-file log rotation size per container (Docker's max-size). */
  logMaxSize?: string;
  /** Service env vars for a pod (the service network; optional). */
  serviceEnv?: (pod: Pod) => string[];
}

/** One container instance to create: which, in which sandbox, with its volumes. */
export interface ContainerInstance {
  pod: Pod;
  spec: RuntimeContainerSpec;
  /** "init" or "container". */
  kind: string;
  attempt: number;
  /** CrashLoopBackOff step, kept on the instance's labels. */
  backoffStep: number;
  sandbox: RuntimeContainer;
  podIP: string | undefined;
  vols: Map<string, PreparedVolume>;
}

/** The engine config; throws ConfigError or MountError (CreateContainerConfigError) on bad references. */
export async function containerConfig(
  c: ContainerInstance,
  volumes: VolumeManager,
  sources: VolumeSources,
  opts: ContainerConfigOptions,
): Promise<ContainerConfig> {
  const { pod, spec } = c;
  const res = spec.resources ?? {};
  const memLimit = res.limits?.memory !== undefined ? memoryToBytes(res.limits.memory) : undefined;
  const cpuLimit = res.limits?.cpu !== undefined ? cpuToMilli(res.limits.cpu) : undefined;
  const cpuRequest = res.requests?.cpu !== undefined ? cpuToMilli(res.requests.cpu) : cpuLimit;
  // The downward API's status.podIP must see this sandbox's IP even before status is written.
  const withIP: Pod = {
    ...pod,
    status: { ...pod.status, podIP: c.podIP, podIPs: c.podIP ? [{ ip: c.podIP }] : [], hostIP: opts.hostIP, hostIPs: [{ ip: opts.hostIP }] },
  };
  let env = resolveEnv(withIP, spec, sources);
  // Service links come first; the pod's own variables win over them.
  const links = opts.serviceEnv?.(pod) ?? [];
  if (links.length) env = new Map([...links.map((kv): [string, string] => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]), ...env]);
  const tlog = await volumes.terminationLog(pod.metadata.uid!, spec.name, c.attempt);
  const mounts = await volumes.mountsFor(spec, c.vols, { host: tlog, target: spec.terminationMessagePath ?? "/dev/termination-log" });
  return {
    name: containerName(pod, spec.name, c.attempt),
    image: spec.image,
    labels: {
      ...podLabels(opts.nodeLabels, pod),
      [L.kind]: c.kind,
      [L.containerName]: spec.name,
      [ATTEMPT]: String(c.attempt),
      [BACKOFF_STEP]: String(c.backoffStep),
    },
    command: spec.command?.map((x) => expand(x, env)),
    args: spec.args?.map((x) => expand(x, env)),
    env: [...env].map(([k, v]) => `${k}=${v}`),
    workingDir: spec.workingDir,
    sandboxId: c.sandbox.id,
    memoryBytes: memLimit,
    nanoCpus: cpuLimit !== undefined ? cpuLimit * 1_000_000 : undefined,
    // Shares as the kubelet computes them: request in millicores × 1024 / 1000, at least 2.
    cpuShares: cpuRequest !== undefined ? Math.max(2, Math.floor((cpuRequest * 1024) / 1000)) : 2,
    tty: spec.tty === true,
    stdin: spec.stdin === true,
    stdinOnce: spec.stdinOnce === true,
    mounts,
    logMaxSize: opts.logMaxSize,
  };
}
