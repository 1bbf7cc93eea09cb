// ReplicaSet (and its older form, ReplicationController): keeps `replicas` active pods matching
// the selector — creates from the template, adopts matching orphans, releases pods relabelled
// out of scope, deletes extras (not-ready and newest first) — and reports status.
import {
  clone,
  labelSelectorFromStruct,
  matchesLabels,
  objectKey,
  splitKey,
  isNotFound,
  type KObject,
  type LabelSelector,
  type Pod,
  type ReplicaSet,
  type PodTemplateSpec,
} from "@skiff/api";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";
import { Expectations } from "../common/expectations.js";
import { claim, controllerRef, newControllerRef, tolerant } from "../common/ownership.js";
import { deletionOrder, isPodActive, isPodAvailable, isPodReady, msUntilAvailable, podFromTemplate } from "../common/pods.js";

/** At most this many pods are created or deleted in one reconcile (kube's burstReplicas). */
export const BURST_REPLICAS = 500;

/** Which replica-set-like kind a controller instance serves. */
export interface ReplicaKind {
  resource: "replicasets" | "replicationcontrollers";
  apiVersion: string;
  kind: string;
  /** The selector of an object of this kind. */
  selector(o: KObject): LabelSelector;
}

export const replicaSetKind: ReplicaKind = {
  resource: "replicasets",
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  selector: (o) => labelSelectorFromStruct((o as ReplicaSet).spec.selector),
};

export const replicationControllerKind: ReplicaKind = {
  resource: "replicationcontrollers",
  apiVersion: "v1",
  kind: "ReplicationController",
  // A ReplicationController's selector is a plain equality map (defaulted from the template).
  selector: (o) => labelSelectorFromStruct({ matchLabels: (o.spec as { selector?: Record<string, string> }).selector ?? {} }),
};

type RsLike = KObject & { spec: { replicas?: number; minReadySeconds?: number; template: PodTemplateSpec }; status?: ReplicaSet["status"] };

/** The ReplicaSet / ReplicationController controller. */
export class ReplicaSetController extends QueueController {
  readonly expectations = new Expectations();

  constructor(
    ctx: ControllerContext,
    readonly rk: ReplicaKind = replicaSetKind,
  ) {
    super(ctx, 4);
  }

  private get sets() {
    return this.ctx.informers.get<RsLike>(this.rk.resource);
  }
  private get pods() {
    return this.ctx.informers.get<Pod>("pods");
  }

  protected async setup(): Promise<void> {
    this.sets.addHandlers({
      onAdd: (o) => this.queue.add(objectKey(o)),
      onUpdate: (_a, o) => this.queue.add(objectKey(o)),
      onDelete: (o) => {
        this.expectations.delete(objectKey(o));
        this.queue.add(objectKey(o));
      },
    });
    this.pods.addHandlers({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (a, b) => this.podUpdated(a, b),
      onDelete: (p) => this.podDeleted(p),
    });
    await Promise.all([this.sets.waitForSync(), this.pods.waitForSync()]);
  }

  /** The owner key of a pod whose controller reference names one of ours (uid checked). */
  private ownerKey(p: Pod): string | undefined {
    const ref = controllerRef(p);
    if (!ref || ref.kind !== this.rk.kind) return undefined;
    const key = `${p.metadata.namespace}/${ref.name}`;
    const owner = this.sets.get(key);
    return owner && owner.metadata.uid === ref.uid ? key : undefined;
  }

  /** Enqueues every set whose selector matches an orphan (it may adopt it). */
  private enqueueMatching(p: Pod): void {
    for (const s of this.sets.list()) {
      if (s.metadata.namespace === p.metadata.namespace && matchesLabels(this.rk.selector(s), p.metadata.labels)) this.queue.add(objectKey(s));
    }
  }

  podAdded(p: Pod): void {
    if (p.metadata.deletionTimestamp) return this.podDeleted(p);
    const key = this.ownerKey(p);
    if (key) {
      this.expectations.creationObserved(key);
      this.queue.add(key);
    } else if (!controllerRef(p)) this.enqueueMatching(p);
  }

  podUpdated(old: Pod, p: Pod): void {
    const key = this.ownerKey(p);
    if (p.metadata.deletionTimestamp && !old.metadata.deletionTimestamp && key) {
      // A graceful delete counts as observed once the pod is marked (it is no longer active).
      this.expectations.deletionObserved(key, objectKey(p));
    }
    const oldKey = this.ownerKey(old);
    if (oldKey && oldKey !== key) this.queue.add(oldKey);
    if (key) this.queue.add(key);
    else if (!controllerRef(p)) this.enqueueMatching(p);
    if (JSON.stringify(old.metadata.labels) !== JSON.stringify(p.metadata.labels) && !controllerRef(old)) this.enqueueMatching(old);
  }

