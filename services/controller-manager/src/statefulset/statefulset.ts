// StatefulSet: pods with stable ordinal names (web-0, web-1…), each with its own claims from
// volumeClaimTemplates kept across pod deletion; OrderedReady (one at a time, each Running and
// Ready before the next, scale down from the highest ordinal) or Parallel pod management; rolling
// update from the highest ordinal down to `partition`; ControllerRevisions record each template.
import {
  clone,
  labelSelectorFromStruct,
  objectKey,
  splitKey,
  isAlreadyExists,
  type ControllerRevision,
  type PersistentVolumeClaim,
  type Pod,
  type PodTemplateSpec,
  type StatefulSet,
} from "@skiff/api";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";
import { claim, controllerRef, isControlledBy, newControllerRef, tolerant } from "../common/ownership.js";
import { isPodAvailable, msUntilAvailable } from "../common/pods.js";
import { templateHash } from "../common/hash.js";
import { REVISION_LABEL, claimsFor, isFinished, isRunningAndReady, newStatefulPod, ordinalOf } from "./identity.js";

type Status = NonNullable<StatefulSet["status"]>;

/** The StatefulSet controller. */
export class StatefulSetController extends QueueController {
  constructor(ctx: ControllerContext) {
    super(ctx, 2);
  }

  private get sets() {
    return this.ctx.informers.get<StatefulSet>("statefulsets");
  }
  private get pods() {
    return this.ctx.informers.get<Pod>("pods");
  }
  private get claims() {
    return this.ctx.informers.get<PersistentVolumeClaim>("persistentvolumeclaims");
  }
  private get revisions() {
    return this.ctx.informers.get<ControllerRevision>("controllerrevisions");
  }

  protected async setup(): Promise<void> {
    const enqueue = (o: StatefulSet) => this.queue.add(objectKey(o));
    this.sets.addHandlers({ onAdd: enqueue, onUpdate: (_a, o) => enqueue(o), onDelete: enqueue });
    const byPod = (p: Pod) => {
      const ref = controllerRef(p);
      if (ref?.kind === "StatefulSet") this.queue.add(`${p.metadata.namespace}/${ref.name}`);
      else if (!ref) {
        // An orphan may be adopted by a set whose selector matches it.
        for (const s of this.sets.list()) if (s.metadata.namespace === p.metadata.namespace) this.queue.add(objectKey(s));
      }
    };
    this.pods.addHandlers({ onAdd: byPod, onUpdate: (_a, p) => byPod(p), onDelete: byPod });
    await Promise.all([this.sets.waitForSync(), this.pods.waitForSync(), this.claims.waitForSync(), this.revisions.waitForSync()]);
  }

  async reconcile(key: string): Promise<void> {
    const set0 = this.sets.get(key);
    if (!set0) return;
    const set = clone(set0);
    const { namespace } = splitKey(key);
    const selector = labelSelectorFromStruct(set.spec.selector);
    const candidates = this.pods.list().filter((p) => p.metadata.namespace === namespace);
    const ref = newControllerRef(set, "apps/v1", "StatefulSet");
    const pods = (await claim(this.ctx.client, "pods", set, ref, selector, candidates)).owned;

    const { current, update, status: revStatus } = await this.syncRevisions(set);
    let actionErr: unknown;
    if (!set.metadata.deletionTimestamp) {
      try {
        await this.updatePods(set, pods, current, update);
      } catch (err) {
        actionErr = err;
      }
    }
    await this.updateStatus(set, this.ownedPods(set), current, update, revStatus);
    if (actionErr) throw actionErr;
    const minReady = set.spec.minReadySeconds ?? 0;
    if (minReady > 0) {
      const wait = Math.max(0, ...pods.map((p) => msUntilAvailable(p, minReady)));
      if (wait > 0) this.queue.addAfter(key, wait + 50);
    }
  }

  /** The set's pods as the cache shows them now (after adoption and our own writes were observed). */
  private ownedPods(set: StatefulSet): Pod[] {
    return this.pods.list().filter((p) => p.metadata.namespace === set.metadata.namespace && isControlledBy(p, set.metadata.uid));
  }

