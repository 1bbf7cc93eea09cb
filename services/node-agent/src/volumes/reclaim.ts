// Reclaim policy Delete for node-local PersistentVolumes: when a Released PV with policy Delete
// keeps its data under this agent's --volume-dir, the agent (where the data lives) removes the
// data and then the PV object. PVs outside the volume dir are never touched (Retain-like).
import { rm } from "node:fs/promises";
import { resolve, sep } from "node:path";
import type { Logger } from "@skiff/log";
import { isNotFound, objectKey, type PersistentVolume } from "@skiff/api";
import { WorkQueue, runWorkers, type ApiClient, type Informer } from "@skiff/client";

/** Annotation naming the node whose volume dir holds a provisioned PV's data. */
export const PROVISIONED_NODE = "skiff.io/provisioned-node";

export class VolumeReclaimer {
  private readonly queue = new WorkQueue({ baseDelayMs: 500, maxDelayMs: 10_000 });

  constructor(
    private readonly client: ApiClient,
    private readonly pvs: Informer<PersistentVolume>,
    private readonly volumeDir: string,
    private readonly log: Logger,
    private readonly nodeName?: string,
  ) {}

  async start(): Promise<void> {
    this.pvs.addHandlers({ onAdd: (p) => this.queue.add(objectKey(p)), onUpdate: (_o, p) => this.queue.add(objectKey(p)) });
    void runWorkers(this.queue, 1, (k) => this.reconcile(k), this.log);
  }

  stop(): void {
    this.queue.shutdown();
  }

  /** Deletes the data and the object of a Released PV with policy Delete whose path is ours. */
  async reconcile(name: string): Promise<void> {
    const pv = this.pvs.get(name);
    if (pv?.status?.phase !== "Released" || pv.spec.persistentVolumeReclaimPolicy !== "Delete") return;
    const owner = pv.metadata.annotations?.[PROVISIONED_NODE];
    if (owner && this.nodeName && owner !== this.nodeName) return;
    const path = pv.spec.hostPath?.path ?? pv.spec.local?.path;
    if (!path || !isUnder(path, this.volumeDir)) return;
    await rm(path, { recursive: true, force: true });
    this.log.info({ pv: name, path }, "reclaimed volume: data deleted");
    try {
      await this.client.delete("persistentvolumes", name, undefined, { preconditionUid: pv.metadata.uid });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** True when `path` is strictly inside `dir` (no escaping with ..). */
export function isUnder(path: string, dir: string): boolean {
  const d = resolve(dir) + sep;
  return resolve(path).startsWith(d) && resolve(path) !== resolve(dir);
}
