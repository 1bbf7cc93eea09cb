// core/v1 PersistentVolumeClaim (spec and status), PersistentVolume (its status; the spec's
// volume sources stay free-form) and storage.k8s.io/v1 StorageClass.
import { bool, f, free, inline, listOf, mapOf, mergeBy, pkg, ptr, quantity, req, str, strMap, struct, time } from "./dsl.js";
import { kind, LabelSelector, TypedLocalObjectReference, TypedObjectReference } from "./meta.js";
import { NodeSelector } from "./pod-scheduling.js";
import { ObjectReference } from "./serviceaccounts.js";
import { HostPathVolumeSource, NFSVolumeSource } from "./volumes.js";

const core = pkg.core;

export const PersistentVolumeClaimSpec = struct(
  core,
  "PersistentVolumeClaimSpec",
  "PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes.",
  {
    accessModes: f(
      listOf(str),
      undefined,
      "accessModes contains the desired access modes the volume should have (ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod).",
    ),
    resources: f(
      inline(core, "VolumeResourceRequirements", "resources represents the minimum resources the volume should have.", {
        requests: f(mapOf(quantity), undefined, "Requests describes the minimum amount of storage required (e.g. storage: 1Gi)."),
        limits: f(mapOf(quantity), undefined, "Limits describes the maximum amount of storage allowed."),
      }),
      undefined,
    ),
    storageClassName: f(str, undefined, "storageClassName is the name of the StorageClass required by the claim."),
    volumeName: f(str, undefined, "volumeName is the binding reference to the PersistentVolume backing this claim."),
    volumeMode: f(str, undefined, "volumeMode defines what type of volume is required by the claim: Filesystem (default) or Block."),
    selector: f(LabelSelector, undefined, "selector is a label query over volumes to consider for binding."),
    dataSource: f(TypedLocalObjectReference, undefined, "dataSource field can be used to specify an existing VolumeSnapshot or PersistentVolumeClaim."),
    dataSourceRef: f(TypedObjectReference, undefined, "dataSourceRef specifies the object from which to populate the volume with data."),
    volumeAttributesClassName: f(str, undefined, "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim."),
  },
);

const PersistentVolumeClaimStatus = struct(
  core,
  "PersistentVolumeClaimStatus",
  "PersistentVolumeClaimStatus is the current status of a persistent volume claim.",
  {
    phase: f(str, 1, "phase represents the current phase of PersistentVolumeClaim: Pending, Bound or Lost."),
    accessModes: f(listOf(str), 2, "accessModes contains the actual access modes the volume backing the PVC has."),
    capacity: f(mapOf(quantity), 3, "capacity represents the actual resources of the underlying volume."),
    conditions: f(
      listOf(
        struct(core, "PersistentVolumeClaimCondition", "PersistentVolumeClaimCondition contains details about state of pvc", {
          type: f(str, 1, "Type of the condition (such as Resizing or FileSystemResizePending).", req),
          status: f(str, 2, "Status of the condition, one of True, False, Unknown.", req),
          lastProbeTime: f(time, 3, "lastProbeTime is the time we probed the condition."),
          lastTransitionTime: f(time, 4, "lastTransitionTime is the time the condition transitioned from one status to another."),
          reason: f(str, 5, "reason is a unique, short, machine understandable string that gives the reason for condition's last transition."),
          message: f(str, 6, "message is the human-readable message indicating details about last transition."),
        }),
      ),
      4,
      "conditions is the current Condition of persistent volume claim.",
      mergeBy("type"),
    ),
    allocatedResources: f(mapOf(quantity), 5, "allocatedResources tracks the resources allocated to a PVC including its capacity (volume expansion)."),
    allocatedResourceStatuses: f(strMap, 7, "allocatedResourceStatuses stores status of resource being resized for the given PVC."),
    currentVolumeAttributesClassName: f(str, 8, "currentVolumeAttributesClassName is the current name of the VolumeAttributesClass the PVC is using.", ptr),
    modifyVolumeStatus: f(
      struct(core, "ModifyVolumeStatus", "ModifyVolumeStatus represents the status object of ControllerModifyVolume operation", {
        targetVolumeAttributesClassName: f(
          str,
          1,
          "targetVolumeAttributesClassName is the name of the VolumeAttributesClass the PVC currently being reconciled",
        ),
        status: f(str, 2, "status is the status of the ControllerModifyVolume operation: Pending, InProgress or Infeasible.", req),
      }),
      9,
      "ModifyVolumeStatus represents the status object of ControllerModifyVolume operation. When this is unset, there is no ModifyVolume operation being attempted.",
    ),
  },
);

export const PersistentVolumeClaim = kind(core, "PersistentVolumeClaim", {
  spec: f(PersistentVolumeClaimSpec, undefined),
  status: f(PersistentVolumeClaimStatus, undefined),
});

