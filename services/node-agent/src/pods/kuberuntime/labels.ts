// How a pod's containers are named and labelled in the engine, and how they are read back:
// the labels are the agent's only record of attempts and back-off (they survive its restarts).
import { ContainerLabels as L, type Pod } from "@skiff/api";
import type { RuntimeContainer } from "../../runtime/runtime.js";

export const ATTEMPT = "io.skiff.attempt";
export const BACKOFF_STEP = "io.skiff.backoff-step";

/** The runtime-label kinds: the pause sandbox, init containers, app containers. */
export const SANDBOX = "sandbox";
export const INIT = "init";
export const APP = "container";

/** Docker container names must be unique; these mirror the kubelet's k8s_… names. */
export function containerName(pod: Pod, container: string, attempt: number): string {
  return `skiff_${container}_${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid!.slice(0, 8)}_${attempt}`;
}

/** The labels every container of the pod carries (node and cluster included). */
export function podLabels(nodeLabels: Record<string, string>, pod: Pod): Record<string, string> {
  return {
    ...nodeLabels,
    [L.podName]: pod.metadata.name!,
    [L.podNamespace]: pod.metadata.namespace!,
    [L.podUid]: pod.metadata.uid!,
  };
}

export function attemptOf(c: RuntimeContainer): number {
  return Number(c.labels[ATTEMPT] ?? 0) || 0;
}

export function isFinished(c: RuntimeContainer): boolean {
  return c.state === "exited" || c.state === "dead" || (c.state === "created" && !!c.error);
}

export function isSandbox(c: RuntimeContainer): boolean {
  return c.labels[L.kind] === SANDBOX;
}

/** The instances of one container of the pod, newest attempt first. */
export function instancesOf(mine: RuntimeContainer[], kind: string, name: string): RuntimeContainer[] {
  return mine.filter((c) => c.labels[L.kind] === kind && c.labels[L.containerName] === name).sort((a, b) => attemptOf(b) - attemptOf(a));
}
