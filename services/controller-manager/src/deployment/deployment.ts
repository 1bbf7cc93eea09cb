// Deployment: owns ReplicaSets named by the pod-template hash; rolls from old to new with
// RollingUpdate (maxSurge/maxUnavailable gated on pod availability) or Recreate; numbers
// revisions (`deployment.kubernetes.io/revision`) so `kubectl rollout history/undo` work;
// keeps revisionHistoryLimit old sets; writes the status and the Progressing/Available
// conditions `kubectl rollout status` reads.
import {
  clone,
  isAlreadyExists,
  labelSelectorFromStruct,
  matchesLabels,
  nowRfc3339,
  objectKey,
  splitKey,
  type Deployment,
  type Pod,
  type ReplicaSet,
  type PodTemplateSpec,
} from "@skiff/api";
import { QueueController } from "../common/base.js";
import { claim, controllerRef, newControllerRef, tolerant } from "../common/ownership.js";
import { isPodActive, isPodAvailable, isPodReady, msUntilAvailable } from "../common/pods.js";
import { resolveFenceposts } from "../common/intstr.js";
import { semanticValue, stableJson, templateHash } from "../common/hash.js";
import { rollingNewReplicas, rollingOldReplicas } from "./rolling.js";

export const REVISION_ANNOTATION = "deployment.kubernetes.io/revision";
export const DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas";
export const MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas";
export const HASH_LABEL = "pod-template-hash";
/** Annotations of the Deployment that are not copied onto its ReplicaSets. */
const notCopied = new Set([
  REVISION_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  "kubectl.kubernetes.io/last-applied-configuration",
  "deployment.kubernetes.io/revision-history",
]);

type Condition = NonNullable<NonNullable<Deployment["status"]>["conditions"]>[number];

/** Whether a ReplicaSet's template equals the Deployment's, ignoring the hash label. */
export function equalIgnoreHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  const strip = (t: PodTemplateSpec) => {
    const c = clone(t);
    if (c.metadata?.labels) delete c.metadata.labels[HASH_LABEL];
    return stableJson(semanticValue(c));
  };
  return strip(a) === strip(b);
}

/** The revision number of a ReplicaSet (0 when unset). */
export function revisionOf(rs: ReplicaSet): number {
  return Number(rs.metadata.annotations?.[REVISION_ANNOTATION] ?? 0) || 0;
}

/** The Deployment controller. */
export class DeploymentController extends QueueController {
  /** spec.replicas we wrote per ReplicaSet uid, until the cache shows that write (stale-cache guard). */
  private readonly written = new Map<string, { replicas: number; rv: number }>();

  private get deployments() {
    return this.ctx.informers.get<Deployment>("deployments");
  }
  private get sets() {
    return this.ctx.informers.get<ReplicaSet>("replicasets");
  }
  private get pods() {
    return this.ctx.informers.get<Pod>("pods");
  }

  protected async setup(): Promise<void> {
    const enq = (d: Deployment) => this.queue.add(objectKey(d));
    this.deployments.addHandlers({ onAdd: enq, onUpdate: (_a, d) => enq(d), onDelete: enq });
    const onRs = (rs: ReplicaSet) => {
      const ref = controllerRef(rs);
      if (ref?.kind === "Deployment") this.queue.add(`${rs.metadata.namespace}/${ref.name}`);
      else if (!ref)
        for (const d of this.deployments.list()) {
          if (d.metadata.namespace === rs.metadata.namespace && matchesLabels(labelSelectorFromStruct(d.spec.selector), rs.metadata.labels)) enq(d);
        }
    };
    this.sets.addHandlers({ onAdd: onRs, onUpdate: (_a, rs) => onRs(rs), onDelete: onRs });
    // Pod readiness drives rollouts: a pod change wakes its ReplicaSet's Deployment.
    const onPod = (p: Pod) => {
      const ref = controllerRef(p);
      if (ref?.kind !== "ReplicaSet") return;
      const rs = this.sets.get(`${p.metadata.namespace}/${ref.name}`);
      const dref = rs && controllerRef(rs);
      if (dref?.kind === "Deployment") this.queue.add(`${p.metadata.namespace}/${dref.name}`);
    };
    this.pods.addHandlers({ onAdd: onPod, onUpdate: (_a, p) => onPod(p), onDelete: onPod });
    await Promise.all([this.deployments.waitForSync(), this.sets.waitForSync(), this.pods.waitForSync()]);
  }

