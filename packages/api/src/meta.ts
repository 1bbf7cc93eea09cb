// Small helpers over object metadata and conditions used by several processes.
import type { KObject } from "./types.js";

/** "namespace/name" (or "name" for cluster-scoped objects): the key of work queues and caches. */
export function objectKey(o: { metadata: { namespace?: string; name?: string } }): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : `${o.metadata.name}`;
}

/** Splits a key made by objectKey. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf("/");
  return i < 0 ? { namespace: "", name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** The resourceVersion as a number (0 when absent). */
export function rvOf(o: KObject): number {
  return Number(o.metadata.resourceVersion ?? 0) || 0;
}

/** Deep copy of a JSON object (objects from caches must not be mutated in place). */
export function clone<T>(o: T): T {
  return structuredClone(o);
}

/** Current time as Kubernetes writes it (RFC 3339, second precision). */
export function nowRfc3339(d = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** Finds a condition by type in a list of conditions. */
export function getCondition<C extends { type: string }>(conds: C[] | undefined, type: string): C | undefined {
  return conds?.find((c) => c.type === type);
}

/**
 * Sets a condition, keeping lastTransitionTime when the status did not change.
 * Returns true when something changed.
 */
export function setCondition<C extends { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }>(
  conds: C[],
  c: C,
): boolean {
  const i = conds.findIndex((x) => x.type === c.type);
  if (i < 0) {
    conds.push({ ...c, lastTransitionTime: c.lastTransitionTime ?? nowRfc3339() });
    return true;
  }
  const old = conds[i];
  if (old.status === c.status && old.reason === c.reason && old.message === c.message) return false;
  conds[i] = { ...old, ...c, lastTransitionTime: old.status === c.status ? old.lastTransitionTime : nowRfc3339() };
  return true;
}
