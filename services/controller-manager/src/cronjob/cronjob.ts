// CronJob: creates a Job from jobTemplate at each scheduled time (named <cronjob>-<minutes since
// the epoch>, so a repeated reconcile cannot start a run twice), honouring suspend,
// startingDeadlineSeconds and concurrencyPolicy (Allow/Forbid/Replace), and keeps
// successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs.
import { clone, isAlreadyExists, nowRfc3339, objectKey, type CronJob, type Job } from "@skiff/api";
import { QueueController } from "../common/base.js";
import { controllerRef, newControllerRef, tolerant } from "../common/ownership.js";
import { jobFinished } from "../job/job.js";
import { lastDue, nextAfter, parseCron } from "./cron.js";

/** The CronJob controller. */
export class CronJobController extends QueueController {
  /** Clock (tests move it). */
  now: () => number = Date.now;

  private get cronjobs() {
    return this.ctx.informers.get<CronJob>("cronjobs");
  }
  private get jobs() {
    return this.ctx.informers.get<Job>("jobs");
  }

  protected async setup(): Promise<void> {
    this.cronjobs.addHandlers({ onAdd: (c) => this.queue.add(objectKey(c)), onUpdate: (_a, c) => this.queue.add(objectKey(c)) });
    const onJob = (j: Job) => {
      const ref = controllerRef(j);
      if (ref?.kind === "CronJob") this.queue.add(`${j.metadata.namespace}/${ref.name}`);
    };
    this.jobs.addHandlers({ onAdd: onJob, onUpdate: (_a, j) => onJob(j), onDelete: onJob });
    await Promise.all([this.cronjobs.waitForSync(), this.jobs.waitForSync()]);
  }

  async reconcile(key: string): Promise<void> {
    const cj0 = this.cronjobs.get(key);
    if (!cj0 || cj0.metadata.deletionTimestamp) return;
    const cj = clone(cj0);
    const { client, recorder } = this.ctx;
    const owned = this.jobs.list().filter((j) => j.metadata.namespace === cj.metadata.namespace && controllerRef(j)?.uid === cj.metadata.uid);
    const active = owned.filter((j) => !jobFinished(j) && !j.metadata.deletionTimestamp);
    const status: NonNullable<CronJob["status"]> = { ...(cj.status ?? {}) };
    status.active = active.map((j) => ({ kind: "Job", name: j.metadata.name, namespace: j.metadata.namespace, uid: j.metadata.uid, apiVersion: "batch/v1" }));
    const succeeded = owned
      .filter((j) => jobFinished(j) === "Complete")
      .map((j) => j.status?.completionTime ?? "")
      .sort();
    if (succeeded.length) status.lastSuccessfulTime = succeeded[succeeded.length - 1];
    await this.trimHistory(cj, owned);

    let schedule: ReturnType<typeof parseCron>;
    try {
      schedule = parseCron(cj.spec.schedule);
    } catch (err) {
      recorder.record(cj, "Warning", "UnparseableSchedule", `unparseable schedule: ${JSON.stringify(cj.spec.schedule)}: ${(err as Error).message}`);
      return this.writeStatus(cj, status);
    }
    const now = new Date(this.now());
    const since = new Date(Date.parse(status.lastScheduleTime ?? cj.metadata.creationTimestamp ?? "") || now.getTime());
    const due = cj.spec.suspend ? undefined : lastDue(schedule, since, now);
    if (due) {
      const late = now.getTime() - due.getTime();
      const deadline = cj.spec.startingDeadlineSeconds;
      if (deadline !== undefined && late > deadline * 1000) {
        recorder.record(cj, "Warning", "MissSchedule", `Missed scheduled time to start a job: ${nowRfc3339(due)}`);
        status.lastScheduleTime = nowRfc3339(due);
      } else if (cj.spec.concurrencyPolicy === "Forbid" && active.length > 0) {
        // Not started, and lastScheduleTime not moved: it starts once the active run ends (if still within its deadline).
        recorder.record(cj, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
      } else {
        if (cj.spec.concurrencyPolicy === "Replace") {
          for (const j of active) {
            await tolerant(() => client.delete("jobs", j.metadata.name!, j.metadata.namespace, { propagationPolicy: "Background" }));
            recorder.record(cj, "Normal", "SuccessfulDelete", `Deleted job ${j.metadata.name}`);
          }
          status.active = [];
        }
        const name = `${cj.metadata.name}-${Math.floor(due.getTime() / 60_000)}`;
        const job: Job = {
          apiVersion: "batch/v1",
          kind: "Job",
          metadata: {
            name,
            namespace: cj.metadata.namespace,
            labels: { ...(cj.spec.jobTemplate.metadata?.labels ?? {}) },
            annotations: { ...(cj.spec.jobTemplate.metadata?.annotations ?? {}), "batch.kubernetes.io/cronjob-scheduled-timestamp": nowRfc3339(due) },
            ownerReferences: [newControllerRef(cj, "batch/v1", "CronJob")],
          },
          spec: clone(cj.spec.jobTemplate.spec),
        };
        try {
          const created = await client.create<Job>("jobs", job);
          recorder.record(cj, "Normal", "SuccessfulCreate", `Created job ${name}`);
          status.active = [
            ...(status.active ?? []),
            { kind: "Job", name, namespace: created.metadata.namespace, uid: created.metadata.uid, apiVersion: "batch/v1" },
          ];
        } catch (err) {
          if (!isAlreadyExists(err)) throw err; // already started this run
        }
        status.lastScheduleTime = nowRfc3339(due);
      }
    }
    await this.writeStatus(cj, status);
    const next = nextAfter(schedule, now);
    if (next) this.queue.addAfter(key, Math.min(next.getTime() - now.getTime() + 100, 2 ** 31 - 1));
  }

  private async writeStatus(cj: CronJob, status: NonNullable<CronJob["status"]>): Promise<void> {
    if (JSON.stringify(status) === JSON.stringify(cj.status ?? {})) return;
    await tolerant(() => this.ctx.client.updateStatus("cronjobs", { ...cj, status }));
  }

  /** Deletes the oldest finished Jobs beyond the history limits. */
  private async trimHistory(cj: CronJob, owned: Job[]): Promise<void> {
    const byStart = (a: Job, b: Job) => (a.metadata.creationTimestamp ?? "").localeCompare(b.metadata.creationTimestamp ?? "");
    for (const [kind, limit] of [
      ["Complete", cj.spec.successfulJobsHistoryLimit ?? 3],
      ["Failed", cj.spec.failedJobsHistoryLimit ?? 1],
    ] as const) {
      const done = owned.filter((j) => jobFinished(j) === kind && !j.metadata.deletionTimestamp).sort(byStart);
      for (const j of done.slice(0, Math.max(0, done.length - limit))) {
        await tolerant(() => this.ctx.client.delete("jobs", j.metadata.name!, j.metadata.namespace, { propagationPolicy: "Background" }));
      }
    }
  }
}