  podDeleted(p: Pod): void {
    const key = this.ownerKey(p);
    if (!key) return;
    this.expectations.deletionObserved(key, objectKey(p));
    this.queue.add(key);
  }

  async reconcile(key: string): Promise<void> {
    const rs = this.sets.get(key);
    if (!rs) {
      this.expectations.delete(key);
      return;
    }
    const { namespace } = splitKey(key);
    const selector = this.rk.selector(rs);
    const candidates = this.pods.list().filter((p) => p.metadata.namespace === namespace && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
    const ref = newControllerRef(rs, this.rk.apiVersion, this.rk.kind);
    const claimed = await claim(this.ctx.client, "pods", rs, ref, selector, candidates);
    const active = claimed.owned.filter(isPodActive);
    let manageErr: unknown;
    if (this.expectations.satisfied(key) && !rs.metadata.deletionTimestamp) {
      try {
        await this.manageReplicas(key, rs, active);
      } catch (err) {
        manageErr = err;
      }
    }
    await this.updateStatus(rs, active);
    if (manageErr) throw manageErr;
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (minReady > 0) {
      const wait = Math.max(0, ...active.map((p) => msUntilAvailable(p, minReady)));
      if (wait > 0) this.queue.addAfter(key, wait + 50);
    }
  }

  /** Creates or deletes pods to close the gap between active pods and spec.replicas. */
  private async manageReplicas(key: string, rs: RsLike, active: Pod[]): Promise<void> {
    const want = rs.spec.replicas ?? 1;
    const diff = active.length - want;
    const { client, recorder } = this.ctx;
    if (diff < 0) {
      const n = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, n);
      const ref = newControllerRef(rs, this.rk.apiVersion, this.rk.kind);
      // Slow start (kube's slowStartBatch): 1, 2, 4… so a failing template costs few calls.
      let done = 0;
      for (let batch = 1; done < n; batch *= 2) {
        const size = Math.min(batch, n - done);
        const results = await Promise.allSettled(
          Array.from({ length: size }, () => client.create<Pod>("pods", podFromTemplate(rs.spec.template, rs.metadata.namespace!, ref))),
        );
        done += size;
        const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
        for (const r of results) if (r.status === "fulfilled") recorder.record(rs, "Normal", "SuccessfulCreate", `Created pod: ${r.value.metadata.name}`);
        if (failed.length) {
          // Creates that failed, and those never sent, will never be observed.
          for (let i = 0; i < failed.length + (n - done); i++) this.expectations.creationObserved(key);
          recorder.record(rs, "Warning", "FailedCreate", `Error creating: ${(failed[0].reason as Error).message}`);
          throw failed[0].reason;
        }
      }
    } else if (diff > 0) {
      const victims = [...active].sort(deletionOrder).slice(0, Math.min(diff, BURST_REPLICAS));
      this.expectations.expectDeletions(key, victims.map(objectKey));
      await Promise.all(
        victims.map(async (p) => {
          try {
            await client.delete("pods", p.metadata.name!, p.metadata.namespace, { preconditionUid: p.metadata.uid });
            recorder.record(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`);
          } catch (err) {
            this.expectations.deletionObserved(key, objectKey(p));
            if (!isNotFound(err)) throw err;
          }
        }),
      );
    }
  }

  /** Writes replicas/fullyLabeled/ready/available/observedGeneration when they changed. */
  private async updateStatus(rs: RsLike, active: Pod[]): Promise<void> {
    const templateLabels = rs.spec.template.metadata?.labels ?? {};
    const minReady = rs.spec.minReadySeconds ?? 0;
    const status = {
      ...(rs.status ?? {}),
      replicas: active.length,
      fullyLabeledReplicas: active.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length,
      readyReplicas: active.filter(isPodReady).length,
      availableReplicas: active.filter((p) => isPodAvailable(p, minReady)).length,
      observedGeneration: rs.metadata.generation,
    };
    if (JSON.stringify(status) === JSON.stringify(rs.status ?? {})) return;
    const next = clone(rs);
    next.status = status;
    await tolerant(() => this.ctx.client.updateStatus(this.rk.resource, next));
  }
}
