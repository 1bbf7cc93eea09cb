// The PV/PVC binder: binds each Pending claim to the smallest Available PersistentVolume that
// fits (capacity ≥ request, access modes ⊇ requested, same storageClassName, selector-free),
// keeps phases (Available, Bound, Released; claim Pending/Bound/Lost), and releases a PV whose
// claim is gone. A Released PV keeps its claimRef — it is never handed to another claim while
// it holds data (Retain); policy Delete is carried out by the node agent that holds the data.
import { isConflict, isNotFound, memoryToBytes, objectKey, type PersistentVolume, type PersistentVolumeClaim } from "@skiff/api";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";

/** Annotation set on a claim once bound, as Kubernetes' pv.kubernetes.io/bind-completed. */
export const BIND_COMPLETED = "pv.kubernetes.io/bind-completed";

/** Whether a PV can satisfy a claim (ignoring whether it is free). */
export function matches(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  const want = memoryToBytes(pvc.spec.resources?.requests?.storage ?? "0");
  const have = memoryToBytes(pv.spec.capacity?.storage ?? "0");
  if (have < want) return false;
  if ((pv.spec.storageClassName ?? "") !== (pvc.spec.storageClassName ?? "")) return false;
  const modes = new Set(pv.spec.accessModes ?? []);
  if (!(pvc.spec.accessModes ?? []).every((m) => modes.has(m))) return false;
  if ((pv.spec.volumeMode ?? "Filesystem") !== (pvc.spec.volumeMode ?? "Filesystem")) return false;
  return true;
}

/** The best Available PV for a claim: the pre-bound one, else the smallest that matches. */
export function pickVolume(pvs: PersistentVolume[], pvc: PersistentVolumeClaim): PersistentVolume | undefined {
  if (pvc.spec.volumeName) {
    const pv = pvs.find((p) => p.metadata.name === pvc.spec.volumeName);
    return pv && isFreeFor(pv, pvc) && matches(pv, pvc) ? pv : undefined;
  }
  return pvs
    .filter((p) => isFreeFor(p, pvc) && matches(p, pvc))
    .sort((a, b) => memoryToBytes(a.spec.capacity?.storage ?? "0") - memoryToBytes(b.spec.capacity?.storage ?? "0"))[0];
}

function isFreeFor(pv: PersistentVolume, pvc: PersistentVolumeClaim): boolean {
  if (pv.metadata.deletionTimestamp) return false;
  const ref = pv.spec.claimRef;
  // A PV pre-bound to this claim (by name, uid unset or equal) is free for it; any other claimRef holds it.
  if (ref)
    return (
      ref.namespace === pvc.metadata.namespace &&
      ref.name === pvc.metadata.name &&
      (!ref.uid || ref.uid === pvc.metadata.uid) &&
      pv.status?.phase !== "Released"
    );
  return pv.status?.phase === "Available" || pv.status?.phase === "Pending" || !pv.status?.phase;
}

export class VolumeBinderController extends QueueController {
  constructor(ctx: ControllerContext) {
    super(ctx, { workers: 1, baseDelayMs: 300, maxDelayMs: 10_000, name: "volume-binder" });
  }

  private get pvs() {
    return this.ctx.informers.get<PersistentVolume>("persistentvolumes");
  }
  private get pvcs() {
    return this.ctx.informers.get<PersistentVolumeClaim>("persistentvolumeclaims");
  }

  protected async setup(): Promise<void> {
    const claim = (c: PersistentVolumeClaim) => this.queue.add(`claim:${objectKey(c)}`);
    const volume = (v: PersistentVolume) => {
      this.queue.add(`volume:${v.metadata.name}`);
      // A volume appearing or freeing up may satisfy a waiting claim.
      for (const c of this.pvcs.list()) if (c.status?.phase !== "Bound") claim(c);
    };
    this.pvcs.addHandlers({
      onAdd: claim,
      onUpdate: (_o, c) => claim(c),
      onDelete: (c) => {
        claim(c);
        for (const v of this.pvs.list()) if (v.spec.claimRef?.uid === c.metadata.uid) volume(v);
      },
    });
    this.pvs.addHandlers({ onAdd: volume, onUpdate: (_o, v) => volume(v), onDelete: volume });
    await Promise.all([this.pvs.waitForSync(), this.pvcs.waitForSync()]);
  }

