// One pod informer for a whole fleet of hollow nodes, split by spec.nodeName into one view per
// node: each node's real PodManager sees only its pods, as a node agent's fieldSelector informer
// would, without 1,000 watches on the apiserver.
import { objectKey, type Pod } from "@skiff/api";
import type { Informer, InformerHandlers } from "@skiff/client";
import type { PodSource } from "../pods/manager.js";

/** The pods bound to one node, fed by the fleet's informer. */
export class NodePods implements PodSource {
  private readonly cache = new Map<string, Pod>();
  private readonly handlers: InformerHandlers<Pod>[] = [];

  constructor(private readonly synced: () => Promise<void>) {}

  get(key: string): Pod | undefined {
    return this.cache.get(key);
  }

  list(): Pod[] {
    return [...this.cache.values()];
  }

  addHandlers(h: InformerHandlers<Pod>): void {
    this.handlers.push(h);
    for (const p of this.cache.values()) h.onAdd?.(p);
  }

  waitForSync(): Promise<void> {
    return this.synced();
  }

  /** A pod is (still) bound here. */
  put(p: Pod): void {
    const k = objectKey(p);
    const old = this.cache.get(k);
    this.cache.set(k, p);
    for (const h of this.handlers) {
      if (old) h.onUpdate?.(old, p);
      else h.onAdd?.(p);
    }
  }

  /** A pod is gone, or bound elsewhere now. */
  drop(p: Pod): void {
    const k = objectKey(p);
    if (!this.cache.delete(k)) return;
    for (const h of this.handlers) h.onDelete?.(p);
  }
}

/** Splits the fleet's pod informer into one NodePods per node name. */
export function splitByNode(pods: Informer<Pod>, nodes: string[]): Map<string, NodePods> {
  const views = new Map(nodes.map((n) => [n, new NodePods(() => pods.waitForSync())]));
  const on = (p: Pod) => (p.spec.nodeName ? views.get(p.spec.nodeName) : undefined);
  pods.addHandlers({
    onAdd: (p) => on(p)?.put(p),
    onUpdate: (old, p) => {
      if (old.spec.nodeName !== p.spec.nodeName) on(old)?.drop(old);
      on(p)?.put(p);
    },
    onDelete: (p) => on(p)?.drop(p),
  });
  return views;
}
