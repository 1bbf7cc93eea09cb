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

/** Encodes an object for storage; the revision is the resourceVersion, so it is not stored. */
export function encode(o: KObject): Uint8Array {
  const copy = { ...o, metadata: { ...o.metadata } };
  delete copy.metadata.resourceVersion;
  return enc.encode(JSON.stringify(copy));
}
