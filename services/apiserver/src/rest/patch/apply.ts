// Server-side apply (application/apply-patch+yaml): the applied configuration is merged into the
// live object like a strategic merge patch; fields this manager applied last time and no longer
// applies are removed; managedFields records each Apply manager's field set (FieldsV1). A field
// another manager owns (by an apply or by a plain write, see managed-fields.ts) with a different
// value is a conflict (409, one cause per field) unless the apply is forced, which moves the
// field to this manager.
import { isDeepStrictEqual } from "node:util";
import { ApiError, nowRfc3339, type KObject } from "@skiff/api";
import { strategicMerge } from "./strategic.js";
import { drop, fieldPath, fieldSet, has, isMap, leaves, valueAt, type ManagedFieldsEntry } from "./managed-fields.js";

/** Removes from `obj` the fields in `prev` that are not in `next` (both FieldsV1 sets). */
function prune(obj: unknown, prev: Record<string, unknown>, next: Record<string, unknown>): void {
  for (const [k, sub] of Object.entries(prev)) {
    if (k === ".") continue;
    const inNext = next[k] as Record<string, unknown> | undefined;
    if (k.startsWith("f:") && isMap(obj)) {
      const name = k.slice(2);
      if (inNext === undefined) delete obj[name];
      else prune(obj[name], sub as Record<string, unknown>, inNext);
    } else if (k.startsWith("k:") && Array.isArray(obj)) {
      const want = JSON.parse(k.slice(2)) as Record<string, unknown>;
      const [mk, mv] = Object.entries(want)[0];
      const idx = obj.findIndex((i) => isMap(i) && i[mk] === mv);
      if (idx < 0) continue;
      if (inNext === undefined) obj.splice(idx, 1);
      else prune(obj[idx], sub as Record<string, unknown>, inNext);
    }
  }
}

/** An apply that would change fields other managers own (409 Conflict, as Kubernetes words it). */
export class ApplyConflictError extends ApiError {
  constructor(readonly conflicts: { manager: string; subresource?: string; apiVersion: string; field: string }[]) {
    const one = conflicts.length === 1;
    const who = (c: (typeof conflicts)[number]) =>
      `conflict with "${c.manager}"${c.subresource ? ` with subresource "${c.subresource}"` : ""} using ${c.apiVersion}`;
    const lines = conflicts.map((c) => `${who(c)}: ${c.field}`);
    super("Conflict", `Apply failed with ${conflicts.length} conflict${one ? "" : "s"}: ${one ? lines[0] : lines.join("\n")}`, {
      causes: conflicts.map((c) => ({ reason: "FieldManagerConflict", message: who(c), field: c.field })),
    });
  }
}

/** The field set of an object's client-side apply annotation (undefined without a readable one). */
function lastAppliedSet(live: KObject): Record<string, unknown> | undefined {
  const text = live.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"];
  if (!text) return undefined;
  try {
    return fieldSet(JSON.parse(text));
  } catch {
    return undefined;
  }
}

/**
 * Applies a configuration for `manager` to the live object (undefined when creating). Throws
 * ApplyConflictError when it would change a field another manager owns, unless `force`.
 */
export function serverSideApply(live: KObject | undefined, config: KObject, manager: string, opts: { force?: boolean } = {}): KObject {
  const apiVersion = config.apiVersion ?? live?.apiVersion ?? "";
  const entries = structuredClone((live?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? []);
  const mine = entries.find((e) => e.manager === manager && e.operation === "Apply");
  const nextSet = fieldSet(config);
  // A field another manager owns conflicts when this configuration gives it another value; the
  // same value makes the field shared.
  const conflicts: { manager: string; subresource?: string; apiVersion: string; field: string; path: string[]; entry: ManagedFieldsEntry }[] = [];
  const applied = leaves(nextSet);
  for (const other of entries) {
    if (other === mine || !isMap(other.fieldsV1)) continue;
    for (const path of applied) {
      if (has(other.fieldsV1, path) && !isDeepStrictEqual(valueAt(config, path), valueAt(live, path))) {
        conflicts.push({ manager: other.manager, subresource: other.subresource, apiVersion: other.apiVersion, field: fieldPath(path), path, entry: other });
      }
    }
  }
  // kubectl's own server-side apply takes over what its client-side apply configured (the fields
  // of the last-applied annotation) without conflicts, as Kubernetes' lastAppliedManager allows.
  const lastApplied = manager === "kubectl" && live ? lastAppliedSet(live) : undefined;
  const refused = lastApplied ? conflicts.filter((c) => !has(lastApplied, c.path)) : conflicts;
  if (refused.length && !opts.force)
    throw new ApplyConflictError(refused.map(({ manager: m, subresource, apiVersion: v, field }) => ({ manager: m, subresource, apiVersion: v, field })));
  for (const c of conflicts) drop(c.entry.fieldsV1, c.path);
  const base = live ? structuredClone(live) : { metadata: {} };
  if (mine) prune(base, mine.fieldsV1, nextSet);
  const merged = strategicMerge(base, config) as KObject;
  const entry: ManagedFieldsEntry = { manager, operation: "Apply", apiVersion, time: nowRfc3339(), fieldsType: "FieldsV1", fieldsV1: nextSet };
  merged.metadata.managedFields = [
    ...entries.filter((e) => !(e.manager === manager && e.operation === "Apply") && !(isMap(e.fieldsV1) && leaves(e.fieldsV1).length === 0)),
    entry,
  ];
  return merged;
}
