// apps/v1: Deployment, ReplicaSet, StatefulSet, DaemonSet and ControllerRevision.
import { bool, f, free, inline, int32, int64, intOrString, listOf, pkg, ptr, req, str, struct } from "./dsl.js";
import { kind, LabelSelector } from "./meta.js";
import { PodTemplateSpec } from "./pod.js";
import { PersistentVolumeClaim } from "./storage.js";
import { DaemonSetStatus, DeploymentStatus, ReplicaSetStatus, StatefulSetStatus } from "./workload-status.js";

const apps = pkg.apps;

const RollingUpdateDeployment = inline(apps, "RollingUpdateDeployment", "Spec to control the desired behavior of rolling update.", {
  maxUnavailable: f(intOrString, 1, "The maximum number of pods that can be unavailable during the update (a number or a percentage).", ptr),
  maxSurge: f(intOrString, 2, "The maximum number of pods that can be scheduled above the desired number of pods (a number or a percentage).", ptr),
});

export const DeploymentStrategy = struct(apps, "DeploymentStrategy", "DeploymentStrategy describes how to replace existing pods with new ones.", {
  type: f(str, 1, 'Type of deployment. Can be "Recreate" or "RollingUpdate". Default is RollingUpdate.'),
  rollingUpdate: f(RollingUpdateDeployment, 2),
});

export const DeploymentSpec = struct(apps, "DeploymentSpec", "DeploymentSpec is the specification of the desired behavior of the Deployment.", {
  replicas: f(int32, 1, "Number of desired pods. Defaults to 1.", ptr),
  selector: f(LabelSelector, 2, "Label selector for pods.", req),
  template: f(PodTemplateSpec, 3, "Template describes the pods that will be created.", req),
  strategy: f(DeploymentStrategy, 4, "The deployment strategy to use to replace existing pods with new ones."),
  minReadySeconds: f(
    int32,
    5,
    "Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available.",
  ),
  revisionHistoryLimit: f(int32, 6, "The number of old ReplicaSets to retain to allow rollback.", ptr),
  paused: f(bool, 7, "Indicates that the deployment is paused."),
  progressDeadlineSeconds: f(int32, 9, "The maximum time in seconds for a deployment to make progress before it is considered to be failed.", ptr),
});

export const ReplicaSetSpec = struct(apps, "ReplicaSetSpec", "ReplicaSetSpec is the specification of a ReplicaSet.", {
  replicas: f(int32, undefined, "Replicas is the number of desired replicas."),
  minReadySeconds: f(int32, undefined, "Minimum number of seconds for which a newly created pod should be ready."),
  selector: f(LabelSelector, undefined, "Selector is a label query over pods that should match the replica count.", req),
  template: f(PodTemplateSpec, undefined, "Template is the object that describes the pod that will be created if insufficient replicas are detected."),
});

