// Dynamic provisioning for `skiff.io/local-path` StorageClasses (WaitForFirstConsumer): when a
// pod bound to this node mounts a claim of such a class that nothing satisfies yet, the agent
// makes a directory under its --volume-dir and creates a hostPath PV for it, pre-bound to the
// claim and with node affinity to this node; the binder (controller-manager) completes the bind.
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@skiff/log";
import { isAlreadyExists, type PersistentVolume, type PersistentVolumeClaim, type Pod, type StorageClass } from "@skiff/api";
import type { ApiClient, EventRecorder } from "@skiff/client";
import { PROVISIONED_NODE } from "./reclaim.js";

/** The provisioner name of the built-in local-path class. */
export const LOCAL_PATH_PROVISIONER = "skiff.io/local-path";
/** Annotation on a claim naming the node its volume is provisioned on (as the scheduler's in Kubernetes). */
export const SELECTED_NODE = "volume.kubernetes.io/selected-node";
/** Annotation on a PV naming the provisioner that created it. */
export const PROVISIONED_BY = "pv.kubernetes.io/provisioned-by";

/** What the provisioner reads (informer caches). */
export interface ProvisionerSources {
  storageClass(name: string): StorageClass | undefined;
  volume(name: string): PersistentVolume | undefined;
}

/** The PV name of a claim's provisioned volume (deterministic: two nodes racing create one). */
export function provisionedName(claim: PersistentVolumeClaim): string {
  return `pvc-${claim.metadata.uid}`;
}

/** The PV local-path provisions for a claim on a node (pure, for tests). */
export function provisionedVolume(claim: PersistentVolumeClaim, sc: StorageClass, nodeName: string, path: string): PersistentVolume {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: provisionedName(claim), annotations: { [PROVISIONED_BY]: sc.provisioner, [PROVISIONED_NODE]: nodeName } },
    spec: {
      capacity: { storage: claim.spec.resources?.requests?.storage ?? "0" },
      accessModes: claim.spec.accessModes,
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? "Delete",
      storageClassName: sc.metadata.name,
      volumeMode: claim.spec.volumeMode ?? "Filesystem",
      hostPath: { path, type: "DirectoryOrCreate" },
      claimRef: { kind: "PersistentVolumeClaim", apiVersion: "v1", namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: [nodeName] }] }] } },
    },
  };
}

export class LocalPathProvisioner {
  constructor(
    private readonly client: ApiClient,
    private readonly src: ProvisionerSources,
    private readonly recorder: EventRecorder,
    private readonly volumeDir: string,
    private readonly nodeName: string,
    private readonly log: Logger,
  ) {}

  /**
   * Provisions a volume for an unbound claim the pod (bound here) mounts, when its class is ours.
   * Idempotent; returns whether a PV now exists for the claim.
   */
  async provision(pod: Pod, claim: PersistentVolumeClaim): Promise<boolean> {
    if (claim.spec.volumeName || claim.status?.phase === "Bound") return false;
    const sc = claim.spec.storageClassName ? this.src.storageClass(claim.spec.storageClassName) : undefined;
    if (!sc || sc.provisioner !== LOCAL_PATH_PROVISIONER) return false;
    // Another node was chosen for this claim already: its volume lives there.
    const selected = claim.metadata.annotations?.[SELECTED_NODE];
    if (selected && selected !== this.nodeName) return false;
    const name = provisionedName(claim);
    if (this.src.volume(name)) return true;
    const path = join(this.volumeDir, `${name}_${claim.metadata.namespace}_${claim.metadata.name}`);
    await mkdir(path, { recursive: true, mode: 0o777 });
    try {
      await this.client.create("persistentvolumes", provisionedVolume(claim, sc, this.nodeName, path));
      this.log.info({ claim: `${claim.metadata.namespace}/${claim.metadata.name}`, pv: name, path, pod: pod.metadata.name }, "provisioned volume");
      this.recorder.record(claim, "Normal", "ProvisioningSucceeded", `Successfully provisioned volume ${name} on node ${this.nodeName}`);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return true;
  }
}
