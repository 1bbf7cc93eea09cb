// Live lists: list, then watch from the list's resourceVersion; bookmarks move the
// resourceVersion on; a 410 Gone (history compacted) or a broken stream leads to a relist, as
// client-go's reflector does. No polling: changes arrive as the apiserver sends them.
import { type ApiFailure, failureOf, lines, type Fetch } from "./api.js";
import type { KObj, WatchEvent } from "./types.js";

/** The objects of one list, kept current by watch events. */
export class ObjectCache {
  readonly items = new Map<string, KObj>();
  resourceVersion = "";

  /** Replaces everything with a fresh list. */
  replace(items: KObj[], resourceVersion: string): void {
    this.items.clear();
    for (const o of items) this.items.set(keyOf(o), o);
    this.resourceVersion = resourceVersion;
  }

  /** Applies one event; "relist" when the watch can no longer continue (410 Gone, or an error event). */
  apply(ev: WatchEvent): "changed" | "bookmark" | "relist" {
    if (ev.type === "ERROR") return "relist";
    const rv = ev.object?.metadata?.resourceVersion;
    if (rv) this.resourceVersion = rv;
    if (ev.type === "BOOKMARK") return "bookmark";
    if (ev.type === "DELETED") this.items.delete(keyOf(ev.object));
    else this.items.set(keyOf(ev.object), ev.object);
    return "changed";
  }

  list(): KObj[] {
    return [...this.items.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
  }
}

export const keyOf = (o: KObj) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/** Options of a ListWatch. */
export interface ListWatchOptions {
  fetch: Fetch;
  /** The collection's path, e.g. /api/v1/namespaces/default/pods. */
  path: string;
  /** Extra query (labelSelector, fieldSelector). */
  query?: Record<string, string>;
  /** Called with the whole current list after a change (coalesced). */
  onChange(items: KObj[]): void;
  /** Called when listing or watching fails (the ListWatch keeps retrying), and with undefined when it recovers. */
  onError?(err: ApiFailure | Error | undefined): void;
  /** Seconds the server keeps one watch open before the ListWatch rewatches. */
  timeoutSeconds?: number;
  /** Delay before retrying after a failure. */
  retryMs?: number;
  /** Coalescing of bursts of events into one onChange (ms). */
  coalesceMs?: number;
}

/** One live list. `stop()` ends it. */
export class ListWatch {
  readonly cache = new ObjectCache();
  /** How many times it listed (the first list, then each relist). */
  lists = 0;
  private stopped = false;
  private readonly abort = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly o: ListWatchOptions) {}

  start(): this {
    void this.run();
    return this;
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  private url(extra: Record<string, string>): string {
    const q = new URLSearchParams({ ...this.o.query, ...extra });
    return `${this.o.path}?${q}`;
  }

  private emit(now = false): void {
    if (this.stopped) return;
    if (now || !this.o.coalesceMs) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.o.onChange(this.cache.list());
      return;
    }
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      if (!this.stopped) this.o.onChange(this.cache.list());
    }, this.o.coalesceMs);
  }

  private async relist(): Promise<void> {
    const res = await this.o.fetch(this.url({}), { signal: this.abort.signal });
    if (!res.ok) throw await failureOf(res);
    const list = (await res.json()) as { items?: KObj[]; metadata?: { resourceVersion?: string } };
    this.lists++;
    this.cache.replace(list.items ?? [], list.metadata?.resourceVersion ?? "");
    this.emit(true);
  }

  /** Watches until the stream ends; true when a relist is needed. */
  private async watch(): Promise<boolean> {
    const res = await this.o.fetch(
      this.url({ watch: "1", resourceVersion: this.cache.resourceVersion, allowWatchBookmarks: "true", timeoutSeconds: String(this.o.timeoutSeconds ?? 300) }),
      { signal: this.abort.signal },
    );
    if (res.status === 410) return true;
    if (!res.ok || !res.body) throw await failureOf(res);
    this.o.onError?.(undefined);
    for await (const line of lines(res.body)) {
      if (!line.trim()) continue;
      const ev = JSON.parse(line) as WatchEvent;
      const r = this.cache.apply(ev);
      if (r === "relist") return true;
      if (r === "changed") this.emit();
    }
    return false;
  }

  private async run(): Promise<void> {
    let needList = true;
    while (!this.stopped) {
      try {
        if (needList) await this.relist();
        needList = await this.watch();
      } catch (err) {
        if (this.stopped) return;
        this.o.onError?.(err as Error);
        needList = true;
        await new Promise((r) => setTimeout(r, this.o.retryMs ?? 2000));
      }
    }
  }
}
