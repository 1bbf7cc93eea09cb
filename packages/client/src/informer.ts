// Informers: a local cache of one resource fed by list+watch that resumes from the last
// resourceVersion after a disconnect and relists on Gone. Handlers only see changes.
import type { Logger } from "@skiff/log";
import type { KObject } from "@skiff/api";
import { isGone } from "@skiff/api/errors";
import { objectKey, rvOf } from "@skiff/api/meta";
import type { ApiClient, WatchHandle } from "./client.js";

export interface InformerHandlers<T extends KObject> {
  onAdd?(obj: T): void;
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T): void;
}

export interface InformerOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Back-off after a failed list or watch, doubling up to 5 s (default 200 ms). */
  retryBaseMs?: number;
}

/** Informer keeps a cache of one resource and calls handlers on changes. */
export class Informer<T extends KObject = KObject> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];
  private resourceVersion = "";
  private watchHandle?: WatchHandle;
  private stopped = false;
  private synced = false;
  private readonly syncWaiters: (() => void)[] = [];
  private retryMs: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly client: ApiClient,
    readonly resource: string,
    private readonly opts: InformerOptions,
    private readonly log: Logger,
  ) {
    this.retryMs = opts.retryBaseMs ?? 200;
  }

  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
    // Late handlers see the current cache as adds, like client-go's AddEventHandler.
    if (this.synced) for (const o of this.cache.values()) h.onAdd?.(o);
  }

  /** Starts list+watch; resolves when the first list has been applied. */
  start(): Promise<void> {
    void this.relist();
    return this.waitForSync();
  }

  waitForSync(): Promise<void> {
    return this.synced ? Promise.resolve() : new Promise((r) => this.syncWaiters.push(r));
  }

  hasSynced(): boolean {
    return this.synced;
  }

  stop(): void {
    this.stopped = true;
    this.watchHandle?.stop();
    if (this.timer) clearTimeout(this.timer);
  }

  /** Cached object by "namespace/name" (or "name"). */
  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  /** Every cached object (do not mutate them). */
  list(): T[] {
    return [...this.cache.values()];
  }

  /** The last resourceVersion this informer has seen. */
  lastResourceVersion(): string {
    return this.resourceVersion;
  }

  private retry(fn: () => void): void {
    if (this.stopped) return;
    const delay = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, 5000);
    this.timer = setTimeout(fn, delay);
  }

  private async relist(): Promise<void> {
    if (this.stopped) return;
    try {
      const res = await this.client.list<T>(this.resource, {
        namespace: this.opts.namespace,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
      });
      if (this.stopped) return;
      const seen = new Set<string>();
      for (const o of res.items) {
        const k = objectKey(o);
        seen.add(k);
        this.apply("ADDED", o);
      }
      for (const [k, o] of [...this.cache]) {
        if (!seen.has(k)) {
          this.cache.delete(k);
          this.emitDelete(o);
        }
      }
      this.resourceVersion = res.resourceVersion;
      if (!this.synced) {
        this.synced = true;
        for (const w of this.syncWaiters.splice(0)) w();
      }
      this.watch();
    } catch (err) {
      this.log.warn({ err, resource: this.resource }, "list failed; retrying");
      this.retry(() => void this.relist());
    }
  }

  private watch(): void {
    if (this.stopped) return;
    let gotEvent = false;
    this.watchHandle = this.client.watch<T>(
      this.resource,
      {
        namespace: this.opts.namespace,
        labelSelector: this.opts.labelSelector,
        fieldSelector: this.opts.fieldSelector,
        resourceVersion: this.resourceVersion,
        allowBookmarks: true,
      },
      (e) => {
        if (!gotEvent) {
          gotEvent = true;
          this.retryMs = this.opts.retryBaseMs ?? 200;
        }
        if (e.type === "BOOKMARK") {
          this.resourceVersion = e.object.metadata.resourceVersion ?? this.resourceVersion;
          return;
        }
        this.apply(e.type, e.object);
        this.resourceVersion = e.object.metadata.resourceVersion ?? this.resourceVersion;
      },
      (err) => {
        if (this.stopped) return;
        if (err && isGone(err)) {
          this.log.info({ resource: this.resource }, "watch expired; relisting");
          void this.relist();
          return;
        }
        if (err) this.log.debug({ err, resource: this.resource }, "watch ended; resuming");
        this.retry(() => this.watch());
      },
    );
  }

  private apply(type: "ADDED" | "MODIFIED" | "DELETED", o: T): void {
    const k = objectKey(o);
    const old = this.cache.get(k);
    if (type === "DELETED") {
      if (old) {
        this.cache.delete(k);
        this.emitDelete(o);
      }
      return;
    }
    if (old && rvOf(old) >= rvOf(o)) return; // a replay of something we have
    this.cache.set(k, o);
    for (const h of this.handlers) {
      try {
        if (old) h.onUpdate?.(old, o);
        else h.onAdd?.(o);
      } catch (err) {
        this.log.error({ err }, "informer handler failed");
      }
    }
  }

  private emitDelete(o: T): void {
    for (const h of this.handlers) {
      try {
        h.onDelete?.(o);
      } catch (err) {
        this.log.error({ err }, "informer handler failed");
      }
    }
  }
}
