// Expectations (client-go's ControllerExpectations): what a controller has asked the apiserver
// to create or delete and not yet seen through its informer. While any are outstanding the
// controller does not act on counts from its cache, so a stale cache never double-creates.
import { objectKey, type Pod } from "@skiff/api";
import type { InformerHandlers } from "@skiff/client";

/** How long an expectation is trusted before it is dropped (a lost watch event must not wedge a controller). */
export const EXPECTATION_TTL_MS = 5 * 60_000;

interface Pending {
  adds: number;
  dels: Set<string>;
  at: number;
}

/** Per-controller-key record of creates and deletes in flight. */
export class Expectations {
  private readonly m = new Map<string, Pending>();
  constructor(private readonly now: () => number = Date.now) {}

  /** Whether the cache can be trusted for this key (nothing in flight, or expired). */
  satisfied(key: string): boolean {
    const p = this.m.get(key);
    if (!p) return true;
    if (p.adds <= 0 && p.dels.size === 0) return true;
    return this.now() - p.at > EXPECTATION_TTL_MS;
  }

  /** Remembers `n` creates about to be sent. */
  expectCreations(key: string, n: number): void {
    const p = this.get(key);
    p.adds += n;
    p.at = this.now();
  }

  /** Remembers deletes (by "namespace/name" of the object) about to be sent. */
  expectDeletions(key: string, objKeys: string[]): void {
    const p = this.get(key);
    for (const k of objKeys) p.dels.add(k);
    p.at = this.now();
  }

  /** An informer showed (or a failed call will never produce) one expected create. */
  creationObserved(key: string): void {
    const p = this.m.get(key);
    if (p && p.adds > 0) p.adds--;
  }

  /** An informer showed (or a failed call will never produce) the deletion of this object. */
  deletionObserved(key: string, objKey: string): void {
    this.m.get(key)?.dels.delete(objKey);
  }

  /** Forgets everything about a key (its owner is gone). */
  delete(key: string): void {
    this.m.delete(key);
  }

  /** Outstanding creates and deletes (for tests and logs). */
  pending(key: string): { adds: number; dels: number } {
    const p = this.m.get(key);
    return { adds: p?.adds ?? 0, dels: p?.dels.size ?? 0 };
  }

  private get(key: string): Pending {
    let p = this.m.get(key);
    if (!p) {
      p = { adds: 0, dels: new Set(), at: this.now() };
      this.m.set(key, p);
    }
    return p;
  }
}

/**
 * Pod informer handlers for a controller that creates and deletes its own pods (DaemonSet, Job):
 * each event settles the owner's expectations and queues the owner (`owner` names it, or
 * undefined for pods that are not its).
 */
export function ownedPodHandlers(owner: (p: Pod) => string | undefined, expectations: Expectations, queue: { add(key: string): void }): InformerHandlers<Pod> {
  return {
    onAdd: (p) => {
      const k = owner(p);
      if (k) {
        expectations.creationObserved(k);
        queue.add(k);
      }
    },
    onUpdate: (a, p) => {
      const k = owner(p);
      if (!k) return;
      if (p.metadata.deletionTimestamp && !a.metadata.deletionTimestamp) expectations.deletionObserved(k, objectKey(p));
      queue.add(k);
    },
    onDelete: (p) => {
      const k = owner(p);
      if (k) {
        expectations.deletionObserved(k, objectKey(p));
        queue.add(k);
      }
    },
  };
}
