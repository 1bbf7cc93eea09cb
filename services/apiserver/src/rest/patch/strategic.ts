// Strategic merge patch for built-in kinds: like a merge patch, but lists of objects merge by
// their Kubernetes merge key (containers by name, ports by containerPort, …), and the
// directives kubectl sends are honoured: $patch (replace/delete/merge), $retainKeys,
// $setElementOrder/<list>, $deleteFromPrimitiveList/<list>. Merge keys come from the kinds' schemas.
import { builtinResources, mergeKeysOf } from "@skiff/api";

const isMap = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

/** Merge keys of list fields and the lists merged as sets, by field name, from the kinds' schemas and ResourceInfos. */
const { keys: mergeKeys, sets: mergedPrimitiveLists } = mergeKeysOf(builtinResources);

/**
 * The merge key of a list field. A name with several keys (ports: containerPort in containers,
 * port in services) takes the one its items carry, else the last declared.
 */
export function mergeKeyOf(fieldName: string, ...lists: unknown[]): string | undefined {
  const keys = mergeKeys.get(fieldName);
  if (!keys || keys.length < 2) return keys?.[0];
  const items = lists.flatMap((l) => (Array.isArray(l) ? l : []));
  return keys.find((k) => items.some((i) => isMap(i) && k in i)) ?? keys[keys.length - 1];
}

/** Applies a strategic merge patch to a document, returning a new document. */
export function strategicMerge(original: unknown, patch: unknown): unknown {
  if (!isMap(patch)) return structuredClone(patch);
  if (patch.$patch === "replace") {
    const { $patch: _p, ...rest } = patch;
    return strategicMerge({}, rest);
  }
  if (patch.$patch === "delete") return undefined;
  const out: Record<string, unknown> = isMap(original) ? structuredClone(original) : {};
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as string[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  const orders: [string, unknown[]][] = [];
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys") continue;
    if (k.startsWith("$setElementOrder/")) {
      if (Array.isArray(v)) orders.push([k.slice("$setElementOrder/".length), v]);
      continue;
    }
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const f = k.slice("$deleteFromPrimitiveList/".length);
      const drop = new Set((Array.isArray(v) ? v : []).map((x) => JSON.stringify(x)));
      if (Array.isArray(out[f])) out[f] = (out[f] as unknown[]).filter((x) => !drop.has(JSON.stringify(x)));
      continue;
    }
    if (k.startsWith("$")) continue; // unknown directives never reach the object
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      out[k] = mergeList(k, out[k], v);
    } else if (isMap(v)) {
      const merged = strategicMerge(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = v;
    }
  }
  for (const [f, order] of orders) if (Array.isArray(out[f])) out[f] = applyOrder(f, out[f] as unknown[], order);
  return out;
}

function mergeList(fieldName: string, original: unknown, patch: unknown[]): unknown[] {
  const orig = Array.isArray(original) ? original : [];
  // A `{$patch: replace}` element replaces the whole list with the other elements.
  if (patch.some((i) => isMap(i) && i.$patch === "replace"))
    return patch.filter((i) => !(isMap(i) && i.$patch === "replace")).map((i) => strategicMerge({}, i));
  if (mergedPrimitiveLists.has(fieldName) && patch.every((i) => !isMap(i))) {
    const out = [...orig];
    for (const i of patch) if (!out.some((o) => JSON.stringify(o) === JSON.stringify(i))) out.push(i);
    return out;
  }
  const key = mergeKeyOf(fieldName, orig, patch);
  if (!key || !patch.every(isMap)) return structuredClone(patch).map((i) => (isMap(i) ? strategicMerge({}, i) : i)) as unknown[];
  const out = structuredClone(orig) as unknown[];
  for (const item of patch as Record<string, unknown>[]) {
    const idx = out.findIndex((o) => isMap(o) && o[key] === item[key]);
    if (item.$patch === "delete") {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMerge(out[idx], item);
    else out.push(strategicMerge({}, item));
  }
  return out;
}

/** Orders a merged list as $setElementOrder says; items it does not name keep their place after. */
function applyOrder(fieldName: string, list: unknown[], order: unknown[]): unknown[] {
  const key = mergeKeyOf(fieldName, list, order);
  const id = (x: unknown) => JSON.stringify(key && isMap(x) ? x[key] : x);
  const pos = new Map(order.map((o, i) => [id(o), i]));
  const named = list.filter((x) => pos.has(id(x))).sort((a, b) => pos.get(id(a))! - pos.get(id(b))!);
  return [...named, ...list.filter((x) => !pos.has(id(x)))];
}