  /**
   * Makes sure a ControllerRevision exists for the current template (the update revision) and
   * returns it with the current revision (what status says the set runs, or the update
   * revision for a new set). Old revisions beyond revisionHistoryLimit that no pod uses are pruned.
   */
  async syncRevisions(set: StatefulSet): Promise<{ current: ControllerRevision; update: ControllerRevision; status: { collisionCount: number } }> {
    const { client } = this.ctx;
    const owned = this.revisions.list().filter((r) => r.metadata.namespace === set.metadata.namespace && isControlledBy(r, set.metadata.uid));
    let collisionCount = set.status?.collisionCount ?? 0;
    const data = { spec: { template: set.spec.template } };
    const maxRev = Math.max(0, ...owned.map((r) => r.revision));
    let update: ControllerRevision | undefined;
    for (;;) {
      const name = `${set.metadata.name}-${templateHash(set.spec.template, collisionCount)}`;
      const existing =
        owned.find((r) => r.metadata.name === name) ??
        (await tolerant(() => client.get<ControllerRevision>("controllerrevisions", name, set.metadata.namespace)));
      if (existing && !isControlledBy(existing, set.metadata.uid)) {
        collisionCount++;
        continue;
      }
      if (existing && JSON.stringify(existing.data) !== JSON.stringify(data)) {
        collisionCount++;
        continue;
      }
      if (existing) {
        update = existing;
        // Going back to an older template (a rollback) makes that revision the newest again.
        if (existing.revision < maxRev && existing.metadata.name !== set.status?.updateRevision) {
          const bumped = clone(existing);
          bumped.revision = maxRev + 1;
          update = (await tolerant(() => client.update<ControllerRevision>("controllerrevisions", bumped))) ?? existing;
        }
        break;
      }
      const rev: ControllerRevision = {
        apiVersion: "apps/v1",
        kind: "ControllerRevision",
        metadata: {
          name,
          namespace: set.metadata.namespace,
          labels: { ...(set.spec.template.metadata?.labels ?? {}), [REVISION_LABEL]: name },
          ownerReferences: [newControllerRef(set, "apps/v1", "StatefulSet")],
        },
        data,
        revision: maxRev + 1,
      };
      try {
        update = await client.create<ControllerRevision>("controllerrevisions", rev);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        continue; // created meanwhile (or by someone else): look again
      }
      break;
    }
    const currentName = set.status?.currentRevision;
    const current = (currentName && currentName !== update.metadata.name ? owned.find((r) => r.metadata.name === currentName) : undefined) ?? update;
    await this.truncateHistory(set, owned, current, update);
    return { current, update, status: { collisionCount } };
  }

  private async truncateHistory(set: StatefulSet, owned: ControllerRevision[], current: ControllerRevision, update: ControllerRevision): Promise<void> {
    const live = new Set(this.ownedPods(set).map((p) => p.metadata.labels?.[REVISION_LABEL]));
    const old = owned
      .filter((r) => r.metadata.name !== current.metadata.name && r.metadata.name !== update.metadata.name && !live.has(r.metadata.name))
      .sort((a, b) => a.revision - b.revision);
    const limit = set.spec.revisionHistoryLimit ?? 10;
    for (const r of old.slice(0, Math.max(0, old.length - limit))) {
      await tolerant(() => this.ctx.client.delete("controllerrevisions", r.metadata.name!, r.metadata.namespace));
    }
  }

