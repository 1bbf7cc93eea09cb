// StatefulSet pod identity: ordinal names, hostname/subdomain, per-pod claims from
// volumeClaimTemplates, and the revision labels (stateful_set_utils.go).
import type { KObject, PersistentVolumeClaim, Pod, PodTemplateSpec, StatefulSet } from "@skiff/api";
import { podFromTemplate } from "../common/pods.js";
import { newControllerRef } from "../common/ownership.js";

/** Label carrying the name of the ControllerRevision a pod was made from. */
export const REVISION_LABEL = "controller-revision-hash";
/** Label carrying a StatefulSet pod's own name (for per-pod Services). */
export const POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name";
/** Label carrying a StatefulSet pod's ordinal. */
export const POD_INDEX_LABEL = "apps.kubernetes.io/pod-index";

/** The ordinal of a pod of this set (`web-3` → 3), or -1 when the name is not `<set>-<n>`. */
export function ordinalOf(set: StatefulSet, pod: Pod): number {
  const prefix = `${set.metadata.name}-`;
  const name = pod.metadata.name ?? "";
  if (!name.startsWith(prefix)) return -1;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : -1;
}

/** Name of the pod with this ordinal. */
export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** Name of the claim of one volumeClaimTemplate for one ordinal: `<template>-<set>-<ordinal>`. */
export function claimName(set: StatefulSet, template: KObject, ordinal: number): string {
  return `${template.metadata.name}-${set.metadata.name}-${ordinal}`;
}

/**
 * The claims a pod of this ordinal uses. They carry the selector's labels and no owner
 * reference: by default (retention policy Retain) claims outlive their pods and the set.
 */
export function claimsFor(set: StatefulSet, ordinal: number): PersistentVolumeClaim[] {
  const labels = { ...((set.spec.selector as { matchLabels?: Record<string, string> }).matchLabels ?? {}) };
  return (set.spec.volumeClaimTemplates ?? []).map((t) => {
    const c = structuredClone(t) as PersistentVolumeClaim;
    return {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: claimName(set, t, ordinal),
        namespace: set.metadata.namespace,
        labels: { ...(c.metadata?.labels ?? {}), ...labels },
        annotations: c.metadata?.annotations,
      },
      spec: c.spec,
    } as PersistentVolumeClaim;
  });
}

/** The pod of one ordinal made from `template` at revision `revision` (a ControllerRevision name). */
export function newStatefulPod(set: StatefulSet, template: PodTemplateSpec, revision: string, ordinal: number): Pod {
  const name = podName(set, ordinal);
  const ref = newControllerRef(set, "apps/v1", "StatefulSet");
  const pod = podFromTemplate(template, set.metadata.namespace!, ref, {
    name,
    labels: { [REVISION_LABEL]: revision, [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal) },
    spec: { hostname: name, ...(set.spec.serviceName ? { subdomain: set.spec.serviceName } : {}) },
  });
  // Each claim template replaces a template volume of the same name (or is added).
  const vols = ((pod.spec.volumes as { name: string }[] | undefined) ?? []).filter(
    (v) => !(set.spec.volumeClaimTemplates ?? []).some((t) => t.metadata.name === v.name),
  );
  for (const t of set.spec.volumeClaimTemplates ?? [])
    vols.push({ name: t.metadata.name!, persistentVolumeClaim: { claimName: claimName(set, t, ordinal) } } as never);
  if (vols.length) pod.spec.volumes = vols;
  return pod;
}

/** Phase Running and condition Ready True (isRunningAndReady). */
export function isRunningAndReady(p: Pod): boolean {
  return p.status?.phase === "Running" && !!p.status.conditions?.some((c) => c.type === "Ready" && c.status === "True");
}

/** Finished pods are replaced (isFailed / isSucceeded). */
export function isFinished(p: Pod): boolean {
  return p.status?.phase === "Failed" || p.status?.phase === "Succeeded";
}