/** The volume sources of a PersistentVolume Skiff does not mount, free-form (as unimplemented pod volume sources are). */
const otherPvSources = [
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "glusterfs",
  "rbd",
  "iscsi",
  "cinder",
  "cephfs",
  "fc",
  "flocker",
  "flexVolume",
  "azureFile",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "portworxVolume",
  "scaleIO",
  "storageos",
  "csi",
];

const PersistentVolumeSpec = struct(core, "PersistentVolumeSpec", "PersistentVolumeSpec is the specification of a persistent volume.", {
  capacity: f(mapOf(quantity), 1, "capacity is the description of the persistent volume's resources and capacity (storage)."),
  accessModes: f(listOf(str), 3, "accessModes contains all ways the volume can be mounted (ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod)."),
  claimRef: f(
    ObjectReference,
    4,
    "claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim: the claim bound to this volume.",
  ),
  persistentVolumeReclaimPolicy: f(
    str,
    5,
    "persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim: Retain, Delete or Recycle.",
  ),
  storageClassName: f(str, 6, "storageClassName is the name of StorageClass to which this persistent volume belongs."),
  mountOptions: f(listOf(str), 7, 'mountOptions is the list of mount options, e.g. ["ro", "soft"]. Not validated - mount will simply fail if one is invalid.'),
  volumeMode: f(
    str,
    8,
    "volumeMode defines if a volume is intended to be used with a formatted filesystem (Filesystem, the default) or to remain in raw block state (Block).",
    ptr,
  ),
  nodeAffinity: f(
    struct(core, "VolumeNodeAffinity", "VolumeNodeAffinity defines constraints that limit what nodes this volume can be accessed from.", {
      required: f(NodeSelector, 1, "required specifies hard node constraints that must be met."),
    }),
    9,
    "nodeAffinity defines constraints that limit what nodes this volume can be accessed from (a local volume names its node).",
  ),
  volumeAttributesClassName: f(str, 10, "Name of VolumeAttributesClass to which this persistent volume belongs.", ptr),
  hostPath: f(HostPathVolumeSource, undefined, "hostPath represents a directory on the host, for single-node development and testing."),
  nfs: f(NFSVolumeSource, undefined, "nfs represents an NFS mount on the host."),
  local: f(
    struct(core, "LocalVolumeSource", "Local represents directly-attached storage with node affinity", {
      path: f(str, 1, "path of the full path to the volume on the node. It can be either a directory or block device (disk, partition, ...).", req),
      fsType: f(str, 2, "fsType is the filesystem type to mount (only when path is a block device).", ptr),
    }),
    undefined,
    "local represents directly-attached storage with node affinity",
  ),
  ...Object.fromEntries(otherPvSources.map((k) => [k, f(free, undefined, `The ${k} volume source (not run by Skiff).`)])),
});

/** A PersistentVolume: spec (the sources Skiff mounts spelt out, the others free-form) and status. */
export const PersistentVolume = kind(core, "PersistentVolume", {
  spec: f(PersistentVolumeSpec, undefined),
  status: f(
    struct(core, "PersistentVolumeStatus", "PersistentVolumeStatus is the current status of a persistent volume.", {
      phase: f(str, 1, "phase indicates if a volume is available, bound to a claim, or released by a claim: Pending, Available, Bound, Released or Failed."),
      message: f(str, 2, "message is a human-readable message indicating details about why the volume is in this state."),
      reason: f(str, 3, "reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI."),
      lastPhaseTransitionTime: f(time, 4, "lastPhaseTransitionTime is the time the phase transitioned from one to another."),
    }),
    undefined,
  ),
});

export const StorageClass = kind(pkg.storage, "StorageClass", {
  provisioner: f(str, undefined, "provisioner indicates the type of the provisioner."),
  parameters: f(strMap, undefined, "parameters holds the parameters for the provisioner."),
  reclaimPolicy: f(str, undefined, "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes."),
  volumeBindingMode: f(str, undefined, "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."),
  allowVolumeExpansion: f(bool, undefined, "allowVolumeExpansion shows whether the storage class allow volume expand."),
  mountOptions: f(listOf(str), undefined, "mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes."),
  allowedTopologies: f(
    listOf(
      struct(core, "TopologySelectorTerm", "A topology selector term represents the result of label queries; its requirements are ANDed.", {
        matchLabelExpressions: f(
          listOf(
            struct(core, "TopologySelectorLabelRequirement", "A topology selector requirement is a selector that matches given label.", {
              key: f(str, 1, "The label key that the selector applies to.", req),
              values: f(listOf(str), 2, "An array of string values. One value must match the label to be selected.", req),
            }),
          ),
          1,
          "A list of topology selector requirements by labels.",
        ),
      }),
    ),
    undefined,
    "allowedTopologies restrict the node topologies where volumes can be dynamically provisioned.",
  ),
});
