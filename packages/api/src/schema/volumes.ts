// core/v1 Volume and its sources. Every source is listed (in Kubernetes' protobuf order); the
// ones Skiff decodes from protobuf have their messages, the rest are free-form.
import { bool, embedded, f, free, inline, int32, int64, listOf, opaque, pkg, ptr, quantity, req, str, struct, type FieldDef, type StructDef } from "./dsl.js";
import { localRef } from "./meta.js";
import { ObjectFieldSelector, ResourceFieldSelector } from "./containers.js";

const core = pkg.core;

const KeyToPath = struct(core, "KeyToPath", "Maps a string key to a path within a volume.", {
  key: f(str, 1, "key is the key to project.", req),
  path: f(
    str,
    2,
    "path is the relative path of the file to map the key to. May not be an absolute path. May not contain the path element '..'. May not start with the string '..'.",
    req,
  ),
  mode: f(
    int32,
    3,
    "mode is Optional: mode bits used to set permissions on this file. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511.",
    ptr,
  ),
});
const DownwardAPIVolumeFile = struct(
  core,
  "DownwardAPIVolumeFile",
  "DownwardAPIVolumeFile represents information to create the file containing the pod field",
  {
    path: f(str, 1, "Required: Path is  the relative path name of the file to be created. Must not be absolute or contain the '..' path.", req),
    fieldRef: f(ObjectFieldSelector, 2, "Required: Selects a field of the pod: only annotations, labels, name, namespace and uid are supported."),
    resourceFieldRef: f(
      ResourceFieldSelector,
      3,
      "Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, requests.cpu and requests.memory) are currently supported.",
    ),
    mode: f(
      int32,
      4,
      "Optional: mode bits used to set permissions on this file, must be an octal value between 0000 and 0777 or a decimal value between 0 and 511.",
      ptr,
    ),
  },
);
const projection = (name: string, what: string) =>
  struct(core, name, `Adapts a ${what} into a projected volume: its data keys become files.`, {
    localObjectReference: localRef,
    items: f(
      listOf(KeyToPath),
      2,
      `items if unspecified, each key-value pair in the Data field of the referenced ${what} will be projected into the volume as a file whose name is the key and content is the value.`,
    ),
    optional: f(bool, 4, `optional field specify whether the ${what} or its keys must be defined`, ptr),
  });
const VolumeProjection = struct(
  core,
  "VolumeProjection",
  "Projection that may be projected along with other supported volume types. Exactly one of these fields must be set.",
  {
    secret: f(projection("SecretProjection", "Secret"), 1, "secret information about the secret data to project"),
    downwardAPI: f(
      struct(core, "DownwardAPIProjection", "Represents downward API info for projecting into a projected volume.", {
        items: f(listOf(DownwardAPIVolumeFile), 1, "Items is a list of DownwardAPIVolume file"),
      }),
      2,
      "downwardAPI information about the downwardAPI data to project",
    ),
    configMap: f(projection("ConfigMapProjection", "ConfigMap"), 3, "configMap information about the configMap data to project"),
    serviceAccountToken: f(
      struct(core, "ServiceAccountTokenProjection", "ServiceAccountTokenProjection represents a projected service account token volume.", {
        audience: f(str, 1, "audience is the intended audience of the token. Defaults to the identifier of the apiserver."),
        expirationSeconds: f(
          int64,
          2,
          "expirationSeconds is the requested duration of validity of the service account token. Defaults to 1 hour and must be at least 10 minutes.",
          ptr,
        ),
        path: f(str, 3, "path is the path relative to the mount point of the file to project the token into.", req),
      }),
      4,
      "serviceAccountToken is information about the serviceAccountToken data to project",
    ),
    clusterTrustBundle: f(
      free,
      undefined,
      "ClusterTrustBundle allows a pod to access the `.spec.trustBundle` field of ClusterTrustBundle objects in an auto-updating file (not served by Skiff).",
    ),
  },
);

