// metadata.managedFields: which manager owns which fields, as FieldsV1 sets (f:<field> for map
// keys, k:{"<mergeKey>":…} for keyed list items, "." marking an item itself). Server-side apply
// (apply.ts) records an Apply entry per applier and refuses to change fields other managers own;
// plain writes through the REST API (create, update, patch, scale) record an Update entry per
// manager for the fields they changed, taking those fields from every other manager without a
// conflict, as Kubernetes does. Writes through the internal gRPC API (Skiff's own controllers)
// carry the entries through unchanged: they are not tracked.
import { isDeepStrictEqual } from "node:util";
import { nowRfc3339, type KObject } from "@skiff/api";
import { mergeKeyOf } from "./strategic.js";

export const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

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

/** The leaf paths of a FieldsV1 set (each a list of f:/k: tokens); "." marks are not leaves. */
export function leaves(set: Record<string, unknown>, prefix: string[] = []): string[][] {
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
export function has(set: Record<string, unknown>, path: string[]): boolean {
  let cur: unknown = set;
  for (const t of path) {
    if (!isMap(cur) || !(t in cur)) return false;
    cur = cur[t];
  }
  return true;
}

/** Removes a leaf path from a set, and the fields and list items left empty above it. */
export function drop(set: Record<string, unknown>, path: string[]): void {
  const [head, ...rest] = path;
  const sub = set[head];
  if (rest.length === 0 || !isMap(sub)) {
    delete set[head];
    return;
  }
  drop(sub, rest);
  // A field or list item nobody owns anything under is gone too ("." alone marks nothing).
  if (Object.keys(sub).every((k) => k === ".")) delete set[head];
}

/** The value at a set path in an object (undefined when absent). */
export function valueAt(obj: unknown, path: string[]): unknown {
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
export function fieldPath(path: string[]): string {
  return path
    .map((t) => {
      if (t.startsWith("f:")) return `.${t.slice(2)}`;
      const [mk, mv] = Object.entries(JSON.parse(t.slice(2)) as Record<string, unknown>)[0];
      return `[${mk}=${JSON.stringify(mv)}]`;
    })
    .join("");
}

/** Adds a leaf path to a set, marking keyed list items on the way ("."). */
export function add(set: Record<string, unknown>, path: string[]): void {
  let cur = set;
  for (const t of path) {
    cur[t] ??= {};
    cur = cur[t] as Record<string, unknown>;
    if (t.startsWith("k:")) cur["."] ??= {};
  }
}

/**
 * The manager of a write that names none: the client's program, as Kubernetes derives it from
 * the User-Agent ("kubectl/v1.32.0 (linux/amd64) …" → "kubectl").
 */
export function defaultManager(userAgent: string | undefined): string {
  const name = (userAgent ?? "").split("/")[0].trim().slice(0, 128);
  return name || "unknown";
}

/**
 * Records a plain write by `manager` in next.metadata.managedFields: the fields whose value it
 * changed from `prev` (every field when creating) join its Update entry and leave every other
 * entry; fields it removed leave every entry. Entries left empty are dropped. `next` keeps the
 * entries it carries (a client may rewrite them, as kubectl does when it moves client-side apply
 * fields to server-side apply) or, when it carries none, those of `prev`. `only` limits the
 * tracked fields to some top-level ones (the scale subresource: spec), `except` skips some
 * (the main resource: status, which its writes do not change).
 */
export function recordUpdate(
  prev: KObject | undefined,
  next: KObject,
  manager: string,
  opts: { subresource?: string; except?: string[]; only?: string[] } = {},
): void {
  const entries = structuredClone((next.metadata.managedFields ?? prev?.metadata.managedFields ?? []) as ManagedFieldsEntry[]);
  const tracked = (path: string[]) => !opts.except?.includes(path[0]) && (!opts.only || opts.only.includes(path[0]));
  const nextSet = fieldSet(next);
  const changed = leaves(nextSet).filter((p) => tracked(p) && !isDeepStrictEqual(valueAt(next, p), valueAt(prev, p)));
  const removed = prev ? leaves(fieldSet(prev)).filter((p) => tracked(p) && !has(nextSet, p)) : [];
  if (changed.length === 0 && removed.length === 0) {
    if (next.metadata.managedFields === undefined && entries.length) next.metadata.managedFields = entries;
    return;
  }
  const subresource = opts.subresource ?? "";
  let mine = entries.find((e) => e.manager === manager && e.operation === "Update" && (e.subresource ?? "") === subresource);
  for (const e of entries) {
    if (e === mine || !isMap(e.fieldsV1)) continue;
    for (const p of [...changed, ...removed]) if (has(e.fieldsV1, p)) drop(e.fieldsV1, p);
  }
  if (mine) for (const p of removed) if (has(mine.fieldsV1, p)) drop(mine.fieldsV1, p);
  if (changed.length) {
    if (!mine) {
      mine = {
        manager,
        operation: "Update",
        apiVersion: next.apiVersion ?? prev?.apiVersion ?? "",
        time: "",
        fieldsType: "FieldsV1",
        fieldsV1: {},
        ...(subresource ? { subresource } : {}),
      };
      entries.push(mine);
    }
    for (const p of changed) add(mine.fieldsV1, p);
    mine.time = nowRfc3339();
  }
  const live = entries.filter((e) => !isMap(e.fieldsV1) || leaves(e.fieldsV1).length > 0);
  if (live.length) next.metadata.managedFields = live;
  else delete next.metadata.managedFields;
}
