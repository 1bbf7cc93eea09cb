// Storage and resources on real Docker: the default local-path StorageClass provisions a
// node-local PV for a claim when its first pod is scheduled, the scheduler keeps later pods on
// that PV's node, and reclaim policy Delete removes the PV and its data; a disk emptyDir past its
// sizeLimit gets the pod evicted; QoS classes and the engine's cgroup settings agree, and the
// scheduler fits pods against allocatable (capacity − reserved), not capacity.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "@skiff/client";
import { cpuToMilli, type Node, type PersistentVolume, type PersistentVolumeClaim, type Pod, type StorageClass } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";
import { BUSYBOX as BB, podEvents, testPod as pod } from "../harness/pods.js";

describe("dynamic provisioning, emptyDir eviction, QoS and allocatable", () => {
  const cluster = new TestCluster({ nodes: 2 });
  const get = (n: string) => cluster.client.get<Pod>("pods", n, "default");
  const events = (name: string) => podEvents(cluster.client, name);
  const gone = (resource: string, name: string, ns?: string) => async () => {
    try {
      await cluster.client.get(resource, name, ns);
      return false;
    } catch {
      return true;
    }
  };

  beforeAll(async () => {
    await cluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("a claim of the default class is provisioned on its first pod's node, pins later pods there, and is deleted with its data", async () => {
    const { client } = cluster;
    const sc = await client.get<StorageClass>("storageclasses", "local-path");
    expect(sc).toMatchObject({ provisioner: "skiff.io/local-path", reclaimPolicy: "Delete", volumeBindingMode: "WaitForFirstConsumer" });
    expect(sc.metadata.annotations?.["storageclass.kubernetes.io/is-default-class"]).toBe("true");

    // PVC defaulting: no storageClassName → the default class.
    await client.create("persistentvolumeclaims", {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "auto", namespace: "default" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "64Mi" } } },
    });
    const claim = await client.get<PersistentVolumeClaim>("persistentvolumeclaims", "auto", "default");
    expect(claim.spec.storageClassName).toBe("local-path");
    // WaitForFirstConsumer: nothing is provisioned before a pod uses the claim.
    await new Promise((r) => setTimeout(r, 2000));
    expect((await client.get<PersistentVolumeClaim>("persistentvolumeclaims", "auto", "default")).status?.phase).toBe("Pending");
    expect((await client.list<PersistentVolume>("persistentvolumes")).items).toHaveLength(0);

    // The writer asks for more cpu, so without the volume's node affinity the reader would go to the other node.
    await client.create(
      "pods",
      pod("writer", {
        volumes: [{ name: "d", persistentVolumeClaim: { claimName: "auto" } }],
        containers: [
          {
            name: "main",
            image: BB,
            command: ["sh", "-c", "echo hello > /data/f; sleep 3600"],
            volumeMounts: [{ name: "d", mountPath: "/data" }],
            resources: { requests: { cpu: "300m" } },
          },
        ],
      }),
    );
    await waitFor(async () => (await get("writer")).status?.phase === "Running", 90_000, "writer Running");
    const bound = await client.get<PersistentVolumeClaim>("persistentvolumeclaims", "auto", "default");
    expect(bound.status?.phase).toBe("Bound");
    const pvName = bound.spec.volumeName!;
    expect(pvName).toBe(`pvc-${claim.metadata.uid}`);
    const pv = await client.get<PersistentVolume>("persistentvolumes", pvName);
    const node = (await get("writer")).spec.nodeName!;
    expect(pv.status?.phase).toBe("Bound");
    expect(pv.spec.persistentVolumeReclaimPolicy).toBe("Delete");
    expect(pv.spec.storageClassName).toBe("local-path");
    expect(pv.spec.nodeAffinity?.required?.nodeSelectorTerms[0].matchExpressions?.[0]).toEqual({
      key: "kubernetes.io/hostname",
      operator: "In",
      values: [node],
    });
    const path = pv.spec.hostPath!.path;
    expect(path.startsWith(join(cluster.dir, `root-${node}`, "volumes") + "/")).toBe(true);
    await waitFor(() => existsSync(join(path, "f")), 10_000, "data file on the host");
    expect(readFileSync(join(path, "f"), "utf8")).toBe("hello\n");
    expect((await events("auto")).some((e) => e.reason === "ProvisioningSucceeded")).toBe(true);

    await client.create(
      "pods",
      pod("reader", {
        volumes: [{ name: "d", persistentVolumeClaim: { claimName: "auto" } }],
        containers: [{ name: "main", image: BB, command: ["sh", "-c", "cat /data/f; sleep 3600"], volumeMounts: [{ name: "d", mountPath: "/data" }] }],
      }),
    );
    await waitFor(async () => (await get("reader")).status?.phase === "Running", 60_000, "reader Running");
    expect((await get("reader")).spec.nodeName).toBe(node);

    // Pods, then the claim: the PV is Released, and policy Delete removes its data and the object.
    await client.delete("pods", "writer", "default", { gracePeriodSeconds: 0 });
    await client.delete("pods", "reader", "default", { gracePeriodSeconds: 0 });
    await waitFor(async () => (await client.list<Pod>("pods", { namespace: "default" })).items.length === 0, 30_000, "pods gone");
    await client.delete("persistentvolumeclaims", "auto", "default");
    await waitFor(gone("persistentvolumes", pvName), 30_000, "provisioned PV deleted");
    expect(existsSync(path)).toBe(false);
  });

  it("a pod whose disk emptyDir grows past its sizeLimit is evicted; one within its limit keeps running", async () => {
    const { client } = cluster;
    const filler = (name: string, limit: string, kib: number) =>
      pod(name, {
        volumes: [{ name: "scratch", emptyDir: { sizeLimit: limit } }],
        containers: [
          {
            name: "main",
            image: BB,
            command: ["sh", "-c", `sleep 1; dd if=/dev/zero of=/scratch/fill bs=1024 count=${kib}; sleep 3600`],
            volumeMounts: [{ name: "scratch", mountPath: "/scratch" }],
          },
        ],
      });
    await client.create("pods", filler("hog", "1Mi", 3072));
    await client.create("pods", filler("modest", "8Mi", 1024));
    await waitFor(async () => (await get("hog")).status?.phase === "Failed", 60_000, "hog evicted");
    const st = (await get("hog")).status!;
    expect(st.reason).toBe("Evicted");
    expect(st.message).toBe('Usage of EmptyDir volume "scratch" exceeds the limit "1Mi".');
    expect(st.conditions?.find((c) => c.type === "Ready")?.status).toBe("False");
    expect(st.conditions?.find((c) => c.type === "DisruptionTarget")).toMatchObject({ status: "True", reason: "TerminationByKubelet" });
    expect(st.containerStatuses![0].state.terminated).toBeDefined();
    expect((await events("hog")).some((e) => e.reason === "Evicted" && e.type === "Warning")).toBe(true);
    await waitFor(
      () => cluster.containers({ "io.kubernetes.pod.name": "hog", "io.skiff.kind": "container" }).every((c) => c.state !== "running"),
      20_000,
      "hog's container stopped",
    );
    // Evicted pods are not restarted.
    await new Promise((r) => setTimeout(r, 3000));
    expect(cluster.containers({ "io.kubernetes.pod.name": "hog", "io.skiff.kind": "container" }).filter((c) => c.state === "running")).toHaveLength(0);
    expect((await get("hog")).status?.phase).toBe("Failed");
    // The modest pod was measured several times over those seconds and stayed.
    const m = await get("modest");
    expect(m.status?.phase).toBe("Running");
    expect(m.status?.containerStatuses?.[0].restartCount).toBe(0);
  });

  it("QoS classes match the engine's cgroup settings; the scheduler fits against allocatable = capacity − reserved", async () => {
    const { client } = cluster;
    await client.create(
      "pods",
      pod("qos-guaranteed", {
        containers: [
          {
            name: "main",
            image: BB,
            command: ["sleep", "3600"],
            resources: { requests: { cpu: "200m", memory: "64Mi" }, limits: { cpu: "200m", memory: "64Mi" } },
          },
        ],
      }),
    );
    await client.create(
      "pods",
      pod("qos-burstable", {
        containers: [
          { name: "main", image: BB, command: ["sleep", "3600"], resources: { requests: { cpu: "100m", memory: "32Mi" }, limits: { memory: "128Mi" } } },
        ],
      }),
    );
    await client.create("pods", pod("qos-besteffort", { containers: [{ name: "main", image: BB, command: ["sleep", "3600"] }] }));
    const hostConfig = (name: string) => {
      const [c] = cluster.containers({ "io.kubernetes.pod.name": name, "io.skiff.kind": "container" });
      return JSON.parse(execFileSync("docker", ["inspect", "--format", "{{json .HostConfig}}", c.id], { encoding: "utf8" })) as {
        CpuShares: number;
        NanoCpus: number;
        Memory: number;
      };
    };
    const expected: Record<string, [string, number, number, number]> = {
      // qosClass, CpuShares (request m × 1024 / 1000, at least 2), NanoCpus (limit), Memory (limit)
      "qos-guaranteed": ["Guaranteed", 204, 200_000_000, 64 * 1024 * 1024],
      "qos-burstable": ["Burstable", 102, 0, 128 * 1024 * 1024],
      "qos-besteffort": ["BestEffort", 2, 0, 0],
    };
    for (const [name, [qos, shares, nano, mem]] of Object.entries(expected)) {
      await waitFor(async () => (await get(name)).status?.phase === "Running", 60_000, `${name} Running`);
      expect((await get(name)).status?.qosClass).toBe(qos);
      expect(hostConfig(name)).toMatchObject({ CpuShares: shares, NanoCpus: nano, Memory: mem });
    }

    const n = await client.get<Node>("nodes", cluster.nodeName(0));
    const cap = cpuToMilli(n.status!.capacity!.cpu!);
    expect(cpuToMilli(n.status!.allocatable!.cpu!)).toBe(cap - 100); // --reserved-cpu default 100m
    // Requesting the whole capacity: allocatable is smaller on every node, so it fits nowhere.
    await client.create(
      "pods",
      pod("too-big", { containers: [{ name: "main", image: BB, command: ["sleep", "3600"], resources: { requests: { cpu: n.status!.capacity!.cpu! } } }] }),
    );
    await waitFor(async () => (await events("too-big")).some((e) => e.reason === "FailedScheduling"), 30_000, "FailedScheduling");
    const ev = (await events("too-big")).find((e) => e.reason === "FailedScheduling")!;
    expect(ev.message).toMatch(/0\/2 nodes are available: .*Insufficient cpu/);
    const p = await get("too-big");
    expect(p.spec.nodeName).toBeUndefined();
    expect(p.status?.conditions?.find((c) => c.type === "PodScheduled")).toMatchObject({ status: "False", reason: "Unschedulable" });
  });
});
