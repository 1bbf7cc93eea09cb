// Server-side apply (application/apply-patch+yaml): the applied configuration is merged into the
// live object like a strategic merge patch; fields this manager applied last time and no longer
// applies are removed; managedFields records each Apply manager's field set (FieldsV1). A field
// another Apply manager owns with a different value is a conflict (409, one cause per field)
// unless the apply is forced, which moves the field to this manager. Fields written by plain
// updates are not tracked (no Update entries), so they never conflict.
import { isDeepStrictEqual } from "node:util";
import { ApiError, nowRfc3339, type KObject } from "@skiff/api";
import { mergeKeyOf, strategicMerge } from "./strategic.js";

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** One metadata.managedFields entry. */
export interface ManagedFieldsEntry {
  manager: string;
  operation: "Apply" | "Update";
  apiVersion: string;
  time: string;
  fieldsType: "FieldsV1";
  fieldsV1: Record<string, unknown>;
  subresource?: string;
}

/** The FieldsV1 set of a configuration: f:<field> for map keys, k:{key} for keyed list items. */
export function fieldSet(config: unknown, fieldName = ""): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (isMap(config)) {
    for (const [k, v] of Object.entries(config)) {
      if (fieldName === "" && (k === "apiVersion" || k === "kind")) continue;
      if (k === "metadata" && fieldName === "" && isMap(v)) {
        const m: Record<string, unknown> = {};
        for (const mk of ["labels", "annotations", "finalizers", "ownerReferences"]) if (mk in v) m[`f:${mk}`] = fieldSet(v[mk], mk);
        if (Object.keys(m).length) out["f:metadata"] = m;
        continue;
      }
      out[`f:${k}`] = fieldSet(v, k);
    }
  } else if (Array.isArray(config)) {
    const key = mergeKeyOf(fieldName, config);
    if (key && config.every(isMap)) {
      for (const item of config as Record<string, unknown>[]) out[`k:${JSON.stringify({ [key]: item[key] })}`] = { ".": {}, ...fieldSet(item, "") };
    }
  }
  return out;
}

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
  constructor(readonly conflicts: { manager: string; apiVersion: string; field: string }[]) {
    const one = conflicts.length === 1;
    const lines = conflicts.map((c) => `conflict with "${c.manager}" using ${c.apiVersion}: ${c.field}`);
    super("Conflict", `Apply failed with ${conflicts.length} conflict${one ? "" : "s"}: ${one ? lines[0] : lines.join("\n")}`, {
      causes: conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with "${c.manager}" using ${c.apiVersion}`, field: c.field })),
    });
  }
}

/** The leaf paths of a FieldsV1 set (each a list of f:/k: tokens); "." marks are not leaves. */
function leaves(set: Record<string, unknown>, prefix: string[] = []): string[][] {
  const out: string[][] = [];
  for (const [k, sub] of Object.entries(set)) {
    if (k === ".") continue;
    const children = Object.keys(sub as object).filter((x) => x !== ".");
    if (children.length === 0) out.push([...prefix, k]);
    else out.push(...leaves(sub as Record<string, unknown>, [...prefix, k]));
  }
  return out;
}

/** Whether a set holds a path. */
function has(set: Record<string, unknown>, path: string[]): boolean {
  let cur: unknown = set;
  for (const t of path) {
    if (!isMap(cur) || !(t in cur)) return false;
    cur = cur[t];
  }
  return true;
}

/** Removes a leaf path from a set, and the map fields left empty above it. */
function drop(set: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  const sub = set[head];
  if (rest.length === 0 || !isMap(sub)) {
    delete set[head];
    return;
  }
  drop(sub, rest);
  if (head.startsWith("f:") && Object.keys(sub).length === 0) delete set[head];
}

/** The value at a set path in an object (undefined when absent). */
function valueAt(obj: unknown, path: string[]): unknown {
  let cur = obj;
  for (const t of path) {
    if (t.startsWith("f:") && isMap(cur)) cur = cur[t.slice(2)];
    else if (t.startsWith("k:") && Array.isArray(cur)) {
      const [mk, mv] = Object.entries(JSON.parse(t.slice(2)) as Record<string, unknown>)[0];
      cur = cur.find((i) => isMap(i) && i[mk] === mv);
    } else return undefined;
  }
  return cur;
}

/** A set path as Kubernetes prints it: .spec.containers[name="web"].image */
function fieldPath(path: string[]): string {
  return path.map((t) => {
    if (t.startsWith("f:")) return `.${t.slice(2)}`;
    const [mk, mv] = Object.entries(JSON.parse(t.slice(2)) as Record<string, unknown>)[0];
    return `[${mk}=${JSON.stringify(mv)}]`;
  }).join("");
}

/**
 * Applies a configuration for `manager` to the live object (undefined when creating). Throws
 * ApplyConflictError when it would change a field another Apply manager owns, unless `force`.
 */
export function serverSideApply(live: KObject | undefined, config: KObject, manager: string, opts: { force?: boolean } = {}): KObject {
  const apiVersion = config.apiVersion ?? live?.apiVersion ?? "";
  const entries = structuredClone((live?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? []);
  const mine = entries.find((e) => e.manager === manager && e.operation === "Apply");
  const nextSet = fieldSet(config);
  // A field another applier owns conflicts when this configuration gives it another value; the
  // same value makes the field shared.
  const conflicts: { manager: string; apiVersion: string; field: string; path: string[]; entry: ManagedFieldsEntry }[] = [];
  for (const other of entries) {
    if (other === mine || other.operation !== "Apply" || !isMap(other.fieldsV1)) continue;
    for (const path of leaves(nextSet)) {
      if (has(other.fieldsV1, path) && !isDeepStrictEqual(valueAt(config, path), valueAt(live, path))) {
        conflicts.push({ manager: other.manager, apiVersion: other.apiVersion, field: fieldPath(path), path, entry: other });
      }
    }
  }
  if (conflicts.length && !opts.force) throw new ApplyConflictError(conflicts.map(({ manager: m, apiVersion: v, field }) => ({ manager: m, apiVersion: v, field })));
  for (const c of conflicts) drop(c.entry.fieldsV1, c.path);
  const base = live ? structuredClone(live) : { metadata: {} };
  if (mine) prune(base, mine.fieldsV1, nextSet);
  const merged = strategicMerge(base, config) as KObject;
  const entry: ManagedFieldsEntry = { manager, operation: "Apply", apiVersion, time: nowRfc3339(), fieldsType: "FieldsV1", fieldsV1: nextSet };
  merged.metadata.managedFields = [
    ...entries.filter((e) => !(e.manager === manager && e.operation === "Apply") && !(e.operation === "Apply" && Object.keys(e.fieldsV1).length === 0)),
    entry,
  ];
  return merged;
}
