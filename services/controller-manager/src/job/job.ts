// Job: runs pods to `completions` successes with at most `parallelism` at once; counts failed
// pods (and, with restartPolicy OnFailure, container restarts) against backoffLimit; fails
// past activeDeadlineSeconds; sets Complete/Failed conditions; deletes itself
// ttlSecondsAfterFinished after finishing. completionMode Indexed: see indexed.ts.
import { clone, getCondition, nowRfc3339, objectKey, isNotFound, type Job, type Pod } from "@skiff/api";
import { QueueController } from "../common/base.js";
import { Expectations, ownedPodHandlers } from "../common/expectations.js";
import { controllerRef, newControllerRef, tolerant } from "../common/ownership.js";
import { deletionOrder, isPodActive, isPodReady, podFromTemplate } from "../common/pods.js";
import { formatIndexes, indexedPod, indexesToStart, succeededIndexes } from "./indexed.js";

export const JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
export const CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";

type JobCondition = NonNullable<NonNullable<Job["status"]>["conditions"]>[number];

/** Whether a Job has finished (Complete or Failed is True). */
export function jobFinished(j: Job): "Complete" | "Failed" | undefined {
  for (const t of ["Complete", "Failed"] as const) if (getCondition(j.status?.conditions, t)?.status === "True") return t;
  return undefined;
}

/** When a finished pod finished: its containers' last finishedAt, else when it stopped being Ready, else its creation. */
export function podFinishTime(p: Pod): number {
  const ends = (p.status?.containerStatuses ?? []).map((c) => Date.parse(c.state?.terminated?.finishedAt ?? "")).filter((t) => !Number.isNaN(t));
  if (ends.length) return Math.max(...ends);
  const ready = getCondition(p.status?.conditions, "Ready");
  if (ready?.status === "False" && ready.lastTransitionTime) return Date.parse(ready.lastTransitionTime);
  return Date.parse(p.metadata.creationTimestamp ?? "") || 0;
}

/**
 * ms to wait before creating pods again (Kubernetes' job back-off): after n failures since the
 * last success, base·2^(n−1) capped at max, counted from the latest failure; 0 when none.
 */
export function backoffRemaining(pods: Pod[], baseMs: number, maxMs: number, now: number): number {
  const lastSuccess = Math.max(0, ...pods.filter((p) => p.status?.phase === "Succeeded").map(podFinishTime));
  const failures = pods
    .filter((p) => p.status?.phase === "Failed")
    .map(podFinishTime)
    .filter((t) => t >= lastSuccess);
  if (failures.length === 0) return 0;
  const delay = Math.min(maxMs, baseMs * 2 ** Math.min(failures.length - 1, 30));
  return Math.max(0, Math.max(...failures) + delay - now);
}

/** The Job controller. */
export class JobController extends QueueController {
  readonly expectations = new Expectations();
  /** Clock (tests move it). */
  now: () => number = Date.now;

  private get jobs() {
    return this.ctx.informers.get<Job>("jobs");
  }
  private get pods() {
    return this.ctx.informers.get<Pod>("pods");
  }

  protected async setup(): Promise<void> {
    this.jobs.addHandlers({
      onAdd: (j) => this.queue.add(objectKey(j)),
      onUpdate: (_a, j) => this.queue.add(objectKey(j)),
      onDelete: (j) => this.expectations.delete(objectKey(j)),
    });
    const owner = (p: Pod) => {
      const ref = controllerRef(p);
      return ref?.kind === "Job" ? `${p.metadata.namespace}/${ref.name}` : undefined;
    };
    this.pods.addHandlers(ownedPodHandlers(owner, this.expectations, this.queue));
    await Promise.all([this.jobs.waitForSync(), this.pods.waitForSync()]);
  }

