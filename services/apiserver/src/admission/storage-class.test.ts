import { describe, it, expect } from "vitest";
import { ResourceRegistry, type PersistentVolumeClaim, type StorageClass } from "@skiff/api";
import { defaultStorageClass, pickDefaultClass } from "./storage-class.js";
import type { AdmissionAttributes } from "./chain.js";

const sc = (name: string, isDefault: boolean, created: string): StorageClass => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  provisioner: "x",
  metadata: { name, creationTimestamp: created, ...(isDefault ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } : {}) },
});
const pvc = (storageClassName?: string): PersistentVolumeClaim => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "c" },
  spec: { storageClassName, accessModes: ["ReadWriteOnce"] },
});
const plugin = (classes: StorageClass[]) => defaultStorageClass(async () => classes);
const pvcs = new ResourceRegistry().find("persistentvolumeclaims")!;
/** Runs the plugin on the create of one claim, as the chain would. */
async function admit(classes: StorageClass[], claim: PersistentVolumeClaim): Promise<void> {
  const a: AdmissionAttributes = { operation: "CREATE", resource: pvcs, subresource: "", namespace: "default", name: "c", object: claim, dryRun: false };
  const p = plugin(classes);
  expect(p.handles(a)).toBe(true);
  await p.admit(a);
}

describe("default storage class", () => {
  it("picks the newest class marked default", () => {
    expect(
      pickDefaultClass([sc("a", true, "2024-01-01T00:00:00Z"), sc("b", true, "2024-02-01T00:00:00Z"), sc("c", false, "2024-03-01T00:00:00Z")])?.metadata.name,
    ).toBe("b");
    expect(pickDefaultClass([sc("c", false, "2024-03-01T00:00:00Z")])).toBeUndefined();
  });

  it("admission fills an absent storageClassName, keeps an explicit one and the empty opt-out", async () => {
    const classes = [sc("local-path", true, "2024-01-01T00:00:00Z")];
    const absent = pvc();
    await admit(classes, absent);
    expect(absent.spec.storageClassName).toBe("local-path");
    const empty = pvc("");
    await admit(classes, empty);
    expect(empty.spec.storageClassName).toBe("");
    const named = pvc("fast");
    await admit(classes, named);
    expect(named.spec.storageClassName).toBe("fast");
  });

  it("without a default class, claims keep no class", async () => {
    const none = pvc();
    await admit([sc("a", false, "2024-01-01T00:00:00Z")], none);
    expect(none.spec.storageClassName).toBeUndefined();
  });
});