export const StatefulSetSpec = struct(apps, "StatefulSetSpec", "A StatefulSetSpec is the specification of a StatefulSet.", {
  replicas: f(int32, undefined, "replicas is the desired number of replicas of the given Template."),
  selector: f(LabelSelector, undefined, "selector is a label query over pods that should match the replica count.", req),
  template: f(PodTemplateSpec, undefined, "template is the object that describes the pod that will be created if insufficient replicas are detected.", req),
  serviceName: f(str, undefined, "serviceName is the name of the service that governs this StatefulSet (its pods get DNS names under it)."),
  volumeClaimTemplates: f(
    listOf(PersistentVolumeClaim),
    undefined,
    "volumeClaimTemplates is a list of claims that pods are allowed to reference; each pod gets its own claim from each template.",
  ),
  podManagementPolicy: f(
    str,
    undefined,
    "podManagementPolicy controls how pods are created during initial scale up, replacement and scale down: OrderedReady (default) or Parallel.",
  ),
  updateStrategy: f(
    inline(apps, "StatefulSetUpdateStrategy", "updateStrategy indicates the StatefulSetUpdateStrategy used to update pods when the template changes.", {
      type: f(str, undefined, "Type indicates the type of the StatefulSetUpdateStrategy: RollingUpdate (default) or OnDelete."),
      rollingUpdate: f(
        inline(apps, "RollingUpdateStatefulSetStrategy", "RollingUpdate is used to communicate parameters when Type is RollingUpdate.", {
          partition: f(int32, undefined, "Partition indicates the ordinal at which the StatefulSet should be partitioned for updates."),
          maxUnavailable: f(intOrString, undefined, "The maximum number of pods that can be unavailable during the update."),
        }),
        undefined,
      ),
    }),
    undefined,
  ),
  revisionHistoryLimit: f(int32, undefined, "revisionHistoryLimit is the maximum number of revisions kept in the StatefulSet's revision history."),
  minReadySeconds: f(
    int32,
    undefined,
    "Minimum number of seconds for which a newly created pod should be ready without any of its containers crashing to be considered available.",
  ),
  persistentVolumeClaimRetentionPolicy: f(
    inline(
      apps,
      "StatefulSetPersistentVolumeClaimRetentionPolicy",
      "persistentVolumeClaimRetentionPolicy describes the lifecycle of claims created from volumeClaimTemplates.",
      {
        whenDeleted: f(str, undefined, "What happens to claims when the StatefulSet is deleted: Retain (default) or Delete."),
        whenScaled: f(str, undefined, "What happens to claims when the StatefulSet is scaled down: Retain (default) or Delete."),
      },
    ),
    undefined,
  ),
  ordinals: f(
    inline(apps, "StatefulSetOrdinals", "ordinals controls the numbering of replica indices in a StatefulSet.", {
      start: f(int32, undefined, "start is the number representing the first replica's index."),
    }),
    undefined,
  ),
});

export const DaemonSetSpec = struct(apps, "DaemonSetSpec", "DaemonSetSpec is the specification of a daemon set.", {
  selector: f(LabelSelector, undefined, "A label query over pods that are managed by the daemon set.", req),
  template: f(PodTemplateSpec, undefined, "An object that describes the pod that will be created on every eligible node.", req),
  updateStrategy: f(
    inline(apps, "DaemonSetUpdateStrategy", "An update strategy to replace existing DaemonSet pods with new pods.", {
      type: f(str, undefined, "Type of daemon set update: RollingUpdate (default) or OnDelete."),
      rollingUpdate: f(
        inline(apps, "RollingUpdateDaemonSet", "Rolling update config params.", {
          maxUnavailable: f(intOrString, undefined, "The maximum number of DaemonSet pods that can be unavailable during the update."),
          maxSurge: f(
            intOrString,
            undefined,
            "The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during the update.",
          ),
        }),
        undefined,
      ),
    }),
    undefined,
  ),
  minReadySeconds: f(
    int32,
    undefined,
    "The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its containers crashing to be considered available.",
  ),
  revisionHistoryLimit: f(int32, undefined, "The number of old history to retain to allow rollback."),
});

export const Deployment = kind(apps, "Deployment", { spec: f(DeploymentSpec, 2), status: f(DeploymentStatus, undefined) });
export const ReplicaSet = kind(apps, "ReplicaSet", { spec: f(ReplicaSetSpec, undefined), status: f(ReplicaSetStatus, undefined) });
export const StatefulSet = kind(apps, "StatefulSet", { spec: f(StatefulSetSpec, undefined), status: f(StatefulSetStatus, undefined) });
export const DaemonSet = kind(apps, "DaemonSet", { spec: f(DaemonSetSpec, undefined), status: f(DaemonSetStatus, undefined) });
export const ControllerRevision = kind(apps, "ControllerRevision", {
  data: f(free, undefined, "Data is the serialized representation of the state."),
  revision: f(int64, undefined, "Revision indicates the revision of the state represented by Data."),
});