/** The sources protobuf decodes, by JSON name: [field number, message]. */
const typed: Record<string, [number, StructDef]> = {
  hostPath: [
    1,
    struct(core, "HostPathVolumeSource", "Represents a host path mapped into a pod.", {
      path: f(str, 1, "path of the directory on the host. If the path is a symlink, it will follow the link to the real path.", req),
      type: f(
        str,
        2,
        'type for HostPath Volume: "", DirectoryOrCreate, Directory, FileOrCreate, File, Socket, CharDevice or BlockDevice. Defaults to "".',
        ptr,
      ),
    }),
  ],
  emptyDir: [
    2,
    struct(core, "EmptyDirVolumeSource", "Represents an empty directory for a pod.", {
      medium: f(
        str,
        1,
        'medium represents what type of storage medium should back this directory. The default is "" which means to use the node\'s default medium; "Memory" is a tmpfs.',
      ),
      sizeLimit: f(quantity, 2, "sizeLimit is the total amount of local storage required for this EmptyDir volume; a pod exceeding it is evicted."),
    }),
  ],
  secret: [
    6,
    struct(core, "SecretVolumeSource", "Adapts a Secret into a volume: its data keys become files.", {
      secretName: f(str, 1, "secretName is the name of the secret in the pod's namespace to use."),
      items: f(
        listOf(KeyToPath),
        2,
        "items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value.",
      ),
      defaultMode: f(int32, 3, "defaultMode is Optional: mode bits used to set permissions on created files by default. Defaults to 0644.", ptr),
      optional: f(bool, 4, "optional field specify whether the Secret or its keys must be defined", ptr),
    }),
  ],
  nfs: [
    7,
    struct(core, "NFSVolumeSource", "Represents an NFS mount that lasts the lifetime of a pod.", {
      server: f(str, 1, "server is the hostname or IP address of the NFS server.", req),
      path: f(str, 2, "path that is exported by the NFS server.", req),
      readOnly: f(bool, 3, "readOnly here will force the NFS export to be mounted with read-only permissions. Defaults to false."),
    }),
  ],
  persistentVolumeClaim: [
    10,
    struct(core, "PersistentVolumeClaimVolumeSource", "PersistentVolumeClaimVolumeSource references the user's PVC in the same namespace.", {
      claimName: f(str, 1, "claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume.", req),
      readOnly: f(bool, 2, "readOnly Will force the ReadOnly setting in VolumeMounts. Default false."),
    }),
  ],
  downwardAPI: [
    16,
    struct(core, "DownwardAPIVolumeSource", "DownwardAPIVolumeSource represents a volume containing downward API info.", {
      items: f(listOf(DownwardAPIVolumeFile), 1, "Items is a list of downward API volume file"),
      defaultMode: f(int32, 2, "Optional: mode bits to use on created files by default. Defaults to 0644.", ptr),
    }),
  ],
  configMap: [
    19,
    struct(core, "ConfigMapVolumeSource", "Adapts a ConfigMap into a volume: its data keys become files.", {
      localObjectReference: localRef,
      items: f(
        listOf(KeyToPath),
        2,
        "items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value.",
      ),
      defaultMode: f(int32, 3, "defaultMode is optional: mode bits used to set permissions on created files by default. Defaults to 0644.", ptr),
      optional: f(bool, 4, "optional specify whether the ConfigMap or its keys must be defined", ptr),
    }),
  ],
  projected: [
    26,
    struct(core, "ProjectedVolumeSource", "Represents a projected volume source", {
      sources: f(listOf(VolumeProjection), 1, "sources is the list of volume projections. Each entry in this list handles one source."),
      defaultMode: f(int32, 2, "defaultMode are the mode bits used to set permissions on created files by default. Defaults to 0644.", ptr),
    }),
  ],
};

const sources = [
  "hostPath",
  "emptyDir",
  "gcePersistentDisk",
  "awsElasticBlockStore",
  "gitRepo",
  "secret",
  "nfs",
  "iscsi",
  "glusterfs",
  "persistentVolumeClaim",
  "rbd",
  "flexVolume",
  "cinder",
  "cephfs",
  "flocker",
  "downwardAPI",
  "fc",
  "azureFile",
  "configMap",
  "vsphereVolume",
  "quobyte",
  "azureDisk",
  "photonPersistentDisk",
  "portworxVolume",
  "scaleIO",
  "projected",
  "storageos",
  "csi",
  "ephemeral",
  "image",
];

/** The volume sources a PersistentVolume shares with a pod's volumes (and Skiff runs). */
export const HostPathVolumeSource = typed.hostPath[1];
export const NFSVolumeSource = typed.nfs[1];

export const VolumeSource = opaque(
  core,
  "VolumeSource",
  Object.fromEntries(
    sources.map((k): [string, FieldDef] => {
      const t = typed[k];
      return [k, t ? f(t[1], t[0], `The ${k} volume source.`) : f(free, undefined, `The ${k} volume source.`)];
    }),
  ),
);

export const Volume = inline(core, "Volume", "Volume represents a named volume in a pod that may be accessed by any container in the pod.", {
  name: f(str, 1, "name of the volume.", req),
  volumeSource: f(VolumeSource, 2, undefined, embedded),
});
