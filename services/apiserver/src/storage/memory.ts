// An in-memory ObjectStore for unit tests of the registry and admission: one revision counter,
// compare-and-set writes, watches from a revision. Not a cache of the real store.
import { RevisionMismatch, type ObjectStore, type StoredEntry, type StoreEvent } from "./types.js";

/** A key filter as the real store takes it ("pods.>", "pods.ns.>") as a predicate. */
function matcher(filter: string): (key: string) => boolean {
  return filter.endsWith(".>") ? (k) => k.startsWith(filter.slice(0, -1)) : (k) => k === filter;
}

export class MemoryStore implements ObjectStore {
  private revision = 0;
  private readonly data = new Map<string, StoredEntry>();
  private readonly log: StoreEvent[] = [];
  private readonly watchers = new Set<{ match: (k: string) => boolean; fn: (e: StoreEvent) => void }>();
  /** Runs before each compare-and-set write: a test's way to race a writer. */
  beforeWrite?: (key: string) => void | Promise<void>;

  async get(key: string): Promise<StoredEntry | null> {
    return this.data.get(key) ?? null;
  }

  async create(key: string, value: Uint8Array): Promise<number> {
    await this.beforeWrite?.(key);
    if (this.data.has(key)) throw new RevisionMismatch(key);
    return this.put("ADDED", key, value);
  }

  async update(key: string, value: Uint8Array, revision: number): Promise<number> {
    await this.beforeWrite?.(key);
    if (this.data.get(key)?.revision !== revision) throw new RevisionMismatch(key);
    return this.put("MODIFIED", key, value);
  }

  async delete(key: string, finalValue: Uint8Array, revision: number): Promise<number> {
    await this.beforeWrite?.(key);
    if (this.data.get(key)?.revision !== revision) throw new RevisionMismatch(key);
    return this.put("DELETED", key, finalValue);
  }

  async list(filter: string): Promise<{ items: StoredEntry[]; revision: number }> {
    const match = matcher(filter);
    return { items: [...this.data.values()].filter((e) => match(e.key)), revision: this.revision };
  }

  async watch(filter: string, afterRevision: number, onEvent: (e: StoreEvent) => void): Promise<() => void> {
    const w = { match: matcher(filter), fn: onEvent };
    for (const e of this.log) if (e.revision > afterRevision && w.match(e.key)) onEvent(e);
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  private put(type: StoreEvent["type"], key: string, value: Uint8Array): number {
    const revision = ++this.revision;
    const prevValue = this.data.get(key)?.value;
    if (type === "DELETED") this.data.delete(key);
    else this.data.set(key, { key, revision, value });
    const e: StoreEvent = { type, key, revision, value, prevValue };
    this.log.push(e);
    for (const w of this.watchers) if (w.match(key)) w.fn(e);
    return revision;
  }
}
