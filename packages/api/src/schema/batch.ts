// batch/v1 Job and CronJob; core/v1 ReplicationController (the other template-holding kind).
import { bool, f, int32, int64, listOf, pkg, ptr, req, str, strMap, struct } from "./dsl.js";
import { kind, LabelSelector, ObjectMeta } from "./meta.js";
import { PodTemplateSpec } from "./pod.js";
import { CronJobStatus, JobStatus, ReplicationControllerStatus } from "./workload-status.js";

const batch = pkg.batch;

const PodFailurePolicyRule = struct(
  batch,
  "PodFailurePolicyRule",
  "PodFailurePolicyRule describes how a pod failure is handled when the requirements are met. One of onExitCodes and onPodConditions, but not both, can be used in each rule.",
  {
    action: f(str, 1, "Specifies the action taken on a pod failure when the requirements are satisfied: FailJob, FailIndex, Ignore or Count.", req),
    onExitCodes: f(
      struct(
        batch,
        "PodFailurePolicyOnExitCodesRequirement",
        "PodFailurePolicyOnExitCodesRequirement describes the requirement for handling a failed pod based on its container exit codes.",
        {
          containerName: f(str, 1, "Restricts the check for exit codes to the container with the specified name.", ptr),
          operator: f(str, 2, "Represents the relationship between the container exit code(s) and the specified values: In or NotIn.", req),
          values: f(listOf(int32), 3, "Specifies the set of values, checked against the container exit codes (0 is not allowed for In).", req),
        },
      ),
      2,
      "Represents the requirement on the container exit codes.",
    ),
    onPodConditions: f(
      listOf(
        struct(
          batch,
          "PodFailurePolicyOnPodConditionsPattern",
          "PodFailurePolicyOnPodConditionsPattern describes a pattern for matching an actual pod condition type.",
          {
            type: f(str, 1, "Specifies the required Pod condition type; it matches a pod condition of the same type.", req),
            status: f(str, 2, "Specifies the required Pod condition status: True (the default), False or Unknown."),
          },
        ),
      ),
      3,
      "Represents the requirement on the pod conditions (ORed).",
    ),
  },
);
const PodFailurePolicy = struct(batch, "PodFailurePolicy", "PodFailurePolicy describes how failed pods influence the backoffLimit.", {
  rules: f(listOf(PodFailurePolicyRule), 1, "A list of pod failure policy rules, evaluated in order; the first matching rule applies.", req),
});
const SuccessPolicy = struct(batch, "SuccessPolicy", "SuccessPolicy describes when a Job can be declared as succeeded based on the success of some indexes.", {
  rules: f(
    listOf(
      struct(
        batch,
        "SuccessPolicyRule",
        "SuccessPolicyRule describes rule for declaring a Job as succeeded. Each rule must have at least one of the succeededIndexes or succeededCount specified.",
        {
          succeededIndexes: f(
            str,
            1,
            'succeededIndexes specifies the set of indexes which need to be contained in the actual set of succeeded indexes, e.g. "1,3-5,7".',
            ptr,
          ),
          succeededCount: f(int32, 2, "succeededCount specifies the minimal required size of the actual set of the succeeded indexes for the Job.", ptr),
        },
      ),
    ),
    1,
    "rules represents the list of alternative rules for declaring the Jobs as successful before .status.succeeded >= .spec.completions.",
    req,
  ),
});

