// The disruption controller: keeps each PodDisruptionBudget's status (budget.ts) current as its
// pods come, go and change readiness; evictions read disruptionsAllowed from it.
import { labelSelectorFromStruct, matchesLabels, objectKey, splitKey, isNotFound, type Pod, type PodDisruptionBudget } from "@skiff/api";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";
import { budgetStatus, DISRUPTION_TIMEOUT_MS } from "./budget.js";

export class DisruptionController extends QueueController {
  constructor(ctx: ControllerContext) {
    super(ctx, { workers: 2, baseDelayMs: 200, maxDelayMs: 10_000, name: "disruption" });
  }

  protected async setup(): Promise<void> {
    const pdbs = this.ctx.informers.get<PodDisruptionBudget>("poddisruptionbudgets");
    const pods = this.ctx.informers.get<Pod>("pods");
    pdbs.addHandlers({ onAdd: (b) => this.queue.add(objectKey(b)), onUpdate: (_o, b) => this.queue.add(objectKey(b)) });
    const forPod = (...ps: Pod[]) => {
      for (const b of pdbs.list()) {
        const sel = labelSelectorFromStruct(b.spec?.selector ?? {});
        if (ps.some((p) => p.metadata.namespace === b.metadata.namespace && matchesLabels(sel, p.metadata.labels))) this.queue.add(objectKey(b));
      }
    };
    pods.addHandlers({ onAdd: (p) => forPod(p), onUpdate: (o, p) => forPod(o, p), onDelete: (p) => forPod(p) });
    await Promise.all([pdbs.waitForSync(), pods.waitForSync()]);
  }

  async reconcile(key: string): Promise<void> {
    const pdb = this.ctx.informers.get<PodDisruptionBudget>("poddisruptionbudgets").get(key);
    if (!pdb) return;
    const { namespace } = splitKey(key);
    const pods = this.ctx.informers
      .get<Pod>("pods")
      .list()
      .filter((p) => p.metadata.namespace === namespace);
    const status = budgetStatus(pdb, pods);
    const same = (a: unknown, b: unknown) =>
      JSON.stringify({ ...(a as object), conditions: undefined }) === JSON.stringify({ ...(b as object), conditions: undefined });
    if (pdb.status && same(pdb.status, status)) return;
    try {
      await this.ctx.client.updateStatus("poddisruptionbudgets", { ...pdb, status });
    } catch (err) {
      if (isNotFound(err)) return;
      throw err; // a conflict retries with a fresher cache
    }
    // Marks of evicted pods expire: look again when the oldest would.
    if ((status as { disruptedPods?: object }).disruptedPods) this.queue.addAfter(key, DISRUPTION_TIMEOUT_MS);
  }
}
