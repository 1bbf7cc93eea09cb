// What the store offers its users (the registry, the allocator, the watch cache), apart from
// how it is kept: NATS JetStream in store.ts, memory in memory.ts for unit tests.

/** One stored value, as read back. */
export interface StoredEntry {
  key: string;
  revision: number;
  value: Uint8Array;
}

/** One change seen by a watch. */
export interface StoreEvent {
  type: "ADDED" | "MODIFIED" | "DELETED";
  key: string;
  revision: number;
  value: Uint8Array;
  /**
   * The key's value before this change, when known (watches served by the watch cache): lets a
   * resumed watch with a selector tell a change of an object the client holds (MODIFIED) from one
   * entering the selection (ADDED), and one leaving it (DELETED).
   */
  prevValue?: Uint8Array;
}

/**
 * A watch that only cares about events whose objects have `value` under the index `name` (the
 * node agents' pod watches, by spec.nodeName): a store that can index its watchers hands each
 * event only to those whose value the event's object has, or had before (Kubernetes' cacher
 * does the same with its indexed triggers). `of` gives an event's values, the new object's and
 * the previous one's; undefined when it cannot tell (every watcher of the index then gets it).
 * One index name, one `of`. Stores without an index hand every event to every watcher; the
 * watcher's own filter decides either way.
 */
export interface WatchIndex {
  name: string;
  value: string;
  of: (e: StoreEvent) => string[] | undefined;
  /**
   * Set by a store that serves the watch through the index: the revision up to which every
   * event has been handed to it (it no longer sees the others', so its own last event's revision
   * would fall behind; a bookmark carries this one).
   */
  revision?: () => number;
}

/** Thrown by CAS writes when the key's revision is not the expected one. */
export class RevisionMismatch extends Error {
  constructor(readonly key: string) {
    super(`revision mismatch on ${key}`);
  }
}

/** A key-value store with one global revision counter, compare-and-set writes and watches. */
export interface ObjectStore {
  /** The current value of a key, or null. */
  get(key: string): Promise<StoredEntry | null>;
  /**
   * A value that may be slightly stale (the watch cache's), for compare-and-set writes that read
   * again with get when it was; stores without a cache leave it out.
   */
  getCached?(key: string): Promise<StoredEntry | null>;
  /** Creates a key; RevisionMismatch when it exists. Returns the new revision. */
  create(key: string, value: Uint8Array): Promise<number>;
  /** Replaces a key's value if its revision is still `revision`. */
  update(key: string, value: Uint8Array, revision: number): Promise<number>;
  /** Deletes a key if its revision is still `revision`, leaving `finalValue` in the marker. */
  delete(key: string, finalValue: Uint8Array, revision: number): Promise<number>;
  /** Like list, but possibly a moment stale (the watch cache as it is); stores without a cache leave it out. */
  listCached?(filter: string): Promise<{ items: StoredEntry[]; revision: number }>;
  /** Every live value under a key filter and the revision the list is consistent with. */
  list(filter: string): Promise<{ items: StoredEntry[]; revision: number }>;
  /** Streams changes after a revision under a filter; returns a stop function. */
  watch(filter: string, afterRevision: number, onEvent: (e: StoreEvent) => void, onError: (err: Error) => void, index?: WatchIndex): Promise<() => void>;
}
