// Server-side apply (application/apply-patch+yaml), kept minimal: the applied configuration is
// merged into the live object like a strategic merge patch; fields this manager applied last
// time and no longer applies are removed; managedFields records each Apply manager's field set
// (FieldsV1). Conflicts with other managers are not detected (every apply acts as --force).
import { nowRfc3339, type KObject } from "@skiff/api";
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

/** Applies a configuration for `manager` to the live object (undefined when creating). */
export function serverSideApply(live: KObject | undefined, config: KObject, manager: string): KObject {
  const apiVersion = config.apiVersion ?? live?.apiVersion ?? "";
  const entries = (live?.metadata.managedFields as ManagedFieldsEntry[] | undefined) ?? [];
  const mine = entries.find((e) => e.manager === manager && e.operation === "Apply");
  const nextSet = fieldSet(config);
  const base = live ? structuredClone(live) : { metadata: {} };
  if (mine) prune(base, mine.fieldsV1, nextSet);
  const merged = strategicMerge(base, config) as KObject;
  const entry: ManagedFieldsEntry = { manager, operation: "Apply", apiVersion, time: nowRfc3339(), fieldsType: "FieldsV1", fieldsV1: nextSet };
  merged.metadata.managedFields = [...entries.filter((e) => !(e.manager === manager && e.operation === "Apply")), entry];
  return merged;
}
