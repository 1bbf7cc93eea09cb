// core/v1 Volume and its sources. Every source is listed (in Kubernetes' protobuf order); the
// ones Skiff decodes from protobuf have their messages, the rest are free-form.
import { bool, embedded, f, free, inline, int32, int64, listOf, opaque, pkg, ptr, quantity, req, str, type FieldDef, type StructDef } from "./dsl.js";
import { localRef } from "./meta.js";
import { ObjectFieldSelector, ResourceFieldSelector } from "./containers.js";

const core = pkg.core;

const KeyToPath = opaque(core, "KeyToPath", { key: f(str, 1), path: f(str, 2), mode: f(int32, 3, undefined, ptr) });
const DownwardAPIVolumeFile = opaque(core, "DownwardAPIVolumeFile", { path: f(str, 1), fieldRef: f(ObjectFieldSelector, 2), resourceFieldRef: f(ResourceFieldSelector, 3), mode: f(int32, 4, undefined, ptr) });
const projection = (name: string) => opaque(core, name, { localObjectReference: localRef, items: f(listOf(KeyToPath), 2), optional: f(bool, 4, undefined, ptr) });
const VolumeProjection = opaque(core, "VolumeProjection", {
  secret: f(projection("SecretProjection"), 1), downwardAPI: f(opaque(core, "DownwardAPIProjection", { items: f(listOf(DownwardAPIVolumeFile), 1) }), 2),
  configMap: f(projection("ConfigMapProjection"), 3),
  serviceAccountToken: f(opaque(core, "ServiceAccountTokenProjection", { audience: f(str, 1), expirationSeconds: f(int64, 2, undefined, ptr), path: f(str, 3) }), 4),
});

/** The sources protobuf decodes, by JSON name: [field number, message]. */
const typed: Record<string, [number, StructDef]> = {
  hostPath: [1, opaque(core, "HostPathVolumeSource", { path: f(str, 1), type: f(str, 2, undefined, ptr) })],
  emptyDir: [2, opaque(core, "EmptyDirVolumeSource", { medium: f(str, 1), sizeLimit: f(quantity, 2) })],
  secret: [6, opaque(core, "SecretVolumeSource", { secretName: f(str, 1), items: f(listOf(KeyToPath), 2), defaultMode: f(int32, 3, undefined, ptr), optional: f(bool, 4, undefined, ptr) })],
  nfs: [7, opaque(core, "NFSVolumeSource", { server: f(str, 1), path: f(str, 2), readOnly: f(bool, 3) })],
  persistentVolumeClaim: [10, opaque(core, "PersistentVolumeClaimVolumeSource", { claimName: f(str, 1), readOnly: f(bool, 2) })],
  downwardAPI: [16, opaque(core, "DownwardAPIVolumeSource", { items: f(listOf(DownwardAPIVolumeFile), 1), defaultMode: f(int32, 2, undefined, ptr) })],
  configMap: [19, opaque(core, "ConfigMapVolumeSource", { localObjectReference: localRef, items: f(listOf(KeyToPath), 2), defaultMode: f(int32, 3, undefined, ptr), optional: f(bool, 4, undefined, ptr) })],
  projected: [26, opaque(core, "ProjectedVolumeSource", { sources: f(listOf(VolumeProjection), 1), defaultMode: f(int32, 2, undefined, ptr) })],
};

const sources = [
  "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs",
  "flocker", "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "projected", "storageos", "csi", "ephemeral", "image",
];

export const VolumeSource = opaque(core, "VolumeSource", Object.fromEntries(sources.map((k): [string, FieldDef] => {
  const t = typed[k];
  return [k, t ? f(t[1], t[0], `The ${k} volume source.`) : f(free, undefined, `The ${k} volume source.`)];
})));

export const Volume = inline(core, "Volume", "Volume represents a named volume in a pod that may be accessed by any container in the pod.", {
  name: f(str, 1, "name of the volume.", req),
  volumeSource: f(VolumeSource, 2, undefined, embedded),
});
