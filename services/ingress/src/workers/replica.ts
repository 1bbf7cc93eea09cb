// Replicas of the primary's informers inside a worker process, and the messages between the
// primary and its workers. The primary watches the API once and sends every object it holds
// and every change over the cluster IPC channel (in order); a worker's configurator reads the
// replicas as it would read informers, so the API sees one watch per node, not one per worker.
import type { InformerHandlers } from "@skiff/client";
import { objectKey, type EndpointSlice, type Ingress, type IngressClass, type Secret, type Service } from "@skiff/api";

export type Watched = Ingress | IngressClass | Service | EndpointSlice | Secret;

export const RESOURCES = ["ingresses", "classes", "services", "slices", "secrets"] as const;
export type ResourceName = (typeof RESOURCES)[number];

/** Primary → worker. */
export type ToWorker =
  /** The self-signed default certificate: one for every worker, so every connection sees the same. */
  | { t: "cert"; cert: { cert: string; key: string } }
  | { t: "put"; r: ResourceName; o: Watched }
  | { t: "del"; r: ResourceName; o: Watched }
  /** Every object has been sent: the worker builds its first snapshot (until then it answers 503). */
  | { t: "synced" }
  | { t: "metrics"; id: number }
  | { t: "stop" };

/** Worker → primary. */
export type ToPrimary =
  /** The worker listens for messages (sent first: messages that arrive before a listener are lost). */
  { t: "ready" } | { t: "listening"; http: number; https: number } | { t: "metrics"; id: number; json: unknown };

/** One resource's objects as the primary last sent them. */
export class Replica<T extends Watched> {
  private readonly cache = new Map<string, T>();
  private readonly handlers: InformerHandlers<T>[] = [];

  /** Like Informer.addHandlers: the objects already held are replayed as adds. */
  addHandlers(h: InformerHandlers<T>): void {
    this.handlers.push(h);
    for (const o of this.cache.values()) h.onAdd?.(o);
  }

  get(key: string): T | undefined {
    return this.cache.get(key);
  }

  list(): T[] {
    return [...this.cache.values()];
  }

  put(o: T): void {
    const k = objectKey(o);
    const old = this.cache.get(k);
    this.cache.set(k, o);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, o);
      else h.onAdd?.(o);
    }
  }

  del(o: T): void {
    if (!this.cache.delete(objectKey(o))) return;
    for (const h of this.handlers) h.onDelete?.(o);
  }
}
