// Mirror pods of the node's own processes (proxy, DNS, ingress controller): what the kubelet's
// static pods and their mirror pods are, built from the command line each process runs. Pure:
// the pod a component is, its hash, its mirror form (annotations, owner) and its status.
import { createHash } from "node:crypto";
import {
  CONFIG_HASH_ANNOTATION,
  CONFIG_SEEN_ANNOTATION,
  CONFIG_SOURCE_ANNOTATION,
  MIRROR_POD_ANNOTATION,
  type ContainerStatus,
  type Pod,
  type PodStatus,
} from "@skiff/api";
import { computeStatus } from "../pods/status.js";
import type { RuntimeContainer } from "../runtime/runtime.js";

/** The namespace of every mirror pod of a node component (the cluster's own workloads). */
export const MIRROR_NAMESPACE = "kube-system";

/** One process the agent runs as part of the node. */
export interface NodeComponent {
  /** The static pod's name before the node suffix ("skiff-proxy"); the mirror pod is `<name>-<node>`. */
  name: string;
  /** Its one container's name ("proxy"). */
  container: string;
  /** The process's command line (argv): the container's command. */
  command: string[];
  /** Its state file (pid, ports) and log file, in the agent's run dir. */
  stateFile: string;
  logFile: string;
}

/** What the agent sees of a component's process. */
export interface ProcessState {
  /** Set while the process runs. */
  pid?: number;
  /** When the running process started serving (RFC 3339). */
  startedAt?: string;
}

/** The static pod of a component on `nodeName` (no node uid, no hash: those make it a mirror pod). */
export function staticPod(c: NodeComponent, nodeName: string, version: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: `${c.name}-${nodeName}`,
      namespace: MIRROR_NAMESPACE,
      // kubeadm's static pods carry component and tier; no Service selects these.
      labels: { component: c.name, tier: "node" },
    },
    spec: {
      nodeName,
      // The process shares the node's network namespace: its IP is the node's.
      hostNetwork: true,
      // No image is pulled: the name says which Skiff component and version runs (README).
      containers: [{ name: c.container, image: `skiff/${c.container}:${version}`, command: c.command }],
      restartPolicy: "Always",
      // Static pods tolerate every NoExecute taint (the kubelet adds this): a NotReady node keeps them.
      tolerations: [{ operator: "Exists", effect: "NoExecute" }],
      priorityClassName: "system-node-critical",
      // Mirror pods may not use service accounts (NodeRestriction); kubectl shows none mounted.
      automountServiceAccountToken: false,
      enableServiceLinks: false,
    },
  };
}

/** The static pod's hash (the kubelet's config hash): what, when it changes, replaces the mirror pod. */
export function podHash(pod: Pod): string {
  const { name, namespace, labels } = pod.metadata;
  return createHash("sha256")
    .update(JSON.stringify({ name, namespace, labels, spec: pod.spec }))
    .digest("hex")
    .slice(0, 32);
}

/** The mirror pod to create for a static pod: its hash annotations and its Node as controller owner. */
export function mirrorPod(sp: Pod, node: { name: string; uid: string }, seenAt: string): Pod {
  const hash = podHash(sp);
  return {
    ...sp,
    metadata: {
      ...sp.metadata,
      annotations: {
        [CONFIG_HASH_ANNOTATION]: hash,
        [MIRROR_POD_ANNOTATION]: hash,
        // The nearest of the kubelet's sources: built into the agent, as a manifest file would be.
        [CONFIG_SOURCE_ANNOTATION]: "file",
        [CONFIG_SEEN_ANNOTATION]: seenAt,
      },
      ownerReferences: [{ apiVersion: "v1", kind: "Node", name: node.name, uid: node.uid, controller: true }],
    },
  };
}

/** Why the existing mirror pod `cur` must be replaced to mirror `want` (undefined: it mirrors it). */
export function staleReason(cur: Pod, want: Pod): string | undefined {
  if (cur.metadata.deletionTimestamp) return "deleted through the API";
  if (cur.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== want.metadata.annotations?.[MIRROR_POD_ANNOTATION]) return "its static pod changed";
  const owner = cur.metadata.ownerReferences?.find((o) => o.kind === "Node" && o.controller);
  if (owner?.uid !== want.metadata.ownerReferences?.[0]?.uid) return "its Node was replaced";
  return undefined;
}

/** The process id recorded in a mirror pod's container status (containerID process://<pid>). */
export function recordedPid(pod: Pod | undefined): number | undefined {
  const id = pod?.status?.containerStatuses?.[0]?.containerID ?? "";
  const m = /^process:\/\/(\d+)$/.exec(id);
  return m ? Number(m[1]) : undefined;
}

/**
 * The status of a mirror pod whose process is `state`, as the kubelet reports a hostNetwork pod:
 * phase, conditions, pod IP = node IP, one container (running, or terminated while it is down).
 * A process id other than the one last reported counts a restart.
 */
export function mirrorStatus(pod: Pod, state: ProcessState, nodeIP: string, now: string): PodStatus {
  const c = pod.spec.containers[0];
  const prev = pod.status?.containerStatuses?.[0];
  const lastPid = recordedPid(pod);
  const restarted = state.pid !== undefined && lastPid !== undefined && lastPid !== state.pid;
  const restartCount = (prev?.restartCount ?? 0) + (restarted ? 1 : 0);
  const running: RuntimeContainer | undefined =
    state.pid === undefined
      ? undefined
      : {
          id: String(state.pid),
          name: c.name,
          image: c.image ?? "",
          imageId: "",
          labels: {},
          state: "running",
          exitCode: 0,
          oomKilled: false,
          error: "",
          createdAt: now,
          startedAt: state.startedAt ?? now,
        };
  const status = computeStatus(pod, [{ name: c.name, image: c.image ?? "", current: running, restartCount }], nodeIP, nodeIP);
  // The agent does not see a detached process's exit status: reported as the kubelet reports a
  // container it lost (ContainerStatusUnknown, 137).
  const lost = {
    terminated: {
      exitCode: 137,
      reason: "ContainerStatusUnknown",
      message: "The process ended; the node agent restarts it",
      finishedAt: now,
      ...(lastPid !== undefined ? { containerID: `process://${lastPid}` } : {}),
    },
  };
  const cs: ContainerStatus = {
    ...status.containerStatuses![0],
    imageID: "",
    ...(state.pid !== undefined ? { containerID: `process://${state.pid}` } : { containerID: prev?.containerID }),
    state: state.pid !== undefined ? status.containerStatuses![0].state : prev?.state.terminated ? prev.state : lost,
    lastState: restarted ? lost : (prev?.lastState ?? {}),
  };
  if (!cs.containerID) delete cs.containerID;
  // A process that ran and is down is being restarted (restartPolicy Always): still Running.
  return { ...status, ...(state.pid === undefined && prev ? { phase: "Running" as const } : {}), containerStatuses: [cs] };
}
