// PersistentVolume, PersistentVolumeClaim (core/v1) and StorageClass (storage.k8s.io/v1).
import { field } from "../errors.js";
import type { KObject } from "../types.js";
import { isValidQuantity } from "../quantity.js";
import { gv, withMeta, type Info } from "./common.js";

export type AccessMode = "ReadWriteOnce" | "ReadOnlyMany" | "ReadWriteMany" | "ReadWriteOncePod";

export interface PersistentVolume extends KObject {
  spec: {
    capacity?: { storage?: string };
    accessModes?: AccessMode[];
    persistentVolumeReclaimPolicy?: "Retain" | "Delete" | "Recycle";
    storageClassName?: string;
    hostPath?: { path: string; type?: string };
    local?: { path: string };
    claimRef?: { kind?: string; namespace?: string; name?: string; uid?: string; apiVersion?: string; resourceVersion?: string };
    nodeAffinity?: unknown;
    volumeMode?: string;
  };
  status?: { phase?: "Pending" | "Available" | "Bound" | "Released" | "Failed"; message?: string; reason?: string };
}

export interface PersistentVolumeClaim extends KObject {
  spec: {
    accessModes?: AccessMode[];
    resources?: { requests?: { storage?: string } };
    storageClassName?: string;
    volumeName?: string;
    selector?: unknown;
    volumeMode?: string;
  };
  status?: { phase?: "Pending" | "Bound" | "Lost"; accessModes?: AccessMode[]; capacity?: { storage?: string } };
}

const modes = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];

function accessModes(list: unknown, path: string) {
  if (!Array.isArray(list) || list.length === 0) return [field.required(path)];
  return list.map((m, i) => (modes.includes(m) ? undefined : field.notSupported(`${path}[${i}]`, m, modes))).filter((e) => e !== undefined);
}

export const storageResources: Info[] = [
  {
    ...gv("", "v1"), resource: "persistentvolumes", singular: "persistentvolume", kind: "PersistentVolume", listKind: "PersistentVolumeList",
    namespaced: false, shortNames: ["pv"], hasStatus: true, gracefulDelete: false,
    validate: withMeta(false, (o) => {
      const s = (o as PersistentVolume).spec;
      if (!s) return [field.required("spec")];
      const errs = accessModes(s.accessModes, "spec.accessModes");
      if (!s.capacity?.storage) errs.push(field.required("spec.capacity[storage]"));
      else if (!isValidQuantity(s.capacity.storage)) errs.push(field.invalid("spec.capacity[storage]", s.capacity.storage, "must be a valid quantity"));
      if (!s.hostPath && !s.local) errs.push(field.required("spec", "must specify a volume type (hostPath or local)"));
      return errs;
    }),
    applyDefaults: (o) => {
      const pv = o as PersistentVolume;
      if (pv.spec) pv.spec.persistentVolumeReclaimPolicy ??= "Retain";
      pv.spec.volumeMode ??= "Filesystem";
      pv.status ??= { phase: "Pending" };
    },
  },
  {
    ...gv("", "v1"), resource: "persistentvolumeclaims", singular: "persistentvolumeclaim", kind: "PersistentVolumeClaim", listKind: "PersistentVolumeClaimList",
    namespaced: true, shortNames: ["pvc"], hasStatus: true, gracefulDelete: false,
    validate: withMeta(true, (o) => {
      const s = (o as PersistentVolumeClaim).spec;
      if (!s) return [field.required("spec")];
      const errs = accessModes(s.accessModes, "spec.accessModes");
      const req = s.resources?.requests?.storage;
      if (!req) errs.push(field.required("spec.resources[storage]"));
      else if (!isValidQuantity(req)) errs.push(field.invalid("spec.resources[storage]", req, "must be a valid quantity"));
      return errs;
    }),
    applyDefaults: (o) => {
      const pvc = o as PersistentVolumeClaim;
      if (pvc.spec) pvc.spec.volumeMode ??= "Filesystem";
      pvc.status ??= { phase: "Pending" };
    },
  },
  {
    ...gv("storage.k8s.io", "v1"), resource: "storageclasses", singular: "storageclass", kind: "StorageClass", listKind: "StorageClassList",
    namespaced: false, shortNames: ["sc"], hasStatus: false, gracefulDelete: false,
    validate: withMeta(false, (o) => ((o as { provisioner?: string }).provisioner ? [] : [field.required("provisioner")])),
  },
];
