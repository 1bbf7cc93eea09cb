// The Endpoints controller: keeps one Endpoints object per Service with a selector, from the
// pods the selector matches. Pod informer events enqueue the services that select the pod,
// so a readiness change reaches Endpoints within one reconcile (no polling).
import { objectKey, splitKey, isNotFound, type Endpoints, type Pod, type Service } from "@skiff/api";
import type { WorkQueue } from "@skiff/client";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";
import { backends, selects, subsets } from "./compute.js";

/** Enqueues every service of a pod's namespace that selects it (before or after a change). */
export function watchServicePods(ctx: ControllerContext, queue: WorkQueue): void {
  const services = ctx.informers.get<Service>("services");
  const pods = ctx.informers.get<Pod>("pods");
  const forPod = (...ps: Pod[]) => {
    for (const s of services.list()) {
      if (ps.some((p) => p.metadata.namespace === s.metadata.namespace && selects(s, p))) queue.add(objectKey(s));
    }
  };
  services.addHandlers({ onAdd: (s) => queue.add(objectKey(s)), onUpdate: (_o, s) => queue.add(objectKey(s)), onDelete: (s) => queue.add(objectKey(s)) });
  pods.addHandlers({ onAdd: (p) => forPod(p), onUpdate: (o, p) => forPod(o, p), onDelete: (p) => forPod(p) });
}

export class EndpointsController extends QueueController {
  constructor(ctx: ControllerContext) {
    super(ctx, { workers: 2, baseDelayMs: 100, maxDelayMs: 5000, name: "endpoints" });
  }

  protected async setup(): Promise<void> {
    watchServicePods(this.ctx, this.queue);
    const eps = this.ctx.informers.get<Endpoints>("endpoints");
    // Someone deleting or editing a managed Endpoints gets it put back.
    eps.addHandlers({ onDelete: (e) => this.queue.add(objectKey(e)), onUpdate: (_o, e) => this.queue.add(objectKey(e)) });
    await Promise.all(["services", "pods", "endpoints"].map((r) => this.ctx.informers.get(r).waitForSync()));
  }

  /** Makes the service's Endpoints match its ready and not-ready pods. */
  async reconcile(key: string): Promise<void> {
    const { client, informers } = this.ctx;
    const { namespace, name } = splitKey(key);
    const svc = informers.get<Service>("services").get(key);
    const cur = informers.get<Endpoints>("endpoints").get(key);
    if (!svc?.spec?.selector || Object.keys(svc.spec.selector).length === 0) {
      // Selector-less services keep hand-written Endpoints; a deleted service's go with it.
      if (!svc && cur)
        await client.delete("endpoints", name, namespace).catch((err) => {
          if (!isNotFound(err)) throw err;
        });
      return;
    }
    const pods = informers
      .get<Pod>("pods")
      .list()
      .filter((p) => p.metadata.namespace === namespace);
    const want = subsets(backends(svc, pods));
    const labels = { ...(svc.metadata.labels ?? {}), "service.kubernetes.io/headless": svc.spec.clusterIP === "None" ? "" : undefined };
    if (labels["service.kubernetes.io/headless"] === undefined) delete labels["service.kubernetes.io/headless"];
    if (cur && JSON.stringify(cur.subsets ?? []) === JSON.stringify(want) && JSON.stringify(cur.metadata.labels ?? {}) === JSON.stringify(labels)) return;
    const body: Endpoints = {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: { ...(cur?.metadata ?? {}), name, namespace, labels: labels as Record<string, string> },
      subsets: want,
    };
    // On Conflict/AlreadyExists (a stale cache) the error retries the key once the informer caught up.
    if (cur) await client.update("endpoints", body);
    else await client.create("endpoints", body, namespace);
  }
}
