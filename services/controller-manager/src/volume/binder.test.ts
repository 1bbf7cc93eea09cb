import { describe, expect, it } from "vitest";
import type { PersistentVolume, PersistentVolumeClaim } from "@skiff/api";
import { matches, pickVolume } from "./binder.js";

const pv = (
  name: string,
  size: string,
  extra: Partial<PersistentVolume["spec"]> = {},
  phase: "Available" | "Released" | "Bound" = "Available",
): PersistentVolume => ({
  metadata: { name },
  spec: { capacity: { storage: size }, accessModes: ["ReadWriteOnce"], hostPath: { path: `/d/${name}` }, ...extra },
  status: { phase },
});
const pvc: PersistentVolumeClaim = {
  metadata: { name: "c", namespace: "ns", uid: "u1" },
  spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
};

describe("volume binder matching", () => {
  it("needs capacity, access modes and storage class", () => {
    expect(matches(pv("a", "1Gi"), pvc)).toBe(true);
    expect(matches(pv("a", "512Mi"), pvc)).toBe(false);
    expect(matches(pv("a", "2Gi", { accessModes: ["ReadOnlyMany"] }), pvc)).toBe(false);
    expect(matches(pv("a", "2Gi", { storageClassName: "fast" }), pvc)).toBe(false);
  });

  it("picks the smallest free match and never a Released or claimed volume", () => {
    const released = pv("rel", "1Gi", { claimRef: { namespace: "ns", name: "c", uid: "old" } }, "Released");
    const taken = pv("taken", "1Gi", { claimRef: { namespace: "ns", name: "other", uid: "u9" } }, "Bound");
    expect(pickVolume([pv("big", "10Gi"), released, taken, pv("small", "2Gi")], pvc)?.metadata.name).toBe("small");
    expect(pickVolume([released, taken], pvc)).toBeUndefined();
    // A volume pre-bound to this claim by name is taken even if a smaller one exists.
    expect(pickVolume([pv("small", "1Gi"), pv("mine", "5Gi", { claimRef: { namespace: "ns", name: "c" } })], pvc)?.metadata.name).toBe("small");
    expect(pickVolume([pv("x", "5Gi")], { ...pvc, spec: { ...pvc.spec, volumeName: "x" } })?.metadata.name).toBe("x");
  });
});
