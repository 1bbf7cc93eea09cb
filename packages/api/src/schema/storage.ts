// core/v1 PersistentVolumeClaim and storage.k8s.io/v1 StorageClass.
import { bool, f, free, inline, listOf, pkg, str, strMap, struct } from "./dsl.js";
import { kind, LabelSelector } from "./meta.js";

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
        requests: f(strMap, undefined, "Requests describes the minimum amount of storage required (e.g. storage: 1Gi)."),
        limits: f(strMap, undefined, "Limits describes the maximum amount of storage allowed."),
      }),
      undefined,
    ),
    storageClassName: f(str, undefined, "storageClassName is the name of the StorageClass required by the claim."),
    volumeName: f(str, undefined, "volumeName is the binding reference to the PersistentVolume backing this claim."),
    volumeMode: f(str, undefined, "volumeMode defines what type of volume is required by the claim: Filesystem (default) or Block."),
    selector: f(LabelSelector, undefined, "selector is a label query over volumes to consider for binding."),
    dataSource: f(free, undefined, "dataSource field can be used to specify an existing VolumeSnapshot or PersistentVolumeClaim."),
    dataSourceRef: f(free, undefined, "dataSourceRef specifies the object from which to populate the volume with data."),
    volumeAttributesClassName: f(str, undefined, "volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim."),
  },
);

export const PersistentVolumeClaim = kind(core, "PersistentVolumeClaim", { spec: f(PersistentVolumeClaimSpec, undefined), status: f(free, undefined) });

export const StorageClass = kind(pkg.storage, "StorageClass", {
  provisioner: f(str, undefined, "provisioner indicates the type of the provisioner."),
  parameters: f(strMap, undefined, "parameters holds the parameters for the provisioner."),
  reclaimPolicy: f(str, undefined, "reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes."),
  volumeBindingMode: f(str, undefined, "volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."),
  allowVolumeExpansion: f(bool, undefined, "allowVolumeExpansion shows whether the storage class allow volume expand."),
  mountOptions: f(listOf(str), undefined, "mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes."),
  allowedTopologies: f(listOf(free), undefined, "allowedTopologies restrict the node topologies where volumes can be dynamically provisioned."),
});
