// What `apply` sends as an update: the live object with the manifest's fields laid over it.
// Like kubectl's client-side apply, the last applied manifest is kept in an annotation so
// that fields the user removed are removed, and fields the user did not touch (defaults the
// apiserver filled in, tolerations it added) are left alone.
import type { KObject } from "@skiff/api";

/** The annotation kubectl apply keeps the last applied manifest in. */
export const lastAppliedAnnotation = "kubectl.kubernetes.io/last-applied-configuration";

type Json = unknown;
const isObject = (v: unknown): v is Record<string, Json> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Structural equality of JSON values (key order ignored). */
export function deepEqual(a: Json, b: Json): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

/** JSON with object keys sorted (Go's encoding of maps), so the annotation is stable. */
function sortedJson(v: Json): string {
  const sort = (x: Json): Json =>
    Array.isArray(x)
      ? x.map(sort)
      : isObject(x)
        ? Object.fromEntries(
            Object.keys(x)
              .sort()
              .map((k) => [k, sort(x[k])]),
          )
        : x;
  return JSON.stringify(sort(v));
}

/** Server-owned metadata a manifest may carry (e.g. saved with `get -o yaml`) but must not send. */
const serverMetadata = [
  "resourceVersion",
  "uid",
  "creationTimestamp",
  "generation",
  "managedFields",
  "selfLink",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
];

/** A copy of a manifest object ready to send: no status, no server-owned metadata. */
export function cleanManifest(obj: KObject): KObject {
  const out = structuredClone(obj);
  delete out.status;
  for (const k of serverMetadata) delete (out.metadata as Record<string, unknown>)[k];
  return out;
}

/** The applied object as recorded in the annotation (the annotation itself left out). */
function lastAppliedOf(applied: KObject): string {
  const copy = structuredClone(applied);
  const ann = { ...(copy.metadata.annotations ?? {}) };
  delete ann[lastAppliedAnnotation];
  if (Object.keys(ann).length) copy.metadata.annotations = ann;
  else delete copy.metadata.annotations;
  return sortedJson(copy) + "\n";
}

/** The object apply creates: the manifest plus the last-applied annotation. */
export function withLastApplied(applied: KObject): KObject {
  const out = structuredClone(applied);
  out.metadata.annotations = { ...(out.metadata.annotations ?? {}), [lastAppliedAnnotation]: lastAppliedOf(applied) };
  return out;
}

/** Reads the manifest recorded by the previous apply, if any. */
function previousApplied(live: KObject): Json {
  const raw = live.metadata.annotations?.[lastAppliedAnnotation];
  if (!raw) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

/** Lists whose items all carry a string `name` merge item by item (containers, env, ports…). */
const named = (a: Json[]): a is Record<string, Json>[] => a.every((x) => isObject(x) && typeof x.name === "string");

function merge(live: Json, applied: Json, last: Json): Json {
  // Unchanged since the last apply: whatever the server holds now stays (its defaults too).
  if (last !== undefined && deepEqual(applied, last)) return live;
  if (isObject(live) && isObject(applied)) {
    const out: Record<string, Json> = { ...live };
    for (const [k, v] of Object.entries(applied)) out[k] = merge(live[k], v, isObject(last) ? last[k] : undefined);
    // Removed from the manifest since the last apply: remove it from the object.
    if (isObject(last)) for (const k of Object.keys(last)) if (!(k in applied)) delete out[k];
    return out;
  }
  if (Array.isArray(live) && Array.isArray(applied)) {
    const lastArr = Array.isArray(last) ? last : [];
    if (named(applied) && named(live)) {
      return applied.map((a) => {
        const l = live.find((x) => x.name === a.name);
        const p = named(lastArr) ? lastArr.find((x) => x.name === a.name) : undefined;
        return l ? merge(l, a, p) : structuredClone(a);
      });
    }
    // Same shape (e.g. one port each): merge by position to keep defaulted fields such as protocol.
    if (applied.length === live.length && applied.every(isObject) && live.every(isObject)) {
      return applied.map((a, i) => merge(live[i], a, lastArr[i]));
    }
  }
  return structuredClone(applied);
}

/**
 * The object to send as an update: `live` with `applied` laid over it (three-way when `live`
 * carries the last-applied annotation). Equal to `live` when nothing would change.
 */
export function mergeApplied(live: KObject, applied: KObject): KObject {
  const desired = withLastApplied(applied);
  const merged = merge(live, desired, previousApplied(live) ?? undefined) as KObject;
  // The update must name the version it read, whatever the manifest said.
  merged.metadata = { ...merged.metadata, resourceVersion: live.metadata.resourceVersion };
  if (live.status !== undefined) merged.status = live.status;
  return merged;
}