  /** spec.replicas of a ReplicaSet, taking our own not-yet-observed writes into account. */
  private specOf(rs: ReplicaSet): number {
    const w = this.written.get(rs.metadata.uid!);
    if (w && w.rv > Number(rs.metadata.resourceVersion ?? 0)) return w.replicas;
    if (w) this.written.delete(rs.metadata.uid!);
    return rs.spec.replicas ?? 0;
  }

  private activePods(rs: ReplicaSet): Pod[] {
    return this.pods.list().filter((p) => p.metadata.namespace === rs.metadata.namespace && controllerRef(p)?.uid === rs.metadata.uid && isPodActive(p));
  }

  async reconcile(key: string): Promise<void> {
    const d0 = this.deployments.get(key);
    if (!d0) return;
    const d = clone(d0);
    const { namespace } = splitKey(key);
    const selector = labelSelectorFromStruct(d.spec.selector);
    const ref = newControllerRef(d, "apps/v1", "Deployment");
    const candidates = this.sets.list().filter((rs) => rs.metadata.namespace === namespace);
    const { owned } = await claim(this.ctx.client, "replicasets", d, ref, selector, candidates);
    const sets = owned.map(clone);
    let newRs = sets.find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
    const old = sets.filter((rs) => rs !== newRs).sort((a, b) => (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? ""));
    if (d.metadata.deletionTimestamp) return this.syncStatus(d, newRs, sets, false);
    const desired = d.spec.replicas ?? 1;
    let created = false;

    if (d.spec.paused) {
      // Paused: no rollout; only the scale of the current set follows spec.replicas.
      if (newRs && old.every((rs) => this.specOf(rs) === 0) && this.specOf(newRs) !== desired) await this.scale(newRs, desired, d);
      return this.syncStatus(d, newRs, sets, false);
    }

    const maxOldRevision = Math.max(0, ...old.map(revisionOf));
    if (d.spec.strategy?.type === "Recreate") {
      for (const rs of old) if (this.specOf(rs) > 0) await this.scale(rs, 0, d);
      // Recreate: the new pods start only after every old pod has stopped.
      const oldRunning = this.pods
        .list()
        .filter((p) => old.some((rs) => controllerRef(p)?.uid === rs.metadata.uid) && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed");
      if (oldRunning.length > 0) return this.syncStatus(d, newRs, sets, false);
      if (!newRs) {
        newRs = await this.createNewRs(d, maxOldRevision + 1, desired);
        created = true;
        sets.push(newRs);
      } else await this.ensureRevision(d, newRs, maxOldRevision + 1);
      if (this.specOf(newRs) !== desired) await this.scale(newRs, desired, d);
    } else {
      const { surge, unavailable } = resolveFenceposts(d.spec.strategy?.rollingUpdate?.maxSurge, d.spec.strategy?.rollingUpdate?.maxUnavailable, desired);
      if (!newRs) {
        const total = old.reduce((s, rs) => s + this.specOf(rs), 0);
        newRs = await this.createNewRs(d, maxOldRevision + 1, rollingNewReplicas(desired, surge, total, 0));
        created = true;
        sets.push(newRs);
      } else {
        await this.ensureRevision(d, newRs, maxOldRevision + 1);
        const total = sets.reduce((s, rs) => s + this.specOf(rs), 0);
        const next = rollingNewReplicas(desired, surge, total, this.specOf(newRs));
        if (next !== this.specOf(newRs)) await this.scale(newRs, next, d);
      }
      const minReady = d.spec.minReadySeconds ?? 0;
      const availableOf = (rs: ReplicaSet) => this.activePods(rs).filter((p) => isPodAvailable(p, minReady)).length;
      const targets = rollingOldReplicas(
        desired,
        unavailable,
        this.specOf(newRs),
        availableOf(newRs),
        old.map((rs) => ({ spec: this.specOf(rs), available: availableOf(rs) })),
      );
      for (let i = 0; i < old.length; i++) if (targets[i] !== this.specOf(old[i])) await this.scale(old[i], targets[i], d);
      if (minReady > 0) {
        const wait = Math.max(0, ...sets.flatMap((rs) => this.activePods(rs).map((p) => msUntilAvailable(p, minReady))));
        if (wait > 0) this.queue.addAfter(key, wait + 50);
      }
    }
    await this.syncStatus(d, newRs, sets, created);
  }

  /** Sets a ReplicaSet's spec.replicas (and the desired/max annotations). */
  private async scale(rs: ReplicaSet, replicas: number, d: Deployment): Promise<void> {
    const next = clone(rs);
    next.spec.replicas = replicas;
    next.metadata.annotations = {
      ...(next.metadata.annotations ?? {}),
      [DESIRED_REPLICAS_ANNOTATION]: String(d.spec.replicas ?? 1),
      [MAX_REPLICAS_ANNOTATION]: String(this.maxReplicas(d)),
    };
    const updated = await this.ctx.client.update<ReplicaSet>("replicasets", next);
    this.written.set(rs.metadata.uid!, { replicas, rv: Number(updated.metadata.resourceVersion) });
    rs.spec.replicas = replicas;
    rs.metadata.resourceVersion = updated.metadata.resourceVersion;
    const verb = replicas > (this.specOfCached(rs) ?? 0) ? "up" : "down";
    this.ctx.recorder.record(d, "Normal", "ScalingReplicaSet", `Scaled ${verb} replica set ${rs.metadata.name} to ${replicas}`);
  }

  private specOfCached(rs: ReplicaSet): number | undefined {
    return this.sets.get(objectKey(rs))?.spec.replicas;
  }

  private maxReplicas(d: Deployment): number {
    const desired = d.spec.replicas ?? 1;
    if (d.spec.strategy?.type === "Recreate") return desired;
    return desired + resolveFenceposts(d.spec.strategy?.rollingUpdate?.maxSurge, d.spec.strategy?.rollingUpdate?.maxUnavailable, desired).surge;
  }

  /** Annotations a ReplicaSet of this Deployment carries at a revision. */
  private rsAnnotations(d: Deployment, revision: number, existing: Record<string, string> = {}): Record<string, string> {
    const a: Record<string, string> = { ...existing };
    for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (!notCopied.has(k)) a[k] = v;
    a[REVISION_ANNOTATION] = String(revision);
    a[DESIRED_REPLICAS_ANNOTATION] = String(d.spec.replicas ?? 1);
    a[MAX_REPLICAS_ANNOTATION] = String(this.maxReplicas(d));
    return a;
  }

  /** Creates the ReplicaSet for the Deployment's current template at `revision`. */
  private async createNewRs(d: Deployment, revision: number, replicas: number): Promise<ReplicaSet> {
    const collisionCount = d.status?.collisionCount ?? 0;
    const hash = templateHash(d.spec.template, collisionCount);
    const template = clone(d.spec.template);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [HASH_LABEL]: hash } };
    const rs: ReplicaSet = {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: {
        name: `${d.metadata.name}-${hash}`,
        namespace: d.metadata.namespace,
        labels: template.metadata.labels,
        annotations: this.rsAnnotations(d, revision),
        ownerReferences: [newControllerRef(d, "apps/v1", "Deployment")],
      },
      spec: {
        replicas,
        minReadySeconds: d.spec.minReadySeconds ?? 0,
        template,
        selector: { ...d.spec.selector, matchLabels: { ...(d.spec.selector.matchLabels ?? {}), [HASH_LABEL]: hash } },
      },
    };
    try {
      const created = await this.ctx.client.create<ReplicaSet>("replicasets", rs);
      this.written.set(created.metadata.uid!, { replicas, rv: Number(created.metadata.resourceVersion) });
      this.ctx.recorder.record(d, "Normal", "ScalingReplicaSet", `Scaled up replica set ${created.metadata.name} to ${replicas}`);
      await this.setRevision(d, revision);
      return created;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.ctx.client.get<ReplicaSet>("replicasets", rs.metadata.name!, d.metadata.namespace);
      // Ours with the same template: our cache was just behind.
      if (controllerRef(existing)?.uid === d.metadata.uid && equalIgnoreHash(existing.spec.template, d.spec.template)) return existing;
      // A hash collision: count it so the next name differs, then retry.
      const next = clone(d);
      next.status = { ...(next.status ?? {}), collisionCount: collisionCount + 1 };
      await tolerant(() => this.ctx.client.updateStatus("deployments", next));
      throw new Error(`replica set ${rs.metadata.name} exists with another template (hash collision); retrying with collisionCount ${collisionCount + 1}`, {
        cause: err,
      });
    }
  }

  /** A set that becomes new again (a rollback) takes the next revision number. */
  private async ensureRevision(d: Deployment, rs: ReplicaSet, nextRevision: number): Promise<void> {
    const cur = revisionOf(rs);
    // Already newer than every old set: keep it; otherwise (a rollback) it becomes the newest.
    const revision = Math.max(cur, nextRevision);
    if (cur !== revision || rs.metadata.annotations?.[DESIRED_REPLICAS_ANNOTATION] !== String(d.spec.replicas ?? 1)) {
      const next = clone(rs);
      next.metadata.annotations = this.rsAnnotations(d, revision, next.metadata.annotations);
      const updated = await this.ctx.client.update<ReplicaSet>("replicasets", next);
      rs.metadata.annotations = updated.metadata.annotations;
      rs.metadata.resourceVersion = updated.metadata.resourceVersion;
      this.written.set(rs.metadata.uid!, { replicas: updated.spec.replicas ?? 0, rv: Number(updated.metadata.resourceVersion) });
    }
    await this.setRevision(d, revision);
  }

  /** Mirrors the new set's revision onto the Deployment (what `kubectl rollout history` shows as current). */
  private async setRevision(d: Deployment, revision: number): Promise<void> {
    if (d.metadata.annotations?.[REVISION_ANNOTATION] === String(revision)) return;
    const fresh = await this.ctx.client.get<Deployment>("deployments", d.metadata.name!, d.metadata.namespace);
    fresh.metadata.annotations = { ...(fresh.metadata.annotations ?? {}), [REVISION_ANNOTATION]: String(revision) };
    const updated = await this.ctx.client.update<Deployment>("deployments", fresh);
    d.metadata.annotations = updated.metadata.annotations;
    d.metadata.resourceVersion = updated.metadata.resourceVersion;
  }

  /** Status counts, conditions, and old-set cleanup once the rollout is complete. */
  private async syncStatus(d: Deployment, newRs: ReplicaSet | undefined, sets: ReplicaSet[], created: boolean): Promise<void> {
    const desired = d.spec.replicas ?? 1;
    const minReady = d.spec.minReadySeconds ?? 0;
    const all = sets.flatMap((rs) => this.activePods(rs));
    const updated = newRs ? this.activePods(newRs) : [];
    const available = all.filter((p) => isPodAvailable(p, minReady)).length;
    const prev = d.status ?? {};
    const status: NonNullable<Deployment["status"]> = {
      observedGeneration: d.metadata.generation,
      replicas: all.length,
      updatedReplicas: updated.length,
      readyReplicas: all.filter(isPodReady).length,
      availableReplicas: available,
      unavailableReplicas: Math.max(0, desired - available),
      conditions: clone(prev.conditions ?? []),
      ...(prev.collisionCount ? { collisionCount: prev.collisionCount } : {}),
    };
    const conds = status.conditions!;
    const { unavailable } = resolveFenceposts(d.spec.strategy?.rollingUpdate?.maxSurge, d.spec.strategy?.rollingUpdate?.maxUnavailable, desired);
    const minAvailable = d.spec.strategy?.type === "Recreate" ? desired : desired - unavailable;
    setCond(
      conds,
      available >= minAvailable
        ? { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "Deployment has minimum availability." }
        : { type: "Available", status: "False", reason: "MinimumReplicasUnavailable", message: "Deployment does not have minimum availability." },
      false,
    );
    const complete =
      status.updatedReplicas === desired && status.replicas === desired && available === desired && sets.every((rs) => rs === newRs || this.specOf(rs) === 0);
    const rsName = newRs?.metadata.name ?? "";
    const progressing = conds.find((c) => c.type === "Progressing");
    const deadline = d.spec.progressDeadlineSeconds;
    if (d.spec.paused) {
      setCond(conds, { type: "Progressing", status: "Unknown", reason: "DeploymentPaused", message: "Deployment is paused" }, true);
    } else if (complete) {
      setCond(
        conds,
        { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable", message: `ReplicaSet "${rsName}" has successfully progressed.` },
        progressing?.reason !== "NewReplicaSetAvailable",
      );
    } else if (created) {
      setCond(conds, { type: "Progressing", status: "True", reason: "NewReplicaSetCreated", message: `Created new replica set "${rsName}"` }, true);
    } else if (
      !progressing ||
      progressing.reason === "DeploymentPaused" ||
      progressing.reason === "NewReplicaSetAvailable" ||
      status.updatedReplicas! > (prev.updatedReplicas ?? 0) ||
      status.replicas! < (prev.replicas ?? 0) ||
      status.readyReplicas! > (prev.readyReplicas ?? 0) ||
      available > (prev.availableReplicas ?? 0)
    ) {
      setCond(conds, { type: "Progressing", status: "True", reason: "ReplicaSetUpdated", message: `ReplicaSet "${rsName}" is progressing.` }, true);
    } else if (deadline !== undefined && progressing.status === "True") {
      const since = Date.parse(progressing.lastUpdateTime ?? progressing.lastTransitionTime ?? "") || Date.now();
      const left = since + deadline * 1000 - Date.now();
      if (left <= 0) {
        setCond(
          conds,
          { type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: `ReplicaSet "${rsName}" has timed out progressing.` },
          true,
        );
        this.ctx.recorder.record(d, "Warning", "ProgressDeadlineExceeded", `Deployment ${d.metadata.name} has timed out progressing.`);
      } else this.queue.addAfter(objectKey(d), left + 100);
    }
    if (stableJson(status) !== stableJson(prev)) {
      const next = clone(d);
      next.status = status;
      await tolerant(() => this.ctx.client.updateStatus("deployments", next));
    }
    if (complete) await this.cleanup(d, newRs, sets);
  }

  /** Deletes the oldest fully scaled-down sets beyond revisionHistoryLimit. */
  private async cleanup(d: Deployment, newRs: ReplicaSet | undefined, sets: ReplicaSet[]): Promise<void> {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const idle = sets
      .filter((rs) => rs !== newRs && this.specOf(rs) === 0 && this.activePods(rs).length === 0 && !rs.metadata.deletionTimestamp)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      await tolerant(() => this.ctx.client.delete("replicasets", rs.metadata.name!, rs.metadata.namespace, { preconditionUid: rs.metadata.uid }));
    }
  }
}

/** Sets a Deployment condition; `bump` refreshes lastUpdateTime (progress was made). */
function setCond(conds: Condition[], c: Condition, bump: boolean): void {
  const now = nowRfc3339();
  const i = conds.findIndex((x) => x.type === c.type);
  if (i < 0) {
    conds.push({ ...c, lastUpdateTime: now, lastTransitionTime: now });
    return;
  }
  const old = conds[i];
  const same = old.status === c.status && old.reason === c.reason && old.message === c.message;
  conds[i] = { ...c, lastTransitionTime: old.status === c.status ? old.lastTransitionTime : now, lastUpdateTime: same && !bump ? old.lastUpdateTime : now };
}
