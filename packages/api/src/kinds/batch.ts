// batch/v1 Job and CronJob.
import { field } from "../errors.js";
import type { KObject, ObjectMeta } from "../types.js";
import { gv, withMeta, nonNegative, type Info } from "./common.js";
import { validateTemplate, type PodTemplateSpec } from "./apps.js";
import type { LabelSelectorStruct } from "../selectors.js";
import { defaultPod } from "../defaults.js";
import { validateSchedule } from "./workload-validation.js";
import * as batchSchema from "../schema/batch.js";

export interface Job extends KObject {
  spec: {
    completions?: number;
    parallelism?: number;
    backoffLimit?: number;
    activeDeadlineSeconds?: number;
    ttlSecondsAfterFinished?: number;
    selector?: LabelSelectorStruct;
    manualSelector?: boolean;
    template: PodTemplateSpec;
    suspend?: boolean;
    completionMode?: "NonIndexed" | "Indexed";
  };
  status?: {
    active?: number;
    ready?: number;
    succeeded?: number;
    failed?: number;
    completedIndexes?: string;
    startTime?: string;
    completionTime?: string;
    conditions?: { type: string; status: string; reason?: string; message?: string; lastProbeTime?: string; lastTransitionTime?: string }[];
  };
}

export interface CronJob extends KObject {
  spec: {
    schedule: string;
    timeZone?: string;
    concurrencyPolicy?: "Allow" | "Forbid" | "Replace";
    suspend?: boolean;
    startingDeadlineSeconds?: number;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate: { metadata?: ObjectMeta; spec: Job["spec"] };
  };
  status?: {
    active?: { apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string }[];
    lastScheduleTime?: string;
    lastSuccessfulTime?: string;
  };
}

function jobSpecErrors(s: Partial<Job["spec"]> | undefined, path: string) {
  if (!s) return [field.required(path)];
  const errs = [
    ...nonNegative(s.completions, `${path}.completions`),
    ...nonNegative(s.parallelism, `${path}.parallelism`),
    ...nonNegative(s.backoffLimit, `${path}.backoffLimit`),
    ...nonNegative(s.ttlSecondsAfterFinished, `${path}.ttlSecondsAfterFinished`),
    ...validateTemplate(s.template, `${path}.template`),
  ];
  const rp = s.template?.spec?.restartPolicy;
  if (rp !== undefined && rp !== "OnFailure" && rp !== "Never")
    errs.push(field.notSupported(`${path}.template.spec.restartPolicy`, rp, ["OnFailure", "Never"]));
  if (s.activeDeadlineSeconds !== undefined && !(s.activeDeadlineSeconds > 0))
    errs.push(field.invalid(`${path}.activeDeadlineSeconds`, s.activeDeadlineSeconds, "must be greater than 0"));
  if (s.completionMode !== undefined && s.completionMode !== "NonIndexed" && s.completionMode !== "Indexed")
    errs.push(field.notSupported(`${path}.completionMode`, s.completionMode, ["Indexed", "NonIndexed"]));
  return errs;
}

function defaultJobSpec(s: Job["spec"] | undefined): void {
  if (!s) return;
  s.completions ??= 1;
  s.parallelism ??= 1;
  s.backoffLimit ??= 6;
  s.completionMode ??= "NonIndexed";
  s.suspend ??= false;
  if (s.template?.spec) {
    const pod = { metadata: s.template.metadata ?? {}, spec: s.template.spec } as never as { status?: unknown };
    defaultPod(pod as never);
    delete pod.status;
  }
}

const batch = gv("batch", "v1");

export const batchResources: Info[] = [
  {
    ...batch,
    resource: "jobs",
    singular: "job",
    kind: "Job",
    listKind: "JobList",
    schema: batchSchema.Job,
    categories: ["all"],
    garbageCollected: true,
    namespaced: true,
    shortNames: [],
    hasStatus: true,
    gracefulDelete: false,
    validate: withMeta(true, (o) => jobSpecErrors((o as Job).spec, "spec")),
    applyDefaults: (o) => {
      const job = o as Job;
      defaultJobSpec(job.spec);
      // As in Kubernetes, a Job without manualSelector selects its own pods by its uid (known
      // here: the registry assigns it before defaulting), so `kubectl logs job/x` and
      // `kubectl get pods -l` find exactly its pods.
      const uid = job.metadata.uid;
      if (job.spec && uid && !job.spec.manualSelector && !job.spec.selector) {
        job.spec.selector = { matchLabels: { "batch.kubernetes.io/controller-uid": uid } };
        job.spec.template.metadata ??= {};
        job.spec.template.metadata.labels = {
          ...job.spec.template.metadata.labels,
          "batch.kubernetes.io/controller-uid": uid,
          "batch.kubernetes.io/job-name": job.metadata.name ?? "",
          "controller-uid": uid,
          "job-name": job.metadata.name ?? "",
        };
      }
    },
  },
  {
    ...batch,
    resource: "cronjobs",
    singular: "cronjob",
    kind: "CronJob",
    listKind: "CronJobList",
    schema: batchSchema.CronJob,
    categories: ["all"],
    garbageCollected: true,
    namespaced: true,
    shortNames: ["cj"],
    hasStatus: true,
    gracefulDelete: false,
    validate: withMeta(true, (o) => {
      const s = (o as CronJob).spec;
      if (!s) return [field.required("spec")];
      const errs = jobSpecErrors(s.jobTemplate?.spec, "spec.jobTemplate.spec");
      errs.push(...validateSchedule(s.schedule));
      errs.push(
        ...nonNegative(s.successfulJobsHistoryLimit, "spec.successfulJobsHistoryLimit"),
        ...nonNegative(s.failedJobsHistoryLimit, "spec.failedJobsHistoryLimit"),
      );
      if (s.startingDeadlineSeconds !== undefined && !(Number.isInteger(s.startingDeadlineSeconds) && s.startingDeadlineSeconds >= 0))
        errs.push(field.invalid("spec.startingDeadlineSeconds", s.startingDeadlineSeconds, "must be greater than or equal to 0"));
      if (s.concurrencyPolicy && !["Allow", "Forbid", "Replace"].includes(s.concurrencyPolicy))
        errs.push(field.notSupported("spec.concurrencyPolicy", s.concurrencyPolicy, ["Allow", "Forbid", "Replace"]));
      return errs;
    }),
    applyDefaults: (o) => {
      const s = (o as CronJob).spec;
      if (!s) return;
      s.concurrencyPolicy ??= "Allow";
      s.suspend ??= false;
      s.successfulJobsHistoryLimit ??= 3;
      s.failedJobsHistoryLimit ??= 1;
      defaultJobSpec(s.jobTemplate?.spec);
    },
  },
];
