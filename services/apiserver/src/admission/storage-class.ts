// Storage admission: the cluster's default StorageClass (`local-path`, provisioned by the node
// agents under their --volume-dir) and the DefaultStorageClass admission step that gives a new
// claim without spec.storageClassName the default class (an explicit "" opts out).
import type { Logger } from "@skiff/log";
import { AlreadyExistsError, DEFAULT_STORAGE_CLASS_ANNOTATION, type PersistentVolumeClaim, type StorageClass } from "@skiff/api";
import type { Registry } from "../registry/registry.js";
import type { MutatingPlugin } from "./chain.js";

/** Name of the built-in StorageClass. */
export const LOCAL_PATH_CLASS = "local-path";
/** Provisioner of the built-in class: the node agent of the node the first consumer runs on. */
export const LOCAL_PATH_PROVISIONER = "skiff.io/local-path";

/** Whether a class is marked as the default (the beta annotation counts too, as in Kubernetes). */
export function isDefaultClass(sc: StorageClass): boolean {
  const a = sc.metadata.annotations ?? {};
  return a[DEFAULT_STORAGE_CLASS_ANNOTATION] === "true" || a["storageclass.beta.kubernetes.io/is-default-class"] === "true";
}

/** The default class among several: the newest marked one (Kubernetes' tie-break), else undefined. */
export function pickDefaultClass(classes: StorageClass[]): StorageClass | undefined {
  return classes
    .filter(isDefaultClass)
    .sort(
      (a, b) =>
        (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "") || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""),
    )[0];
}

/**
 * Creates `local-path` (WaitForFirstConsumer, reclaim Delete) as the default class when it is
 * missing. Why not when another default exists: an administrator who chose another default
 * keeps it; local-path is then created only if nothing is default.
 */
export async function ensureDefaultStorageClass(registry: Registry, log: Logger): Promise<void> {
  const classes = (await registry.list("storageclasses")).items as StorageClass[];
  if (classes.some((c) => c.metadata.name === LOCAL_PATH_CLASS) || pickDefaultClass(classes)) return;
  const sc: StorageClass = {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: LOCAL_PATH_CLASS, annotations: { [DEFAULT_STORAGE_CLASS_ANNOTATION]: "true" } },
    provisioner: LOCAL_PATH_PROVISIONER,
    reclaimPolicy: "Delete",
    volumeBindingMode: "WaitForFirstConsumer",
  };
  try {
    await registry.create("storageclasses", undefined, sc);
    log.info({ storageClass: LOCAL_PATH_CLASS }, "created the default storage class");
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err; // another apiserver replica was first
  }
}

/** DefaultStorageClass admission: a new claim without a class gets the default one. */
export function defaultStorageClass(listClasses: () => Promise<StorageClass[]>): MutatingPlugin {
  return {
    name: "DefaultStorageClass",
    handles: (a) => a.operation === "CREATE" && a.resource.group === "" && a.resource.resource === "persistentvolumeclaims" && a.subresource === "",
    async admit(a) {
      const pvc = a.object as PersistentVolumeClaim;
      // Only an absent class is defaulted: "" means "no class, static PVs only".
      if (!pvc.spec || (pvc.spec.storageClassName !== undefined && pvc.spec.storageClassName !== null)) return;
      const def = pickDefaultClass(await listClasses());
      if (def) pvc.spec.storageClassName = def.metadata.name;
    },
  };
}
