import { describe, expect, it } from "vitest";
import type { CronJob, Job, Pod } from "@skiff/api";
import { FakeCluster } from "../testing.js";
import { JobController, backoffRemaining, jobFinished } from "./job.js";
import { CronJobController } from "../cronjob/cronjob.js";

function job(extra: Partial<Job["spec"]> = {}): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "j", namespace: "default" },
    spec: {
      completions: 3,
      parallelism: 2,
      backoffLimit: 1,
      template: { spec: { restartPolicy: "Never", containers: [{ name: "c", image: "i" }] } },
      ...extra,
    },
  };
}

function finish(fc: FakeCluster, phase: "Succeeded" | "Failed"): void {
  const p = fc.list<Pod>("pods").find((x) => !x.status?.phase || x.status.phase === "Pending")!;
  p.status = { phase };
  p.metadata.resourceVersion = String(Number(p.metadata.resourceVersion) + 1);
  fc.sync();
}

describe("Job controller", () => {
  it("runs `parallelism` pods at a time until `completions` succeed, then Complete", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    const c = new JobController(fc.context());
    await (c as unknown as { setup(): Promise<void> }).setup(); // handlers observe creates (expectations)
    fc.seed("jobs", job());
    await c.reconcile("default/j");
    expect(fc.count("create", "pods")).toBe(2);
    expect(fc.list<Pod>("pods")[0].metadata.labels!["batch.kubernetes.io/job-name"]).toBe("j");
    finish(fc, "Succeeded");
    await c.reconcile("default/j");
    expect(fc.count("create", "pods")).toBe(3);
    finish(fc, "Succeeded");
    await c.reconcile("default/j");
    expect(fc.count("create", "pods")).toBe(3); // only one left to do, one running
    finish(fc, "Succeeded");
    await c.reconcile("default/j");
    const j = fc.objects.get("jobs:default/j") as Job;
    expect(jobFinished(j)).toBe("Complete");
    expect(j.status).toMatchObject({ succeeded: 3, failed: 0, active: 0 });
  });

  it("completionMode Indexed: one pod per index with its annotation, env and hostname; a failed index is retried; completedIndexes", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    fc.context().opts.jobBackoffBaseMs = 0;
    const c = new JobController(fc.context());
    c.now = () => Date.now() + 3_600_000; // past any back-off
    await (c as unknown as { setup(): Promise<void> }).setup();
    fc.seed("jobs", job({ completionMode: "Indexed", backoffLimit: 3 }));
    await c.reconcile("default/j");
    const first = fc.list<Pod>("pods");
    expect(first.map((p) => p.metadata.annotations!["batch.kubernetes.io/job-completion-index"]).sort()).toEqual(["0", "1"]);
    const p0 = first.find((p) => p.metadata.annotations!["batch.kubernetes.io/job-completion-index"] === "0")!;
    expect(p0.metadata.generateName).toBe("j-0-");
    expect(p0.metadata.labels!["batch.kubernetes.io/job-completion-index"]).toBe("0");
    expect(p0.spec.hostname).toBe("j-0");
    expect(p0.spec.containers[0].env).toEqual([{ name: "JOB_COMPLETION_INDEX", value: "0" }]);
    // Index 0 fails, index 1 succeeds: the next pods are index 0 again and index 2.
    const set = (idx: string, phase: "Succeeded" | "Failed") => {
      const p = fc.list<Pod>("pods").find((x) => x.metadata.annotations!["batch.kubernetes.io/job-completion-index"] === idx && !x.status?.phase)!;
      p.status = { phase };
      p.metadata.resourceVersion = String(Number(p.metadata.resourceVersion) + 1);
      fc.sync();
    };
    set("0", "Failed");
    set("1", "Succeeded");
    await c.reconcile("default/j");
    const running = fc
      .list<Pod>("pods")
      .filter((p) => !p.status?.phase)
      .map((p) => p.metadata.annotations!["batch.kubernetes.io/job-completion-index"])
      .sort();
    expect(running).toEqual(["0", "2"]);
    expect((fc.objects.get("jobs:default/j") as Job).status!.completedIndexes).toBe("1");
    set("0", "Succeeded");
    set("2", "Succeeded");
    await c.reconcile("default/j");
    const j = fc.objects.get("jobs:default/j") as Job;
    expect(jobFinished(j)).toBe("Complete");
    expect(j.status).toMatchObject({ completedIndexes: "0-2", succeeded: 3, failed: 1 });
  });

  it("fails with BackoffLimitExceeded once failures pass backoffLimit, deleting active pods", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    const c = new JobController(fc.context());
    await (c as unknown as { setup(): Promise<void> }).setup(); // handlers observe creates (expectations)
    fc.seed("jobs", job());
    await c.reconcile("default/j");
    finish(fc, "Failed");
    await c.reconcile("default/j");
    finish(fc, "Failed");
    await c.reconcile("default/j");
    const j = fc.objects.get("jobs:default/j") as Job;
    expect(jobFinished(j)).toBe("Failed");
    expect(j.status!.conditions![0].reason).toBe("BackoffLimitExceeded");
    expect(fc.list<Pod>("pods").filter((p) => !p.status?.phase)).toHaveLength(0);
  });

  it("replaces failed pods only after the exponential back-off (base, doubling, capped)", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    const c = new JobController(fc.context({ jobBackoffBaseMs: 10_000, jobBackoffMaxMs: 360_000 }));
    await (c as unknown as { setup(): Promise<void> }).setup();
    let now = Date.parse("2024-01-01T00:00:00Z");
    c.now = () => now;
    fc.seed("jobs", job({ completions: 1, parallelism: 1, backoffLimit: 10 }));
    await c.reconcile("default/j");
    expect(fc.count("create", "pods")).toBe(1);
    const fail = () => {
      const p = fc.list<Pod>("pods").find((x) => !x.status?.phase)!;
      p.status = {
        phase: "Failed",
        containerStatuses: [
          {
            name: "c",
            ready: false,
            restartCount: 0,
            image: "i",
            imageID: "",
            lastState: {},
            state: { terminated: { exitCode: 1, finishedAt: new Date(now).toISOString() } },
          },
        ],
      };
      p.metadata.resourceVersion = String(Number(p.metadata.resourceVersion) + 1);
      fc.sync();
    };
    fail(); // first failure: wait 10 s
    await c.reconcile("default/j");
    expect(fc.count("create", "pods")).toBe(1);
    now += 9_000;
    await c.reconcile("default/j");
    expect(fc.count("create", "pods")).toBe(1);
    now += 1_000;
    await c.reconcile("default/j");
    expect(fc.count("create", "pods")).toBe(2);
    fail(); // second failure: 20 s
    now += 19_000;
    await c.reconcile("default/j");
    expect(fc.count("create", "pods")).toBe(2);
    now += 1_000;
    await c.reconcile("default/j");
    expect(fc.count("create", "pods")).toBe(3);
    c.stop();

    // The arithmetic: 10, 20, 40… capped at six minutes; a success resets the count.
    const t0 = Date.parse("2024-01-01T00:00:00Z");
    const failed = (n: number) =>
      Array.from({ length: n }, () => ({ metadata: { creationTimestamp: new Date(t0).toISOString() }, status: { phase: "Failed" } }) as unknown as Pod);
    expect(backoffRemaining(failed(1), 10_000, 360_000, t0)).toBe(10_000);
    expect(backoffRemaining(failed(3), 10_000, 360_000, t0)).toBe(40_000);
    expect(backoffRemaining(failed(12), 10_000, 360_000, t0)).toBe(360_000);
    const ok = { metadata: { creationTimestamp: new Date(t0 + 1).toISOString() }, status: { phase: "Succeeded" } } as unknown as Pod;
    expect(backoffRemaining([...failed(3), ok], 10_000, 360_000, t0 + 5)).toBe(0);
  });

  it("fails past activeDeadlineSeconds and deletes itself after ttlSecondsAfterFinished", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    const c = new JobController(fc.context());
    await (c as unknown as { setup(): Promise<void> }).setup(); // handlers observe creates (expectations)
    let now = Date.parse("2024-01-01T00:00:00Z");
    c.now = () => now;
    fc.seed("jobs", job({ activeDeadlineSeconds: 10, ttlSecondsAfterFinished: 5 }));
    await c.reconcile("default/j");
    now += 11_000;
    await c.reconcile("default/j");
    expect((fc.objects.get("jobs:default/j") as Job).status!.conditions![0].reason).toBe("DeadlineExceeded");
    await c.reconcile("default/j");
    expect(fc.objects.has("jobs:default/j")).toBe(true);
    now += 6_000;
    await c.reconcile("default/j");
    expect(fc.objects.has("jobs:default/j")).toBe(false);
    c.stop();
  });
});

