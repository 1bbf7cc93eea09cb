// How objects are kept in the store: JSON without metadata.resourceVersion, which is the
// entry's revision and is stamped back on every read.
import type { KObject } from "@skiff/api";
import type { StoredEntry } from "../storage/types.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Decodes a stored entry, stamping resourceVersion from the revision. */
export function decode(e: Pick<StoredEntry, "revision" | "value">): KObject {
  const o = JSON.parse(dec.decode(e.value)) as KObject;
  o.metadata.resourceVersion = String(e.revision);
  return o;
}

/**
 * A small memo that forgets its oldest entries: enough for one event's fan-out, which is
 * synchronous, without keeping every decoded object of the watch cache's window alive.
 */
export class RecentMemo<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly max: number) {}
  get(k: K): V | undefined {
    return this.map.get(k);
  }
  set(k: K, v: V): void {
    if (this.map.size >= this.max && !this.map.has(k)) this.map.delete(this.map.keys().next().value as K);
    this.map.set(k, v);
  }
}

/** Objects decoded for watches, by the stored bytes they came from. */
const shared = new RecentMemo<Uint8Array, KObject>(128);

/**
 * Decodes an entry once for every watch that sees it: one store event fans out to each watcher
 * (every node agent's watch of its pods is one of them), and decoding it per watcher was most of
 * the apiserver's watch cost at 1,000 nodes. The object is shared: callers must not change it.
 */
export function decodeShared(e: Pick<StoredEntry, "revision" | "value">): KObject {
  const o = shared.get(e.value);
  if (o !== undefined && o.metadata.resourceVersion === String(e.revision)) return o;
  const d = decode(e);
  shared.set(e.value, d);
  return d;
}

/** A shared decode of a previous value, for matching only (its resourceVersion may be stale). */
export function decodePrevious(value: Uint8Array): KObject {
  return shared.get(value) ?? decodeShared({ revision: 0, value });
}

/** Encodes an object for storage; the revision is the resourceVersion, so it is not stored. */
export function encode(o: KObject): Uint8Array {
  const copy = { ...o, metadata: { ...o.metadata } };
  delete copy.metadata.resourceVersion;
  return enc.encode(JSON.stringify(copy));
}
