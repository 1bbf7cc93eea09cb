// Fakes for unit tests of controllers: an in-memory apiserver client that records every write,
// and informers that are plain caches the test fills (reconcile reads them directly).
import { randomUUID } from "node:crypto";
import { objectKey, AlreadyExistsError, NotFoundError, ConflictError, type KObject } from "@skiff/api";
import type { ApiClient, EventRecorder, Informer, InformerHandlers } from "@skiff/client";
import type { NatsConnection } from "@nats-io/transport-node";
import type { ControllerContext, InformerFactory } from "./controller.js";
import { compileOptions } from "./options/options.js";

/** One write the fake client received. */
export interface Action {
  verb: "create" | "update" | "updateStatus" | "delete";
  resource: string;
  key: string;
  object?: KObject;
  opts?: Record<string, unknown>;
}

/** A cache-only informer: `set`/`remove` change it and fire handlers; nothing is listed or watched. */
export class FakeInformer<T extends KObject = KObject> {
  readonly cache = new Map<string, T>();
  readonly handlers: InformerHandlers<T>[] = [];
  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
  }
  get(k: string): T | undefined {
    return this.cache.get(k);
  }
  list(): T[] {
    return [...this.cache.values()];
  }
  waitForSync(): Promise<void> {
    return Promise.resolve();
  }
  hasSynced(): boolean {
    return true;
  }
  start(): Promise<void> {
    return Promise.resolve();
  }
  stop(): void {}
  set(o: T): void {
    const k = objectKey(o);
    const old = this.cache.get(k);
    this.cache.set(k, o);
    for (const h of this.handlers)
      if (old) h.onUpdate?.(old, o);
      else h.onAdd?.(o);
  }
  remove(o: T): void {
    this.cache.delete(objectKey(o));
    for (const h of this.handlers) h.onDelete?.(o);
  }
}

let rv = 100;
let seq = 0;

/**
 * A fake cluster: `client` writes into `objects` (no informer update: tests decide when the
 * "watch" shows a write, which is how stale caches are simulated) and logs `actions`.
 */
export class FakeCluster {
  readonly objects = new Map<string, KObject>();
  readonly actions: Action[] = [];
  readonly informers = new Map<string, FakeInformer>();
  /** Make the next creates of this resource fail (to test expectation bookkeeping). */
  failCreates = 0;
  /** Copy writes into the matching informer at once (a perfectly fresh cache). */
  autoSync = false;

  informer<T extends KObject>(resource: string): FakeInformer<T> {
    let i = this.informers.get(resource);
    if (!i) {
      i = new FakeInformer();
      this.informers.set(resource, i);
    }
    return i as unknown as FakeInformer<T>;
  }

  /** Puts an object in both the store and the informer (as if it had been there all along). */
  seed<T extends KObject>(resource: string, o: T): T {
    o.metadata.uid ??= randomUUID();
    o.metadata.resourceVersion ??= String(++rv);
    o.metadata.creationTimestamp ??= new Date(Date.now() - 60_000).toISOString();
    o.metadata.generation ??= 1;
    this.objects.set(`${resource}:${objectKey(o)}`, structuredClone(o));
    this.informer<T>(resource).set(o);
    return o;
  }

  /** Copies the store into the informers (the watch catches up). */
  sync(): void {
    for (const [k, o] of this.objects) {
      const resource = k.slice(0, k.indexOf(":"));
      const inf = this.informer(resource);
      const cur = inf.get(objectKey(o));
      if (!cur || cur.metadata.resourceVersion !== o.metadata.resourceVersion) inf.set(structuredClone(o));
    }
    for (const [resource, inf] of this.informers) {
      for (const o of inf.list()) if (!this.objects.has(`${resource}:${objectKey(o)}`)) inf.remove(o);
    }
  }

  count(verb: Action["verb"], resource: string): number {
    return this.actions.filter((a) => a.verb === verb && a.resource === resource).length;
  }

  list<T extends KObject>(resource: string): T[] {
    return [...this.objects.entries()].filter(([k]) => k.startsWith(`${resource}:`)).map(([, o]) => o as T);
  }

