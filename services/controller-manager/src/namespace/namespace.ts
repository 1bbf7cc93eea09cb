// Namespace deletion: a namespace marked for deletion has every object in it deleted, then
// its "kubernetes" finalizer removed, and is gone once nothing is left.
import { objectKey, isNotFound, ResourceRegistry, type Namespace, type KObject, type ResourceInfo } from "@skiff/api";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";

export class NamespaceController extends QueueController {
  constructor(ctx: ControllerContext) {
    super(ctx, { workers: 2, baseDelayMs: 500, maxDelayMs: 5000 });
  }

  protected async setup(): Promise<void> {
    const nss = this.ctx.informers.get<Namespace>("namespaces");
    nss.addHandlers({ onAdd: (n) => this.queue.add(objectKey(n)), onUpdate: (_o, n) => this.queue.add(objectKey(n)) });
    await nss.waitForSync();
  }

  async reconcile(name: string): Promise<void> {
    const ns = this.ctx.informers.get<Namespace>("namespaces").get(name);
    if (!ns?.metadata.deletionTimestamp) return;
    const { client } = this.ctx;
    let remaining = 0;
    for (const r of NAMESPACED) {
      const list = await client.list<KObject>(r, { namespace: name });
      for (const o of list.items) {
        remaining++;
        if (o.metadata.deletionTimestamp) continue;
        try {
          await client.delete(r, o.metadata.name!, name);
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }
    }
    if (remaining > 0) {
      this.queue.addAfter(name, 1000); // wait for pods to terminate
      return;
    }
    // Dropping the "kubernetes" finalizer lets the apiserver remove the namespace.
    const fresh = await client.get<Namespace>("namespaces", name).catch((err) => {
      if (isNotFound(err)) return undefined;
      throw err;
    });
    if (!fresh) return;
    await client.update("namespaces", { ...fresh, spec: { ...fresh.spec, finalizers: [] } });
    this.ctx.log.info({ namespace: name }, "namespace finalized");
  }
}

/**
 * Every namespaced resource of the registry, in the order a namespace is emptied: workload
 * owners first (their pods then go through the garbage collector and graceful deletion),
 * pods next to last, events last (deletions record events). Services are among them, so
 * their ClusterIPs and NodePorts are released with the namespace.
 */
export function deletionOrder(all: ResourceInfo[]): string[] {
  const owners = ["cronjobs", "jobs", "deployments", "daemonsets", "statefulsets", "replicasets", "replicationcontrollers"];
  const rank = (r: string) => (owners.includes(r) ? 0 : r === "pods" ? 2 : r === "events" ? 3 : 1);
  return all
    .filter((r) => r.namespaced && !r.virtual)
    .map((r) => r.resource)
    .sort((a, b) => rank(a) - rank(b) || owners.indexOf(a) - owners.indexOf(b));
}

const NAMESPACED = deletionOrder(new ResourceRegistry().all);