  async reconcile(key: string): Promise<void> {
    const [kind, name] = [key.slice(0, key.indexOf(":")), key.slice(key.indexOf(":") + 1)];
    if (kind === "volume") return this.syncVolume(name);
    return this.syncClaim(name);
  }

  /** A PV's phase follows its claim: none → Available, live claim → Bound, claim gone → Released. */
  private async syncVolume(name: string): Promise<void> {
    const pv = this.pvs.get(name);
    if (!pv || pv.metadata.deletionTimestamp) return;
    const ref = pv.spec.claimRef;
    let phase: NonNullable<PersistentVolume["status"]>["phase"];
    if (!ref) phase = "Available";
    else if (!ref.uid)
      phase = pv.status?.phase === "Bound" ? "Bound" : "Available"; // pre-bound, waiting for its claim
    else {
      const claim = this.pvcs.get(`${ref.namespace}/${ref.name}`);
      phase = claim && claim.metadata.uid === ref.uid ? "Bound" : "Released";
      if (phase === "Released" && pv.status?.phase === "Released") return;
    }
    if (pv.status?.phase === phase) return;
    await this.ctx.client.updateStatus("persistentvolumes", { ...pv, status: { ...pv.status, phase } });
    if (phase === "Released")
      this.ctx.recorder.record(
        pv,
        "Normal",
        "VolumeReleased",
        `claim ${ref!.namespace}/${ref!.name} was deleted; reclaim policy ${pv.spec.persistentVolumeReclaimPolicy ?? "Retain"}`,
      );
  }

  private async syncClaim(key: string): Promise<void> {
    const pvc = this.pvcs.get(key);
    if (!pvc || pvc.metadata.deletionTimestamp) return;
    const { client } = this.ctx;
    if (pvc.status?.phase === "Bound" && pvc.spec.volumeName) {
      const pv = this.pvs.get(pvc.spec.volumeName);
      if (!pv) {
        await client.updateStatus("persistentvolumeclaims", { ...pvc, status: { ...pvc.status, phase: "Lost" } });
        this.ctx.recorder.record(pvc, "Warning", "ClaimLost", `Bound claim has lost its PersistentVolume ${pvc.spec.volumeName}. Data on the volume is lost!`);
      }
      return;
    }
    const pv = pickVolume(this.pvs.list(), pvc);
    if (!pv) {
      if (pvc.status?.phase !== "Pending") await client.updateStatus("persistentvolumeclaims", { ...pvc, status: { ...pvc.status, phase: "Pending" } });
      return;
    }
    try {
      // PV first (claimRef with the claim's uid), so a crash between the writes leaves a PV that only this claim can take.
      const claimRef = { kind: "PersistentVolumeClaim", apiVersion: "v1", namespace: pvc.metadata.namespace, name: pvc.metadata.name, uid: pvc.metadata.uid };
      const boundPV = await client.update<PersistentVolume>("persistentvolumes", { ...pv, spec: { ...pv.spec, claimRef } });
      await client.updateStatus("persistentvolumes", { ...boundPV, status: { ...boundPV.status, phase: "Bound" } });
      const bound = await client.update<PersistentVolumeClaim>("persistentvolumeclaims", {
        ...pvc,
        metadata: { ...pvc.metadata, annotations: { ...pvc.metadata.annotations, [BIND_COMPLETED]: "yes" } },
        spec: { ...pvc.spec, volumeName: pv.metadata.name },
      });
      await client.updateStatus("persistentvolumeclaims", {
        ...bound,
        status: { phase: "Bound", accessModes: pv.spec.accessModes, capacity: pv.spec.capacity },
      });
      this.ctx.recorder.record(pvc, "Normal", "Bound", `Successfully bound to volume ${pv.metadata.name}`);
      this.ctx.log.info({ claim: key, volume: pv.metadata.name }, "bound claim");
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) {
        this.queue.addAfter(`claim:${key}`, 200);
        return;
      }
      throw err;
    }
  }
}