  async reconcile(key: string): Promise<void> {
    const job0 = this.jobs.get(key);
    if (!job0) return;
    const job = clone(job0);
    const s = job.spec;
    const finished = jobFinished(job);
    if (finished) return this.ttl(job);
    if (job.metadata.deletionTimestamp) return;
    const pods = this.pods.list().filter((p) => p.metadata.namespace === job.metadata.namespace && controllerRef(p)?.uid === job.metadata.uid);
    const active = pods.filter(isPodActive);
    const indexed = s.completionMode === "Indexed";
    const doneIndexes = indexed ? succeededIndexes(pods, s.completions ?? 1) : undefined;
    const succeeded = pods.filter((p) => p.status?.phase === "Succeeded").length;
    const done = doneIndexes ? doneIndexes.size : succeeded;
    const restarts =
      s.template.spec.restartPolicy === "OnFailure"
        ? active.reduce((n, p) => n + (p.status?.containerStatuses ?? []).reduce((m, c) => m + (c.restartCount ?? 0), 0), 0)
        : 0;
    const failed = pods.filter((p) => p.status?.phase === "Failed").length;
    const status: NonNullable<Job["status"]> = { ...(job.status ?? {}) };
    status.startTime ??= nowRfc3339(new Date(this.now()));
    const conds: JobCondition[] = clone(status.conditions ?? []);
    const completions = s.completions ?? 1;
    const backoffLimit = s.backoffLimit ?? 6;
    let failure: { reason: string; message: string } | undefined;
    if (failed + restarts > backoffLimit) failure = { reason: "BackoffLimitExceeded", message: "Job has reached the specified backoff limit" };
    else if (s.activeDeadlineSeconds !== undefined && this.now() - Date.parse(status.startTime) >= s.activeDeadlineSeconds * 1000) {
      failure = { reason: "DeadlineExceeded", message: "Job was active longer than specified deadline" };
    }
    const now = nowRfc3339(new Date(this.now()));
    if (failure) {
      // A failed Job stops every pod it still runs.
      await Promise.all(
        active.map((p) => tolerant(() => this.ctx.client.delete("pods", p.metadata.name!, p.metadata.namespace, { preconditionUid: p.metadata.uid }))),
      );
      conds.push({ type: "Failed", status: "True", reason: failure.reason, message: failure.message, lastProbeTime: now, lastTransitionTime: now });
      this.ctx.recorder.record(job, "Warning", failure.reason, failure.message);
    } else if (done >= completions) {
      conds.push({ type: "Complete", status: "True", lastProbeTime: now, lastTransitionTime: now });
      status.completionTime = now;
      this.ctx.recorder.record(job, "Normal", "Completed", "Job completed");
    } else if (!s.suspend && this.expectations.satisfied(key)) {
      const want = Math.min(s.parallelism ?? 1, completions - done);
      // Replacements of failed pods wait out the back-off; removing surplus pods never waits.
      const wait = active.length < want ? backoffRemaining(pods, this.ctx.opts.jobBackoffBaseMs, this.ctx.opts.jobBackoffMaxMs, this.now()) : 0;
      if (wait > 0) this.queue.addAfter(key, wait + 50);
      else await this.manage(key, job, active, want, indexed ? pods : undefined);
    }
    status.active = failure ? 0 : active.length;
    status.ready = active.filter(isPodReady).length;
    status.succeeded = succeeded;
    if (doneIndexes) status.completedIndexes = formatIndexes(doneIndexes);
    status.failed = failed;
    status.conditions = conds;
    if (JSON.stringify(status) !== JSON.stringify(job.status ?? {})) {
      job.status = status;
      await tolerant(() => this.ctx.client.updateStatus("jobs", job));
    }
    if (!failure && s.activeDeadlineSeconds !== undefined && !jobFinished(job)) {
      this.queue.addAfter(key, Math.max(0, Date.parse(status.startTime) + s.activeDeadlineSeconds * 1000 - this.now()) + 50);
    }
  }

  /** Starts or stops pods towards `want` active ones; `indexedPods` (Indexed mode) picks which indexes to start. */
  private async manage(key: string, job: Job, active: Pod[], want: number, indexedPods?: Pod[]): Promise<void> {
    const { client } = this.ctx;
    if (active.length < want) {
      const n = want - active.length;
      this.expectations.expectCreations(key, n);
      const ref = newControllerRef(job, "batch/v1", "Job");
      const labels = {
        [JOB_NAME_LABEL]: job.metadata.name!,
        [CONTROLLER_UID_LABEL]: job.metadata.uid!,
        "job-name": job.metadata.name!,
        "controller-uid": job.metadata.uid!,
      };
      const fresh = indexedPods
        ? indexesToStart(indexedPods, job.spec.completions ?? 1, n).map((i) => indexedPod(job, ref, i, labels))
        : Array.from({ length: n }, () => podFromTemplate(job.spec.template, job.metadata.namespace!, ref, { labels }));
      for (let i = fresh.length; i < n; i++) this.expectations.creationObserved(key);
      const results = await Promise.allSettled(fresh.map((p) => client.create<Pod>("pods", p)));
      const failed = results.filter((r) => r.status === "rejected") as PromiseRejectedResult[];
      for (const r of results)
        if (r.status === "fulfilled") this.ctx.recorder.record(job, "Normal", "SuccessfulCreate", `Created pod: ${r.value.metadata.name}`);
      for (let i = 0; i < failed.length; i++) this.expectations.creationObserved(key);
      if (failed.length) throw failed[0].reason;
    } else if (active.length > want) {
      const victims = [...active].sort(deletionOrder).slice(0, active.length - want);
      this.expectations.expectDeletions(key, victims.map(objectKey));
      for (const p of victims) {
        try {
          await client.delete("pods", p.metadata.name!, p.metadata.namespace, { preconditionUid: p.metadata.uid });
        } catch (err) {
          this.expectations.deletionObserved(key, objectKey(p));
          if (!isNotFound(err)) throw err;
        }
      }
    }
  }

  /** Deletes a finished Job (and, by background cascade, its pods) once its TTL has passed. */
  private async ttl(job: Job): Promise<void> {
    const ttl = job.spec.ttlSecondsAfterFinished;
    if (ttl === undefined || job.metadata.deletionTimestamp) return;
    const finishedAt =
      Date.parse(
        job.status?.completionTime ??
          job.status?.conditions?.find((c) => c.status === "True" && (c.type === "Complete" || c.type === "Failed"))?.lastTransitionTime ??
          "",
      ) || this.now();
    const left = finishedAt + ttl * 1000 - this.now();
    if (left > 0) {
      this.queue.addAfter(objectKey(job), left + 50);
      return;
    }
    await tolerant(() =>
      this.ctx.client.delete("jobs", job.metadata.name!, job.metadata.namespace, { preconditionUid: job.metadata.uid, propagationPolicy: "Background" }),
    );
  }
}
