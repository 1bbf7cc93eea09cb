// PersistentVolume, PersistentVolumeClaim (core/v1) and StorageClass (storage.k8s.io/v1).
import { field } from "../errors.js";
import type { KObject } from "../types.js";
import { isValidQuantity } from "../quantity.js";
import { gv, withMeta, type Info } from "./common.js";
import * as storageSchema from "../schema/storage.js";

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
    /** Nodes that can reach the volume (a node-local PV names its node). */
    nodeAffinity?: VolumeNodeAffinity;
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

/** One term of a node selector: every expression (on labels) and field (metadata.name) must hold. */
export interface NodeSelectorTerm {
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt"; values?: string[] }[];
  matchFields?: { key: string; operator: "In" | "NotIn"; values?: string[] }[];
}

/** A PV's node affinity: the node must match one of the required terms. */
export interface VolumeNodeAffinity {
  required?: { nodeSelectorTerms: NodeSelectorTerm[] };
}

/** A class of storage with the provisioner that creates its volumes (storage.k8s.io/v1). */
export interface StorageClass extends KObject {
  provisioner: string;
  parameters?: Record<string, string>;
  /** Reclaim policy of provisioned PVs (default Delete). */
  reclaimPolicy?: "Retain" | "Delete";
  /** Immediate, or WaitForFirstConsumer: provision where the first pod using the claim is scheduled (default Immediate). */
  volumeBindingMode?: "Immediate" | "WaitForFirstConsumer";
  allowVolumeExpansion?: boolean;
}

/** Annotation marking the StorageClass claims without storageClassName get. */
export const DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class";

const modes = ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"];

function accessModes(list: unknown, path: string) {
  if (!Array.isArray(list) || list.length === 0) return [field.required(path)];
  return list.map((m, i) => (modes.includes(m) ? undefined : field.notSupported(`${path}[${i}]`, m, modes))).filter((e) => e !== undefined);
}

export const storageResources: Info[] = [
  {
    ...gv("", "v1"),
    resource: "persistentvolumes",
    singular: "persistentvolume",
    kind: "PersistentVolume",
    listKind: "PersistentVolumeList",
    namespaced: false,
    shortNames: ["pv"],
    hasStatus: true,
    schema: storageSchema.PersistentVolume,
    gracefulDelete: false,
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
    ...gv("", "v1"),
    resource: "persistentvolumeclaims",
    singular: "persistentvolumeclaim",
    kind: "PersistentVolumeClaim",
    listKind: "PersistentVolumeClaimList",
    schema: storageSchema.PersistentVolumeClaim,
    garbageCollected: true,
    namespaced: true,
    shortNames: ["pvc"],
    hasStatus: true,
    gracefulDelete: false,
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
    ...gv("storage.k8s.io", "v1"),
    resource: "storageclasses",
    singular: "storageclass",
    kind: "StorageClass",
    listKind: "StorageClassList",
    schema: storageSchema.StorageClass,
    namespaced: false,
    shortNames: ["sc"],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(false, (o) => {
      const sc = o as StorageClass;
      const errs = sc.provisioner ? [] : [field.required("provisioner")];
      if (sc.reclaimPolicy !== undefined && !["Retain", "Delete"].includes(sc.reclaimPolicy))
        errs.push(field.notSupported("reclaimPolicy", sc.reclaimPolicy, ["Delete", "Retain"]));
      if (sc.volumeBindingMode !== undefined && !["Immediate", "WaitForFirstConsumer"].includes(sc.volumeBindingMode))
        errs.push(field.notSupported("volumeBindingMode", sc.volumeBindingMode, ["Immediate", "WaitForFirstConsumer"]));
      return errs;
    }),
    applyDefaults: (o) => {
      const sc = o as StorageClass;
      sc.reclaimPolicy ??= "Delete";
      sc.volumeBindingMode ??= "Immediate";
    },
  },
];
