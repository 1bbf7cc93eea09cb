// The statuses of the workload kinds (apps/v1 Deployment, ReplicaSet, StatefulSet, DaemonSet;
// core/v1 ReplicationController; batch/v1 Job and CronJob) and the condition shapes they share.
// Field numbers as in Kubernetes' generated.proto (the kinds leave status unnumbered).
import { f, int32, int64, listOf, mergeBy, pkg, req, str, struct, time, type FieldDef } from "./dsl.js";
import { ObjectReference } from "./serviceaccounts.js";

const apps = pkg.apps;

/**
 * A workload condition: type, status, lastTransitionTime, reason, message (numbers as most of
 * them have them) plus any extra time fields (a Deployment's lastUpdateTime, a Job's lastProbeTime).
 */
export function conditionOf(
  p: string,
  kindName: string,
  nums: { lastTransitionTime: number; reason: number; message: number },
  extra: Record<string, FieldDef> = {},
) {
  return struct(p, `${kindName}Condition`, `${kindName}Condition describes the state of a ${kindName.toLowerCase()} at a certain point.`, {
    type: f(str, 1, `Type of ${kindName.toLowerCase()} condition.`, req),
    status: f(str, 2, "Status of the condition, one of True, False, Unknown.", req),
    ...extra,
    lastTransitionTime: f(time, nums.lastTransitionTime, "Last time the condition transitioned from one status to another."),
    reason: f(str, nums.reason, "The reason for the condition's last transition."),
    message: f(str, nums.message, "A human readable message indicating details about the transition."),
  });
}
const conditions = (c: ReturnType<typeof conditionOf>, num: number, what: string): FieldDef =>
  f(listOf(c), num, `Represents the latest available observations of a ${what}'s current state.`, mergeBy("type"));
const plainNums = { lastTransitionTime: 3, reason: 4, message: 5 };
const observed = (num: number, what: string): FieldDef => f(int64, num, `The generation observed by the ${what} controller.`);

export const DeploymentStatus = struct(apps, "DeploymentStatus", "DeploymentStatus is the most recently observed status of the Deployment.", {
  observedGeneration: observed(1, "deployment"),
  replicas: f(int32, 2, "Total number of non-terminating pods targeted by this deployment (their labels match the selector)."),
  updatedReplicas: f(int32, 3, "Total number of non-terminating pods targeted by this deployment that have the desired template spec."),
  readyReplicas: f(int32, 7, "Total number of non-terminating pods targeted by this Deployment with a Ready Condition."),
  availableReplicas: f(int32, 4, "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment."),
  unavailableReplicas: f(int32, 5, "Total number of unavailable pods targeted by this deployment: pods still needed for 100% available capacity."),
  terminatingReplicas: f(int32, 9, "Total number of terminating pods targeted by this deployment (alpha, behind a feature gate)."),
  conditions: conditions(
    conditionOf(
      apps,
      "Deployment",
      { lastTransitionTime: 7, reason: 4, message: 5 },
      { lastUpdateTime: f(time, 6, "The last time this condition was updated.") },
    ),
    6,
    "deployment",
  ),
  collisionCount: f(
    int32,
    8,
    "Count of hash collisions for the Deployment, used as a collision avoidance mechanism when it needs a name for the newest ReplicaSet.",
  ),
});

export const ReplicaSetStatus = struct(apps, "ReplicaSetStatus", "ReplicaSetStatus represents the current status of a ReplicaSet.", {
  replicas: f(int32, 1, "Replicas is the most recently observed number of non-terminating pods.", req),
  fullyLabeledReplicas: f(int32, 2, "The number of non-terminating pods that have labels matching the labels of the pod template of the replicaset."),
  readyReplicas: f(int32, 4, "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition."),
  availableReplicas: f(int32, 5, "The number of available non-terminating pods (ready for at least minReadySeconds) for this replica set."),
  terminatingReplicas: f(int32, 7, "The number of terminating pods for this replica set (alpha, behind a feature gate)."),
  observedGeneration: f(int64, 3, "ObservedGeneration reflects the generation of the most recently observed ReplicaSet."),
  conditions: conditions(conditionOf(apps, "ReplicaSet", plainNums), 6, "replica set"),
});

export const ReplicationControllerStatus = struct(
  pkg.core,
  "ReplicationControllerStatus",
  "ReplicationControllerStatus represents the current status of a replication controller.",
  {
    replicas: f(int32, 1, "Replicas is the most recently observed number of replicas.", req),
    fullyLabeledReplicas: f(int32, 2, "The number of pods that have labels matching the labels of the pod template of the replication controller."),
    readyReplicas: f(int32, 4, "The number of ready replicas for this replication controller."),
    availableReplicas: f(int32, 5, "The number of available replicas (ready for at least minReadySeconds) for this replication controller."),
    observedGeneration: f(int64, 3, "ObservedGeneration reflects the generation of the most recently observed replication controller."),
    conditions: conditions(conditionOf(pkg.core, "ReplicationController", plainNums), 6, "replication controller"),
  },
);

