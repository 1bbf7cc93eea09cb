import { describe, it, expect } from "vitest";
import type { KObject, PersistentVolumeClaim, StorageClass } from "@skiff/api";
import type { Registry } from "../registry/registry.js";
import { defaultStorageClassHooks, pickDefaultClass } from "./storage-class.js";

const sc = (name: string, isDefault: boolean, created: string): StorageClass => ({
  apiVersion: "storage.k8s.io/v1", kind: "StorageClass", provisioner: "x",
  metadata: { name, creationTimestamp: created, ...(isDefault ? { annotations: { "storageclass.kubernetes.io/is-default-class": "true" } } : {}) },
});
const pvc = (storageClassName?: string): PersistentVolumeClaim => ({ apiVersion: "v1", kind: "PersistentVolumeClaim", metadata: { name: "c" }, spec: { storageClassName, accessModes: ["ReadWriteOnce"] } });
const registry = (classes: StorageClass[]) => ({ list: async () => ({ items: classes as KObject[], resourceVersion: "1", continueToken: "" }) }) as unknown as Registry;

describe("default storage class", () => {
  it("picks the newest class marked default", () => {
    expect(pickDefaultClass([sc("a", true, "2024-01-01T00:00:00Z"), sc("b", true, "2024-02-01T00:00:00Z"), sc("c", false, "2024-03-01T00:00:00Z")])?.metadata.name).toBe("b");
    expect(pickDefaultClass([sc("c", false, "2024-03-01T00:00:00Z")])).toBeUndefined();
  });

  it("admission fills an absent storageClassName, keeps an explicit one and the empty opt-out", async () => {
    const hooks = defaultStorageClassHooks(registry([sc("local-path", true, "2024-01-01T00:00:00Z")]));
    const absent = pvc();
    await hooks.beforeCreate!(absent);
    expect(absent.spec.storageClassName).toBe("local-path");
    const empty = pvc("");
    await hooks.beforeCreate!(empty);
    expect(empty.spec.storageClassName).toBe("");
    const named = pvc("fast");
    await hooks.beforeCreate!(named);
    expect(named.spec.storageClassName).toBe("fast");
  });

  it("without a default class, claims keep no class", async () => {
    const none = pvc();
    await defaultStorageClassHooks(registry([sc("a", false, "2024-01-01T00:00:00Z")])).beforeCreate!(none);
    expect(none.spec.storageClassName).toBeUndefined();
  });
});
