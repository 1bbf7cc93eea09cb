// The watch cache: every apiserver keeps the whole bucket in memory, fed by one consumer over
// the bucket's stream, plus a window of recent events. Lists and watches are served from it, so
// that N informers cost one NATS consumer per apiserver instead of one consumer per watch and
// one more per list (consumer creation is a JetStream cluster operation: slow under load and
// stalled while a stream leader is being elected). This is Kubernetes' cacher in small.
//
// Consistency: a list first asks the stream for its last sequence, then waits until the cache
// has applied it (Kubernetes' consistent reads from cache), so it never serves older data than
// a direct read would. A watch is served from the cache when the window holds every event after
// its revision; otherwise the store falls back to a consumer on the stream (and its Gone rules).
//
// This file is the logic only (no NATS): Store feeds it and unit tests drive it directly.
import { UnavailableError } from "@skiff/api";
import type { StoreEvent, StoredEntry, WatchIndex } from "./types.js";

/** A change as the cache applies it; PURGED removes a key without an event (compaction). */
export type CacheChange = StoreEvent | { type: "PURGED"; key: string; revision: number };

export interface WatchCacheOptions {
  /** Events kept for watches that resume from a revision (a count cap). */
  maxEvents: number;
  /** Events older than this leave the window (the apiserver's history, like compaction). */
  windowMs: number;
  now?: () => number;
}

interface Watcher {
  /** The filter's first token (a resource, or * / >), for the metrics. */
  resource: string;
  filter: (key: string) => boolean;
  after: number;
  onEvent: (e: StoreEvent) => void;
  onError: (err: Error) => void;
  /** Set for an indexed watcher (see WatchIndex): it is in `indexes`, not in `watchers`. */
  index?: WatchIndex;
}

/** The watchers of one index, by the value they watch. */
interface IndexedWatchers {
  of: WatchIndex["of"];
  byValue: Map<string, Set<Watcher>>;
}

interface Waiter {
  revision: number;
  resolve: (ok: boolean) => void;
  timer: NodeJS.Timeout;
}

export class WatchCache {
  /** Live objects by resource (the key's first token), then by key. */
  private readonly objects = new Map<string, Map<string, StoredEntry>>();
  /** Recent events in revision order, each with the time it was applied. */
  private events: { e: StoreEvent; at: number }[] = [];
  /** Watchers that see every event under their key filter. */
  private readonly watchers = new Set<Watcher>();
  /** Indexed watchers: each event goes only to those of its objects' values (a node's pods). */
  private readonly indexes = new Map<string, IndexedWatchers>();
  private waiters: Waiter[] = [];
  private readonly now: () => number;
  /** The last stream sequence applied. */
  revision = 0;
  /** The window holds every event with a revision above this. */
  private floor = 0;
  /** Between a consumer's start (reset) and its failure. */
  private active = false;

  constructor(private readonly opts: WatchCacheOptions) {
    this.now = opts.now ?? Date.now;
  }

  /**
   * Starts over for a new consumer that delivers the whole stream: `floor` is the stream's last
   * sequence read before the consumer was created (events above it arrive complete).
   */
  reset(floor: number): void {
    this.fail(new UnavailableError("watch cache restarted"));
    this.objects.clear();
    this.events = [];
    this.revision = 0;
    this.floor = floor;
    this.active = true;
  }