export const StatefulSetStatus = struct(apps, "StatefulSetStatus", "StatefulSetStatus represents the current state of a StatefulSet.", {
  observedGeneration: f(int64, 1, "observedGeneration is the most recent generation observed for this StatefulSet."),
  replicas: f(int32, 2, "replicas is the number of Pods created by the StatefulSet controller.", req),
  readyReplicas: f(int32, 3, "readyReplicas is the number of pods created for this StatefulSet with a Ready Condition."),
  currentReplicas: f(
    int32,
    4,
    "currentReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by currentRevision.",
  ),
  updatedReplicas: f(
    int32,
    5,
    "updatedReplicas is the number of Pods created by the StatefulSet controller from the StatefulSet version indicated by updateRevision.",
  ),
  currentRevision: f(
    str,
    6,
    "currentRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [0,currentReplicas).",
  ),
  updateRevision: f(
    str,
    7,
    "updateRevision, if not empty, indicates the version of the StatefulSet used to generate Pods in the sequence [replicas-updatedReplicas,replicas)",
  ),
  collisionCount: f(
    int32,
    9,
    "collisionCount is the count of hash collisions for the StatefulSet, used when it needs a name for the newest ControllerRevision.",
  ),
  conditions: conditions(conditionOf(apps, "StatefulSet", plainNums), 10, "statefulset"),
  availableReplicas: f(int32, 11, "Total number of available pods (ready for at least minReadySeconds) targeted by this statefulset."),
});

export const DaemonSetStatus = struct(apps, "DaemonSetStatus", "DaemonSetStatus represents the current status of a daemon set.", {
  currentNumberScheduled: f(int32, 1, "The number of nodes that are running at least 1 daemon pod and are supposed to run the daemon pod.", req),
  numberMisscheduled: f(int32, 2, "The number of nodes that are running the daemon pod, but are not supposed to run the daemon pod.", req),
  desiredNumberScheduled: f(
    int32,
    3,
    "The total number of nodes that should be running the daemon pod (including nodes correctly running the daemon pod).",
    req,
  ),
  numberReady: f(
    int32,
    4,
    "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running with a Ready Condition.",
    req,
  ),
  observedGeneration: observed(5, "daemon set"),
  updatedNumberScheduled: f(int32, 6, "The total number of nodes that are running updated daemon pod"),
  numberAvailable: f(int32, 7, "The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and available."),
  numberUnavailable: f(int32, 8, "The number of nodes that should be running the daemon pod and have none of the daemon pod running and available."),
  collisionCount: f(int32, 9, "Count of hash collisions for the DaemonSet, used when it needs a name for the newest ControllerRevision."),
  conditions: conditions(conditionOf(apps, "DaemonSet", plainNums), 10, "DaemonSet"),
});

const batch = pkg.batch;

export const JobStatus = struct(batch, "JobStatus", "JobStatus represents the current state of a Job.", {
  conditions: f(
    listOf(conditionOf(batch, "Job", { lastTransitionTime: 4, reason: 5, message: 6 }, { lastProbeTime: f(time, 3, "Last time the condition was checked.") })),
    1,
    "The latest available observations of an object's current state: Complete or Failed when the job ends (SuccessCriteriaMet and FailureTarget before), Suspended while suspended.",
    mergeBy("type"),
  ),
  startTime: f(time, 2, "Represents time when the job controller started processing a job."),
  completionTime: f(time, 3, "Represents time when the job was completed. Set only when the job finishes successfully."),
  active: f(int32, 4, "The number of pending and running pods which are not terminating."),
  succeeded: f(int32, 5, "The number of pods which reached phase Succeeded."),
  failed: f(int32, 6, "The number of pods which reached phase Failed."),
  terminating: f(int32, 11, "The number of pods which are terminating (that have a deletionTimestamp)."),
  completedIndexes: f(str, 7, 'completedIndexes holds the completed indexes when .spec.completionMode = "Indexed" in a text format, e.g. "1,3-5,7".'),
  failedIndexes: f(str, 10, "FailedIndexes holds the failed indexes when spec.backoffLimitPerIndex is set, in the completedIndexes format.", {
    pointer: true,
  }),
  uncountedTerminatedPods: f(
    struct(
      batch,
      "UncountedTerminatedPods",
      "UncountedTerminatedPods holds UIDs of Pods that have terminated but haven't been accounted in Job status counters.",
      {
        succeeded: f(listOf(str), 1, "succeeded holds UIDs of succeeded Pods."),
        failed: f(listOf(str), 2, "failed holds UIDs of failed Pods."),
      },
    ),
    8,
    "uncountedTerminatedPods holds the UIDs of Pods that have terminated but the job controller hasn't yet accounted for in the status counters.",
  ),
  ready: f(int32, 9, "The number of active pods which have a Ready condition and are not terminating.", { pointer: true }),
});

export const CronJobStatus = struct(batch, "CronJobStatus", "CronJobStatus represents the current state of a cron job.", {
  active: f(listOf(ObjectReference), 1, "A list of pointers to currently running jobs."),
  lastScheduleTime: f(time, 4, "Information when was the last time the job was successfully scheduled."),
  lastSuccessfulTime: f(time, 5, "Information when was the last time the job successfully completed."),
});
