// Pod garbage collection of orphaned pods (Kubernetes' PodGC gcOrphaned): a pod bound to a Node
// that no longer exists has no agent left to finish it, so once the Node has been gone for the
// quarantine (confirmed with the apiserver) the pod is force-deleted. This is how a deleted
// node's pods — its mirror pods too — go away.
import { isConflict, isNotFound, type Node, type Pod } from "@skiff/api";
import type { Controller, ControllerContext } from "../controller.js";

export class PodGcController implements Controller {
  /** When each missing node was first seen missing (ms). */
  private readonly missingSince = new Map<string, number>();
  private timer?: NodeJS.Timeout;

  constructor(private readonly ctx: ControllerContext) {}

  async start(): Promise<void> {
    await Promise.all([this.ctx.informers.get<Node>("nodes").waitForSync(), this.ctx.informers.get<Pod>("pods").waitForSync()]);
    const period = Math.max(250, Math.min(this.ctx.opts.podGcOrphanQuarantineMs / 2, 10_000));
    this.timer = setInterval(() => void this.check().catch((err) => this.ctx.log.warn({ err }, "pod GC pass failed")), period);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass: force-deletes the pods of nodes missing for longer than the quarantine. */
  async check(now = Date.now()): Promise<void> {
    const { client, informers, log, opts } = this.ctx;
    const nodes = new Set(
      informers
        .get<Node>("nodes")
        .list()
        .map((n) => n.metadata.name!),
    );
    const missing = new Set<string>();
    for (const pod of informers.get<Pod>("pods").list()) {
      const node = pod.spec.nodeName;
      if (!node || nodes.has(node)) continue;
      missing.add(node);
      const since = this.missingSince.get(node) ?? now;
      this.missingSince.set(node, since);
      if (now - since < opts.podGcOrphanQuarantineMs) continue;
      // The cache may lag behind a node that just (re-)registered: ask the apiserver first.
      const exists = await client.get("nodes", node).then(
        () => true,
        (err) => {
          if (isNotFound(err)) return false;
          throw err;
        },
      );
      if (exists) continue;
      try {
        await client.delete("pods", pod.metadata.name!, pod.metadata.namespace, { gracePeriodSeconds: 0, preconditionUid: pod.metadata.uid });
        log.info({ pod: `${pod.metadata.namespace}/${pod.metadata.name}`, node }, "deleted pod bound to a node that no longer exists");
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    for (const n of this.missingSince.keys()) if (!missing.has(n)) this.missingSince.delete(n);
  }
}
