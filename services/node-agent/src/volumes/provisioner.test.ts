import { describe, it, expect } from "vitest";
import { mkdtempSync, existsSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KObject, PersistentVolume, PersistentVolumeClaim, Pod, StorageClass } from "@skiff/api";
import { silentLogger } from "@skiff/log";
import type { ApiClient, EventRecorder } from "@skiff/client";
import { LocalPathProvisioner, provisionedVolume, SELECTED_NODE } from "./provisioner.js";
import { PROVISIONED_NODE } from "./reclaim.js";

const sc = (name: string, provisioner = "skiff.io/local-path"): StorageClass => ({
  apiVersion: "storage.k8s.io/v1",
  kind: "StorageClass",
  metadata: { name },
  provisioner,
  reclaimPolicy: "Delete",
  volumeBindingMode: "WaitForFirstConsumer",
});
const claim = (storageClassName?: string, annotations?: Record<string, string>): PersistentVolumeClaim => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name: "data", namespace: "ns1", uid: "abc-123", annotations },
  spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  status: { phase: "Pending" },
});
const pod = { metadata: { name: "p" } } as Pod;

function setup(pvs: PersistentVolume[] = []) {
  const dir = mkdtempSync(join(tmpdir(), "prov-"));
  const created: KObject[] = [];
  const client = {
    create: async (_r: string, o: KObject) => {
      created.push(o);
      return o;
    },
  } as unknown as ApiClient;
  const recorder = { record: () => undefined } as unknown as EventRecorder;
  const classes = [sc("local-path"), sc("other", "example.com/nfs")];
  const p = new LocalPathProvisioner(
    client,
    { storageClass: (n) => classes.find((c) => c.metadata.name === n), volume: (n) => pvs.find((v) => v.metadata.name === n) },
    recorder,
    dir,
    "node-a",
    silentLogger(),
  );
  return { p, dir, created, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe("local-path provisioner", () => {
  it("builds a hostPath PV pre-bound to the claim, pinned to the node, with the class's reclaim policy", () => {
    const pv = provisionedVolume(claim("local-path"), sc("local-path"), "node-a", "/v/x");
    expect(pv.metadata.name).toBe("pvc-abc-123");
    expect(pv.metadata.annotations?.[PROVISIONED_NODE]).toBe("node-a");
    expect(pv.spec).toMatchObject({
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Delete",
      storageClassName: "local-path",
      hostPath: { path: "/v/x" },
      claimRef: { namespace: "ns1", name: "data", uid: "abc-123" },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["node-a"] }] }] } },
    });
  });

  it("creates the directory and the PV for an unbound claim of its class", async () => {
    const { p, dir, created, done } = setup();
    expect(await p.provision(pod, claim("local-path"))).toBe(true);
    expect(created).toHaveLength(1);
    const path = (created[0] as PersistentVolume).spec.hostPath!.path;
    expect(path).toBe(join(dir, "pvc-abc-123_ns1_data"));
    expect(existsSync(path)).toBe(true);
    done();
  });

  it("leaves other classes, classless and bound claims, claims selected for another node, and existing PVs alone", async () => {
    const { p, created, done } = setup([{ apiVersion: "v1", kind: "PersistentVolume", metadata: { name: "pvc-abc-123" }, spec: {} }]);
    expect(await p.provision(pod, claim("other"))).toBe(false);
    expect(await p.provision(pod, claim(undefined))).toBe(false);
    expect(await p.provision(pod, claim(""))).toBe(false);
    expect(await p.provision(pod, { ...claim("local-path"), spec: { ...claim("local-path").spec, volumeName: "x" } })).toBe(false);
    expect(await p.provision(pod, claim("local-path", { [SELECTED_NODE]: "node-b" }))).toBe(false);
    expect(await p.provision(pod, claim("local-path"))).toBe(true); // its PV exists already
    expect(created).toHaveLength(0);
    done();
  });
});