describe("CronJob controller", () => {
  const cron = (extra: Partial<CronJob["spec"]> = {}): CronJob => ({
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "cj", namespace: "default", creationTimestamp: "2024-01-01T00:00:00Z" },
    spec: {
      schedule: "*/5 * * * *",
      concurrencyPolicy: "Allow",
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 1,
      jobTemplate: { spec: job().spec },
      ...extra,
    },
  });

  it("creates one Job per due time, never twice, and respects Forbid and suspend", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    const c = new CronJobController(fc.context());
    let now = Date.parse("2024-01-01T00:07:00Z");
    c.now = () => now;
    fc.seed("cronjobs", cron({ concurrencyPolicy: "Forbid" }));
    await c.reconcile("default/cj");
    expect(fc.count("create", "jobs")).toBe(1);
    await c.reconcile("default/cj");
    expect(fc.count("create", "jobs")).toBe(1);
    now += 5 * 60_000; // next run due, but the first is still active
    await c.reconcile("default/cj");
    expect(fc.count("create", "jobs")).toBe(1);
    const j = fc.list<Job>("jobs")[0];
    j.status = { conditions: [{ type: "Complete", status: "True" }] };
    j.metadata.resourceVersion = "99999";
    fc.sync();
    await c.reconcile("default/cj");
    expect(fc.count("create", "jobs")).toBe(2);
    const s = structuredClone(fc.objects.get("cronjobs:default/cj") as CronJob);
    s.spec.suspend = true;
    fc.informer("cronjobs").set(s);
    now += 10 * 60_000;
    await c.reconcile("default/cj");
    expect(fc.count("create", "jobs")).toBe(2);
    c.stop();
  });
});