export const JobSpec = struct(batch, "JobSpec", "JobSpec describes how the job execution will look like.", {
  parallelism: f(int32, 1, "Specifies the maximum desired number of pods the job should run at any given time.", ptr),
  completions: f(int32, 2, "Specifies the desired number of successfully finished pods the job should be run with.", ptr),
  completionMode: f(str, 9, "completionMode specifies how Pod completions are tracked: NonIndexed (default) or Indexed.", ptr),
  activeDeadlineSeconds: f(
    int64,
    3,
    "Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it.",
    ptr,
  ),
  backoffLimit: f(int32, 7, "Specifies the number of retries before marking this job failed. Defaults to 6.", ptr),
  selector: f(LabelSelector, 4, "A label query over pods that should match the pod count."),
  manualSelector: f(bool, 5, "manualSelector controls generation of pod labels and pod selectors.", ptr),
  template: f(PodTemplateSpec, 6, "Describes the pod that will be created when executing a job (restartPolicy Never or OnFailure).", req),
  ttlSecondsAfterFinished: f(int32, 8, "ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (Complete or Failed).", ptr),
  suspend: f(bool, 10, "suspend specifies whether the Job controller should create Pods or not.", ptr),
  podFailurePolicy: f(PodFailurePolicy, 11, "Specifies the policy of handling failed pods."),
  backoffLimitPerIndex: f(int32, 12, "Specifies the limit for the number of retries within an index before marking this index as failed.", ptr),
  podReplacementPolicy: f(str, 14, "podReplacementPolicy specifies when to create replacement Pods.", ptr),
  successPolicy: f(SuccessPolicy, 16, "successPolicy specifies the policy when the Job can be declared as succeeded."),
  maxFailedIndexes: f(int32, 13, "Specifies the maximal number of failed indexes before marking the Job as failed, when backoffLimitPerIndex is set.", ptr),
  managedBy: f(str, 15, "ManagedBy field indicates the controller that manages a Job.", ptr),
});

export const JobTemplateSpec = struct(batch, "JobTemplateSpec", "JobTemplateSpec describes the data a Job should have when created from a template.", {
  metadata: f(ObjectMeta, 1, "Standard object's metadata of the jobs created from this template."),
  spec: f(JobSpec, 2, "Specification of the desired behavior of the job."),
});

export const CronJobSpec = struct(batch, "CronJobSpec", "CronJobSpec describes how the job execution will look like and when it will actually run.", {
  schedule: f(str, 1, "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron.", req),
  timeZone: f(str, 8, "The time zone name for the given schedule; the controller's local time zone when not set.", ptr),
  startingDeadlineSeconds: f(int64, 2, "Optional deadline in seconds for starting the job if it misses scheduled time for any reason.", ptr),
  concurrencyPolicy: f(str, 3, "Specifies how to treat concurrent executions of a Job: Allow (default), Forbid or Replace."),
  suspend: f(bool, 4, "This flag tells the controller to suspend subsequent executions.", ptr),
  jobTemplate: f(JobTemplateSpec, 5, "Specifies the job that will be created when executing a CronJob.", req),
  successfulJobsHistoryLimit: f(int32, 6, "The number of successful finished jobs to retain. Defaults to 3.", ptr),
  failedJobsHistoryLimit: f(int32, 7, "The number of failed finished jobs to retain. Defaults to 1.", ptr),
});

export const Job = kind(batch, "Job", { spec: f(JobSpec, 2), status: f(JobStatus, undefined) });
export const CronJob = kind(batch, "CronJob", { spec: f(CronJobSpec, 2), status: f(CronJobStatus, undefined) });

export const ReplicationControllerSpec = struct(
  pkg.core,
  "ReplicationControllerSpec",
  "ReplicationControllerSpec is the specification of a replication controller.",
  {
    replicas: f(int32, undefined, "Replicas is the number of desired replicas."),
    minReadySeconds: f(
      int32,
      undefined,
      "Minimum number of seconds for which a newly created pod should be ready without any of its containers crashing to be considered available.",
    ),
    selector: f(strMap, undefined, "Selector is a label query over pods that should match the Replicas count."),
    template: f(PodTemplateSpec, undefined, "Template is the object that describes the pod that will be created if insufficient replicas are detected."),
  },
);
export const ReplicationController = kind(pkg.core, "ReplicationController", {
  spec: f(ReplicationControllerSpec, undefined),
  status: f(ReplicationControllerStatus, undefined),
});
