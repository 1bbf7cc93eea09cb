// Pod facts controllers share: readiness, availability (minReadySeconds), activity, building a
// pod from a template, and the order in which surplus pods are deleted.
import { getCondition, type KObject, type Pod, type PodSpec, type OwnerReference } from "@skiff/api";
import type { PodTemplateSpec } from "@skiff/api";

/** Not finished and not being deleted: counts towards replicas. */
export function isPodActive(p: Pod): boolean {
  return p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed" && !p.metadata.deletionTimestamp;
}

/** Ready condition True. */
export function isPodReady(p: Pod): boolean {
  return getCondition(p.status?.conditions, "Ready")?.status === "True";
}

/** Ready for at least minReadySeconds at `now`. */
export function isPodAvailable(p: Pod, minReadySeconds: number, now = Date.now()): boolean {
  const c = getCondition(p.status?.conditions, "Ready");
  if (c?.status !== "True") return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : 0;
  return since + minReadySeconds * 1000 <= now;
}

/** ms until a ready pod becomes available (0 when it already is or is not ready). */
export function msUntilAvailable(p: Pod, minReadySeconds: number, now = Date.now()): number {
  const c = getCondition(p.status?.conditions, "Ready");
  if (c?.status !== "True" || !minReadySeconds || !c.lastTransitionTime) return 0;
  return Math.max(0, Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 - now);
}

/** A pod object from a template, owned by `ref` (name from generateName unless given). */
export function podFromTemplate(
  t: PodTemplateSpec,
  namespace: string,
  ref: OwnerReference,
  opts: { name?: string; generateName?: string; labels?: Record<string, string>; spec?: Partial<PodSpec> } = {},
): Pod {
  const spec = structuredClone(t.spec);
  Object.assign(spec, opts.spec ?? {});
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...(opts.name ? { name: opts.name } : { generateName: opts.generateName ?? `${ref.name}-` }),
      namespace,
      labels: { ...(t.metadata?.labels ?? {}), ...(opts.labels ?? {}) },
      annotations: { ...(t.metadata?.annotations ?? {}) },
      ownerReferences: [ref],
    },
    spec,
  };
}

/**
 * Sorts pods so the ones to delete first come first (client-go's ActivePods order):
 * unassigned < assigned, Pending < Unknown < Running, not ready < ready, ready for less time,
 * more restarts, newer.
 */
export function deletionOrder(a: Pod, b: Pod): number {
  const assigned = (p: Pod) => (p.spec.nodeName ? 1 : 0);
  if (assigned(a) !== assigned(b)) return assigned(a) - assigned(b);
  const phaseRank = (p: Pod) => (({ Pending: 0, Unknown: 1, Running: 2 }) as Record<string, number>)[p.status?.phase ?? "Pending"] ?? 0;
  if (phaseRank(a) !== phaseRank(b)) return phaseRank(a) - phaseRank(b);
  if (isPodReady(a) !== isPodReady(b)) return isPodReady(a) ? 1 : -1;
  const readySince = (p: Pod) => Date.parse(getCondition(p.status?.conditions, "Ready")?.lastTransitionTime ?? "") || 0;
  if (isPodReady(a) && readySince(a) !== readySince(b)) return readySince(b) - readySince(a);
  const restarts = (p: Pod) => (p.status?.containerStatuses ?? []).reduce((s, c) => s + (c.restartCount ?? 0), 0);
  if (restarts(a) !== restarts(b)) return restarts(b) - restarts(a);
  const created = (o: KObject) => Date.parse(o.metadata.creationTimestamp ?? "") || 0;
  return created(b) - created(a);
}