  readonly client = {
    create: async <T extends KObject>(resource: string, obj: T): Promise<T> => {
      if (this.failCreates > 0) {
        this.failCreates--;
        throw new Error("injected create failure");
      }
      const o = structuredClone(obj);
      if (!o.metadata.name) o.metadata.name = `${o.metadata.generateName ?? "x-"}${(++seq).toString(36).padStart(5, "0")}`;
      const k = `${resource}:${objectKey(o)}`;
      if (this.objects.has(k)) throw new AlreadyExistsError(resource, o.metadata.name);
      o.metadata.uid = randomUUID();
      o.metadata.resourceVersion = String(++rv);
      o.metadata.creationTimestamp = new Date().toISOString();
      o.metadata.generation = 1;
      this.objects.set(k, o);
      this.actions.push({ verb: "create", resource, key: objectKey(o), object: o });
      if (this.autoSync) this.informer(resource).set(structuredClone(o));
      return structuredClone(o);
    },
    get: async <T extends KObject>(resource: string, name: string, namespace?: string): Promise<T> => {
      const o = this.objects.get(`${resource}:${namespace ? `${namespace}/` : ""}${name}`);
      if (!o) throw new NotFoundError(resource, name);
      return structuredClone(o) as T;
    },
    list: async <T extends KObject>(resource: string, opts: { namespace?: string } = {}) => ({
      items: this.list<T>(resource)
        .filter((o) => !opts.namespace || o.metadata.namespace === opts.namespace)
        .map((o) => structuredClone(o)),
      resourceVersion: String(rv),
      continueToken: "",
    }),
    update: async <T extends KObject>(resource: string, obj: T): Promise<T> => this.write(resource, obj, "update") as Promise<T>,
    updateStatus: async <T extends KObject>(resource: string, obj: T): Promise<T> => this.write(resource, obj, "updateStatus") as Promise<T>,
    delete: async (resource: string, name: string, namespace?: string, opts: Record<string, unknown> = {}) => {
      const k = `${resource}:${namespace ? `${namespace}/` : ""}${name}`;
      const o = this.objects.get(k);
      if (!o) throw new NotFoundError(resource, name);
      this.objects.delete(k);
      this.actions.push({ verb: "delete", resource, key: objectKey(o), opts });
      if (this.autoSync) this.informer(resource).remove(o);
      return { object: o, finished: true };
    },
  };

  private async write(resource: string, obj: KObject, verb: "update" | "updateStatus"): Promise<KObject> {
    const k = `${resource}:${objectKey(obj)}`;
    const cur = this.objects.get(k);
    if (!cur) throw new NotFoundError(resource, obj.metadata.name ?? "");
    if (obj.metadata.resourceVersion && obj.metadata.resourceVersion !== cur.metadata.resourceVersion)
      throw new ConflictError(resource, obj.metadata.name ?? "");
    const o = verb === "updateStatus" ? { ...structuredClone(cur), status: structuredClone(obj.status) } : structuredClone(obj);
    if (verb === "update" && JSON.stringify(o.spec) !== JSON.stringify(cur.spec)) o.metadata.generation = (cur.metadata.generation ?? 1) + 1;
    o.metadata.resourceVersion = String(++rv);
    this.objects.set(k, o);
    this.actions.push({ verb, resource, key: objectKey(o), object: o });
    if (this.autoSync) this.informer(resource).set(structuredClone(o));
    return structuredClone(o);
  }

  /** A ControllerContext over this fake (no NATS; a silent logger and recorder). */
  context(opts: Record<string, unknown> = {}): ControllerContext {
    const log = { child: () => log, info() {}, warn() {}, error() {}, debug() {}, fatal() {}, trace() {} };
    const informers: InformerFactory = { get: <T extends KObject>(r: string) => this.informer<T>(r) as unknown as Informer<T> };
    return {
      client: this.client as unknown as ApiClient,
      informers,
      nc: undefined as unknown as NatsConnection,
      recorder: { record() {} } as unknown as EventRecorder,
      opts: { ...compileOptions({}), ...opts },
      log: log as never,
    };
  }
}