  /** One pass of stateful_set_control.go's updateStatefulSet: create, replace, condemn, roll. */
  private async updatePods(set: StatefulSet, pods: Pod[], current: ControllerRevision, update: ControllerRevision): Promise<void> {
    const { client, recorder } = this.ctx;
    const replicas = set.spec.replicas ?? 1;
    const monotonic = (set.spec.podManagementPolicy ?? "OrderedReady") !== "Parallel";
    const rolling = (set.spec.updateStrategy?.type ?? "RollingUpdate") === "RollingUpdate";
    const partition = rolling ? (set.spec.updateStrategy?.rollingUpdate?.partition ?? 0) : 0;
    const slots: (Pod | undefined)[] = Array.from({ length: replicas }, () => undefined);
    const condemned: Pod[] = [];
    for (const p of pods) {
      const ord = ordinalOf(set, p);
      if (ord >= 0 && ord < replicas) slots[ord] = p;
      else if (ord >= replicas) condemned.push(p);
    }
    condemned.sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
    const revisionFor = (ord: number): ControllerRevision => {
      // Below the partition pods stay at the current revision; with OnDelete a recreated pod takes the update.
      return rolling && ord < partition ? current : update;
    };
    const templateOf = (r: ControllerRevision) => (r.data as { spec: { template: PodTemplateSpec } }).spec.template;
    const unhealthy = (p: Pod | undefined) => !p || !isRunningAndReady(p) || !!p.metadata.deletionTimestamp;
    const firstUnhealthy = [...slots, ...[...condemned].reverse()].find(unhealthy);

    for (let ord = 0; ord < replicas; ord++) {
      let p = slots[ord];
      if (p && isFinished(p) && !p.metadata.deletionTimestamp) {
        // A finished pod is replaced: delete it; the next pass creates it again.
        recorder.record(
          set,
          "Normal",
          "RecreatingFailedPod",
          `StatefulSet ${set.metadata.namespace}/${set.metadata.name} is recreating ${p.status?.phase} Pod ${p.metadata.name}`,
        );
        await tolerant(() => client.delete("pods", p!.metadata.name!, p!.metadata.namespace, { preconditionUid: p!.metadata.uid }));
        if (monotonic) return;
        continue;
      }
      if (!p) {
        const rev = revisionFor(ord);
        await this.ensureClaims(set, ord);
        const pod = newStatefulPod(set, templateOf(rev), rev.metadata.name!, ord);
        try {
          p = await client.create<Pod>("pods", pod);
          recorder.record(set, "Normal", "SuccessfulCreate", `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
        } catch (err) {
          // Already there: the cache has not shown it yet.
          if (!isAlreadyExists(err)) {
            recorder.record(
              set,
              "Warning",
              "FailedCreate",
              `create Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${(err as Error).message}`,
            );
            throw err;
          }
        }
        if (monotonic) return;
        continue;
      }
      if (p.metadata.deletionTimestamp) {
        if (monotonic) return; // wait for it to go before going on
        continue;
      }
      // A pod whose claims were deleted gets them back (it will mount them on its next start).
      await this.ensureClaims(set, ord);
      if (monotonic && !isRunningAndReady(p)) return;
    }

    for (const p of condemned) {
      if (p.metadata.deletionTimestamp) {
        if (monotonic) return;
        continue;
      }
      // Ordered scale-down waits for every other pod to be healthy, except the one it removes.
      if (monotonic && firstUnhealthy && firstUnhealthy !== p) return;
      recorder.record(set, "Normal", "SuccessfulDelete", `delete Pod ${p.metadata.name} in StatefulSet ${set.metadata.name} successful`);
      await tolerant(() => client.delete("pods", p.metadata.name!, p.metadata.namespace, { preconditionUid: p.metadata.uid }));
      if (monotonic) return;
    }

    if (!rolling) return;
    // Rolling update: from the highest ordinal down to the partition, one pod at a time.
    for (let ord = replicas - 1; ord >= partition; ord--) {
      const p = slots[ord];
      if (!p) return;
      if (p.metadata.labels?.[REVISION_LABEL] !== update.metadata.name && !p.metadata.deletionTimestamp) {
        recorder.record(
          set,
          "Normal",
          "SuccessfulDelete",
          `delete Pod ${p.metadata.name} in StatefulSet ${set.metadata.name} for update to revision ${update.metadata.name}`,
        );
        await tolerant(() => client.delete("pods", p.metadata.name!, p.metadata.namespace, { preconditionUid: p.metadata.uid }));
        return;
      }
      if (unhealthy(p)) return;
    }
  }

  /** Creates the claims of one ordinal that do not exist yet. */
  private async ensureClaims(set: StatefulSet, ord: number): Promise<void> {
    for (const c of claimsFor(set, ord)) {
      const have = this.claims.get(objectKey(c));
      if (have) {
        if (have.metadata.deletionTimestamp)
          throw new Error(`persistentvolumeclaim ${have.metadata.name} is being deleted; waiting before starting pod ${set.metadata.name}-${ord}`);
        continue;
      }
      try {
        await this.ctx.client.create("persistentvolumeclaims", c);
        this.ctx.recorder.record(
          set,
          "Normal",
          "SuccessfulCreate",
          `create Claim ${c.metadata.name} Pod ${set.metadata.name}-${ord} in StatefulSet ${set.metadata.name} success`,
        );
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
  }

  /** Counts pods by readiness and revision; completes a rolling update once every pod is updated and ready. */
  private async updateStatus(
    set: StatefulSet,
    pods: Pod[],
    current: ControllerRevision,
    update: ControllerRevision,
    rev: { collisionCount: number },
  ): Promise<void> {
    const minReady = set.spec.minReadySeconds ?? 0;
    const live = pods.filter((p) => !p.metadata.deletionTimestamp && ordinalOf(set, p) >= 0);
    const status: Status = {
      observedGeneration: set.metadata.generation,
      replicas: live.length,
      readyReplicas: live.filter(isRunningAndReady).length,
      availableReplicas: live.filter((p) => isRunningAndReady(p) && isPodAvailable(p, minReady)).length,
      currentReplicas: live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === current.metadata.name).length,
      updatedReplicas: live.filter((p) => p.metadata.labels?.[REVISION_LABEL] === update.metadata.name).length,
      currentRevision: current.metadata.name,
      updateRevision: update.metadata.name,
      collisionCount: rev.collisionCount,
    };
    const replicas = set.spec.replicas ?? 1;
    if (status.updatedReplicas === replicas && status.readyReplicas === replicas && status.replicas === replicas) {
      status.currentRevision = update.metadata.name;
      status.currentReplicas = status.updatedReplicas;
    }
    if (JSON.stringify(status) === JSON.stringify(set.status ?? {})) return;
    const next = clone(set);
    next.status = status;
    await tolerant(() => this.ctx.client.updateStatus("statefulsets", next));
  }
}