  /** The consumer broke: watchers end (they resume elsewhere or from a relist), lists wait. */
  fail(err: Error): void {
    this.active = false;
    for (const w of this.allWatchers()) {
      try {
        w.onError(err);
      } catch {
        /* a watcher's own failure must not stop the others */
      }
    }
    this.watchers.clear();
    this.indexes.clear();
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.resolve(false);
    }
    this.waiters = [];
  }

  /** Applies the next message of the stream (in sequence order). */
  apply(c: CacheChange): void {
    if (!this.active) return;
    const resource = resourceOf(c.key);
    let byKey = this.objects.get(resource);
    const prev = byKey?.get(c.key);
    if (c.type === "DELETED" || c.type === "PURGED") {
      byKey?.delete(c.key);
    } else {
      if (!byKey) this.objects.set(resource, (byKey = new Map()));
      byKey.set(c.key, { key: c.key, revision: c.revision, value: c.value });
    }
    this.revision = Math.max(this.revision, c.revision);
    if (c.type !== "PURGED" && c.revision > this.floor) {
      const e: StoreEvent = prev ? { ...c, prevValue: prev.value } : c;
      this.events.push({ e, at: this.now() });
      this.trim();
      for (const w of this.watchers) this.deliver(w, e);
      for (const ix of this.indexes.values()) {
        const values = ix.of(e);
        if (values === undefined) {
          for (const set of ix.byValue.values()) for (const w of set) this.deliver(w, e);
          continue;
        }
        for (let i = 0; i < values.length; i++) {
          if (values.indexOf(values[i]) !== i) continue; // the same value twice (unchanged): once
          const set = ix.byValue.get(values[i]);
          if (set) for (const w of set) this.deliver(w, e);
        }
      }
    }
    if (this.waiters.length) {
      const due = this.waiters.filter((w) => w.revision <= this.revision);
      this.waiters = this.waiters.filter((w) => w.revision > this.revision);
      for (const w of due) {
        clearTimeout(w.timer);
        w.resolve(true);
      }
    }
  }

  /** Hands a live event to one watcher, unless it is not for it or not after its start. */
  private deliver(w: Watcher, e: StoreEvent): void {
    if (e.revision <= w.after || !w.filter(e.key)) return;
    try {
      w.onEvent(e);
    } catch {
      /* see fail() */
    }
  }

  /** Every watcher, indexed or not. */
  private *allWatchers(): Iterable<Watcher> {
    yield* this.watchers;
    for (const ix of this.indexes.values()) for (const set of ix.byValue.values()) yield* set;
  }

  /** Whether a consumer feeds the cache (it may still be a little behind the stream). */
  get serving(): boolean {
    return this.active;
  }

  /** One live entry, when the cache is being fed (possibly behind the stream). */
  get(key: string): StoredEntry | undefined {
    if (!this.active) return undefined;
    return this.objects.get(resourceOf(key))?.get(key);
  }

  /** Resolves true once the cache has applied `revision`, false on timeout or failure. */
  waitFor(revision: number, timeoutMs: number): Promise<boolean> {
    if (!this.active) return Promise.resolve(false);
    if (this.revision >= revision) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w: Waiter = {
        revision,
        resolve,
        timer: setTimeout(() => {
          this.waiters = this.waiters.filter((x) => x !== w);
          resolve(false);
        }, timeoutMs),
      };
      this.waiters.push(w);
    });
  }

  /** The live entries under a key filter (NATS subject syntax: `*` one token, `>` the rest). */
  list(filter: string): StoredEntry[] {
    const match = compileFilter(filter);
    const first = filter.split(".")[0];
    const maps = first === "*" || first === ">" ? [...this.objects.values()] : [this.objects.get(first)].filter((m) => m !== undefined);
    const out: StoredEntry[] = [];
    for (const m of maps) for (const e of m.values()) if (match(e.key)) out.push(e);
    return out;
  }

  /**
   * Watches from the cache when its window holds every event after `after`: replays those,
   * then streams live ones. Returns a stop function, or undefined when the window does not
   * reach back that far (the caller reads the stream instead).
   */
  watch(filter: string, after: number, onEvent: (e: StoreEvent) => void, onError: (err: Error) => void, index?: WatchIndex): (() => void) | undefined {
    this.trim();
    if (!this.active || after < this.floor) return undefined;
    const w: Watcher = { resource: filter.split(".")[0], filter: compileFilter(filter), after, onEvent, onError, index };
    // The replay goes through the watcher's own filter: no index needed for a one-off.
    for (const { e } of this.events) {
      if (e.revision > after && w.filter(e.key)) onEvent(e);
    }
    if (!index) {
      this.watchers.add(w);
      return () => {
        this.watchers.delete(w);
      };
    }
    let ix = this.indexes.get(index.name);
    if (!ix) this.indexes.set(index.name, (ix = { of: index.of, byValue: new Map() }));
    let set = ix.byValue.get(index.value);
    if (!set) ix.byValue.set(index.value, (set = new Set()));
    set.add(w);
    // apply() hands out each event before anything else runs: every one up to here was delivered.
    index.revision = () => this.revision;
    return () => {
      const cur = this.indexes.get(index.name);
      const s = cur?.byValue.get(index.value);
      if (!cur || !s?.delete(w)) return;
      if (s.size > 0) return;
      cur.byValue.delete(index.value);
      if (cur.byValue.size === 0) this.indexes.delete(index.name);
    };
  }

  /** Figures for the metrics: live objects and watches per resource, events in the window. */
  stats(): { objects: [string, number][]; events: number; watchers: [string, number][] } {
    const watchers = new Map<string, number>();
    for (const w of this.allWatchers()) watchers.set(w.resource, (watchers.get(w.resource) ?? 0) + 1);
    return { objects: [...this.objects].map(([r, m]): [string, number] => [r, m.size]), events: this.events.length, watchers: [...watchers] };
  }

  /** How many watches the cache is serving. */
  get watcherCount(): number {
    let n = 0;
    for (const _ of this.allWatchers()) n++;
    return n;
  }

  /** Drops events past the count cap or the time window; the floor rises with them. */
  private trim(): void {
    const oldest = this.now() - this.opts.windowMs;
    let drop = 0;
    while (drop < this.events.length && (this.events.length - drop > this.opts.maxEvents || this.events[drop].at < oldest)) drop++;
    if (drop === 0) return;
    this.floor = this.events[drop - 1].e.revision;
    this.events = this.events.slice(drop);
  }
}

function resourceOf(key: string): string {
  const dot = key.indexOf(".");
  return dot < 0 ? key : key.slice(0, dot);
}

/** Compiles a NATS-style key filter into a predicate. */
export function compileFilter(filter: string): (key: string) => boolean {
  // Why the fast paths: the cache runs every watcher's filter on every event (a thousand node
  // watches of pods), and nearly all filters are a plain prefix ("pods.>") or one key.
  if (!filter.includes("*")) {
    const gt = filter.indexOf(">");
    if (gt < 0) return (key) => key === filter;
    if (gt === filter.length - 1 && (gt === 0 || filter[gt - 1] === ".")) {
      const prefix = filter.slice(0, gt);
      return prefix === "" ? () => true : (key) => key.startsWith(prefix);
    }
  }
  const want = filter.split(".");
  return (key) => {
    const got = key.split(".");
    for (let i = 0; i < want.length; i++) {
      if (want[i] === ">") return got.length > i;
      if (i >= got.length) return false;
      if (want[i] !== "*" && want[i] !== got[i]) return false;
    }
    return got.length === want.length;
  };
}
