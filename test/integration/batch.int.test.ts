// Jobs and CronJobs on the real stack: a Job runs to completion, a failing one stops at
// backoffLimit with exponentially growing delays between its pods, a CronJob scheduled every minute starts a Job that completes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { CronJob, Job, Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

function job(name: string, cmd: string, extra: Partial<Job["spec"]> = {}): Job {
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name, namespace: "default" },
    spec: {
      completions: 2,
      parallelism: 2,
      backoffLimit: 1,
      template: {
        spec: {
          restartPolicy: "Never",
          terminationGracePeriodSeconds: 1,
          containers: [{ name: "main", image: "skiff/busybox:1.35", command: ["sh", "-c", cmd] }],
        },
      },
      ...extra,
    },
  };
}

const cond = (j: Job, t: string) => j.status?.conditions?.find((c) => c.type === t && c.status === "True");

describe("batch controllers", () => {
  // Job back-off base 2 s (Kubernetes: 10 s): failed pods are replaced after 2 s, then 4 s.
  const cluster = new TestCluster({ nodes: 1, controllerManagerFlags: ["--job-backoff-base-ms", "2000"] });
  beforeAll(async () => {
    await cluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("a Job runs to completion", async () => {
    const { client } = cluster;
    await client.create("jobs", job("ok", "sleep 1; exit 0"));
    const done = await waitFor(
      async () => {
        const j = await client.get<Job>("jobs", "ok", "default");
        return cond(j, "Complete") ? j : undefined;
      },
      90_000,
      "Job Complete",
    );
    expect(done.status).toMatchObject({ succeeded: 2, failed: 0, active: 0 });
    const pods = (await client.list<Pod>("pods", { namespace: "default", labelSelector: "batch.kubernetes.io/job-name=ok" })).items;
    expect(pods.filter((p) => p.status?.phase === "Succeeded")).toHaveLength(2);
  });

  it("a failing Job stops at backoffLimit", async () => {
    const { client } = cluster;
    await client.create("jobs", job("bad", "exit 3", { completions: 1, parallelism: 1, backoffLimit: 2 }));
    const failed = await waitFor(
      async () => {
        const j = await client.get<Job>("jobs", "bad", "default");
        return cond(j, "Failed") ? j : undefined;
      },
      90_000,
      "Job Failed",
    );
    expect(cond(failed, "Failed")!.reason).toBe("BackoffLimitExceeded");
    await new Promise((r) => setTimeout(r, 3000));
    const pods = (await client.list<Pod>("pods", { namespace: "default", labelSelector: "batch.kubernetes.io/job-name=bad" })).items;
    expect(pods).toHaveLength(3); // backoffLimit 2: the third failure ends it, no fourth pod
    expect(pods.every((p) => p.status?.phase === "Failed")).toBe(true);
    // Back-off: each replacement waited base·2^(n−1) after the previous failure (timestamps have 1 s resolution).
    pods.sort((a, b) => Date.parse(a.metadata.creationTimestamp!) - Date.parse(b.metadata.creationTimestamp!));
    const finished = (p: Pod) => Date.parse(p.status!.containerStatuses![0].state.terminated!.finishedAt!);
    const gaps = [1, 2].map((i) => Date.parse(pods[i].metadata.creationTimestamp!) - finished(pods[i - 1]));
    console.log(`job back-off: replacement delays ${gaps.join(" ms, ")} ms (base 2000 ms)`);
    expect(gaps[0]).toBeGreaterThanOrEqual(1000);
    expect(gaps[1]).toBeGreaterThanOrEqual(3000);
  });

  it("a CronJob fires every minute", async () => {
    const { client } = cluster;
    const cj: CronJob = {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "tick", namespace: "default" },
      spec: { schedule: "*/1 * * * *", jobTemplate: { spec: job("x", "echo tick").spec } },
    };
    cj.spec.jobTemplate.spec.completions = 1;
    cj.spec.jobTemplate.spec.parallelism = 1;
    await client.create("cronjobs", cj);
    const j = await waitFor(
      async () => (await client.list<Job>("jobs", { namespace: "default" })).items.find((x) => x.metadata.name!.startsWith("tick-") && cond(x, "Complete")),
      150_000,
      "a scheduled Job to complete",
    );
    expect(j.metadata.ownerReferences?.[0]).toMatchObject({ kind: "CronJob", name: "tick" });
    const st = (await client.get<CronJob>("cronjobs", "tick", "default")).status!;
    expect(st.lastScheduleTime).toBeTruthy();
  }, 200_000);
});
