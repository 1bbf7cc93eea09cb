// StatefulSet on the real stack and Docker: pods are created in ordinal order (each Ready before
// the next), a deleted pod comes back with the same name and the same claim (its data kept on
// the hostPath PV), and a rolling update with partition 1 replaces web-2 then web-1 only.
import { execFile, execFileSync } from "node:child_process";
import { promisify } from "node:util";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { PersistentVolume, PersistentVolumeClaim, Pod, StatefulSet } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

const IMAGE_B = "skiff/busybox:1.35-sts";
const run = promisify(execFile);

describe("StatefulSet", () => {
  const cluster = new TestCluster({ nodes: 1 });
  beforeAll(async () => {
    execFileSync("docker", ["tag", "skiff/busybox:1.35", IMAGE_B]);
    await cluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
    execFileSync("docker", ["rmi", IMAGE_B], { stdio: "ignore" });
  });

  const getPod = (name: string) => cluster.client.get<Pod>("pods", name, "default").catch(() => undefined);
  const readyAt = (p: Pod | undefined) => p?.status?.conditions?.find((c) => c.type === "Ready" && c.status === "True")?.lastTransitionTime;

  it("creates pods in order with stable names and claims, recreates a deleted pod with its claim, rolls above the partition", async () => {
    const { client } = cluster;
    const dataDir = join(cluster.dir, "pvs");
    for (let i = 0; i < 3; i++) {
      mkdirSync(join(dataDir, `pv${i}`), { recursive: true });
      await client.create("persistentvolumes", {
        apiVersion: "v1",
        kind: "PersistentVolume",
        metadata: { name: `pv${i}` },
        spec: {
          capacity: { storage: "1Gi" },
          accessModes: ["ReadWriteOnce"],
          hostPath: { path: join(dataDir, `pv${i}`) },
          persistentVolumeReclaimPolicy: "Retain",
        },
      });
    }
    await client.create("services", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "nginx", namespace: "default" },
      spec: { clusterIP: "None", selector: { app: "web" }, ports: [{ port: 80 }] },
    });
    const set: StatefulSet = {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 3,
        serviceName: "nginx",
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          spec: {
            terminationGracePeriodSeconds: 2,
            containers: [
              {
                name: "main",
                image: "skiff/busybox:1.35",
                command: ["sh", "-c", "hostname >> /data/log; trap 'exit 0' TERM; sleep 3600 & wait"],
                volumeMounts: [{ name: "data", mountPath: "/data" }],
              },
            ],
          },
        },
        volumeClaimTemplates: [{ metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Mi" } } } }],
      },
    };
    await client.create("statefulsets", set);
    // The real kubectl follows the ordered start through the status fields it reads.
    const kubectl = async (...args: string[]) =>
      (await run("kubectl", ["--kubeconfig", await cluster.kubeconfigPath(), "-n", "default", ...args], { timeout: 150_000 })).stdout;
    expect(await kubectl("rollout", "status", "statefulset/web", "--timeout=140s")).toContain("partitioned roll out complete: 3 new pods have been updated"); // partition defaults to 0, as in Kubernetes
    await waitFor(async () => (await client.get<StatefulSet>("statefulsets", "web", "default")).status?.readyReplicas === 3, 120_000, "3 ready replicas");
    const pods = await Promise.all(["web-0", "web-1", "web-2"].map(getPod));
    // Ordered: each pod was created only after the previous one was Ready.
    for (let i = 1; i < 3; i++) {
      expect(Date.parse(pods[i]!.metadata.creationTimestamp!)).toBeGreaterThanOrEqual(Date.parse(readyAt(pods[i - 1])!));
    }
    expect(pods.map((p) => [p!.spec.hostname, p!.spec.subdomain])).toEqual([
      ["web-0", "nginx"],
      ["web-1", "nginx"],
      ["web-2", "nginx"],
    ]);
    // The headless service's endpoints carry each pod's hostname (what DNS serves as web-N.nginx.default.svc).
    await waitFor(
      async () => {
        const ep = await client.get<{ subsets?: { addresses?: { hostname?: string }[] }[] } & Pod>("endpoints", "nginx", "default").catch(() => undefined);
        return (
          JSON.stringify(
            (ep?.subsets ?? [])
              .flatMap((x) => x.addresses ?? [])
              .map((a) => a.hostname)
              .sort(),
          ) === JSON.stringify(["web-0", "web-1", "web-2"])
        );
      },
      30_000,
      "endpoints of nginx with hostnames web-0..2",
    );
    const claims = (await client.list<PersistentVolumeClaim>("persistentvolumeclaims", { namespace: "default" })).items;
    expect(claims.map((c) => c.metadata.name).sort()).toEqual(["data-web-0", "data-web-1", "data-web-2"]);
    expect(claims.every((c) => c.status?.phase === "Bound")).toBe(true);
    const claim1 = claims.find((c) => c.metadata.name === "data-web-1")!;
    const pv1 = await client.get<PersistentVolume>("persistentvolumes", claim1.spec.volumeName!);
    const log1 = join(pv1.spec.hostPath!.path, "log");
    expect(readFileSync(log1, "utf8")).toBe("web-1\n");

    // Delete web-1: it comes back under the same name, mounts the same claim, and finds its data.
    const uid = pods[1]!.metadata.uid;
    await client.delete("pods", "web-1", "default");
    await waitFor(
      async () => {
        const p = await getPod("web-1");
        return !!p && p.metadata.uid !== uid && !!readyAt(p);
      },
      90_000,
      "web-1 recreated and ready",
    );
    const again = (await getPod("web-1"))!;
    expect(
      (again.spec.volumes as { persistentVolumeClaim?: { claimName: string } }[]).find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName,
    ).toBe("data-web-1");
    expect((await client.get<PersistentVolumeClaim>("persistentvolumeclaims", "data-web-1", "default")).metadata.uid).toBe(claim1.metadata.uid);
    await waitFor(() => readFileSync(log1, "utf8") === "web-1\nweb-1\n", 20_000, "second start of web-1 logged on the same volume");

    // Rolling update with partition 1: web-2 then web-1 move to the new image; web-0 stays.
    const before = await client.get<StatefulSet>("statefulsets", "web", "default");
    const rev1 = before.status!.currentRevision!;
    before.spec.updateStrategy = { type: "RollingUpdate", rollingUpdate: { partition: 1 } };
    before.spec.template.spec.containers[0].image = IMAGE_B;
    await client.update("statefulsets", before);
    await waitFor(
      async () => {
        const s = await client.get<StatefulSet>("statefulsets", "web", "default");
        return s.status?.updatedReplicas === 2 && s.status.readyReplicas === 3;
      },
      120_000,
      "two pods updated and all ready",
    );
    expect(await kubectl("rollout", "status", "statefulset/web", "--timeout=60s")).toContain("partitioned roll out complete: 2 new pods have been updated");
    const after = await Promise.all(["web-0", "web-1", "web-2"].map(getPod));
    expect(after.map((p) => p!.spec.containers[0].image)).toEqual(["skiff/busybox:1.35", IMAGE_B, IMAGE_B]);
    expect(after[0]!.metadata.uid).toBe(pods[0]!.metadata.uid);
    // Reverse order: web-1 was replaced only after the new web-2 was Ready.
    expect(Date.parse(after[1]!.metadata.creationTimestamp!)).toBeGreaterThanOrEqual(Date.parse(readyAt(after[2])!));
    const s = await client.get<StatefulSet>("statefulsets", "web", "default");
    expect(s.status).toMatchObject({ replicas: 3, currentReplicas: 1, updatedReplicas: 2, currentRevision: rev1 });
    expect(s.status!.updateRevision).not.toBe(rev1);
    expect(after[1]!.metadata.labels?.["controller-revision-hash"]).toBe(s.status!.updateRevision);
    expect(after[0]!.metadata.labels?.["controller-revision-hash"]).toBe(rev1);
    const revs = (await client.list<{ metadata: { name: string }; revision: number } & Pod>("controllerrevisions", { namespace: "default" })).items;
    expect(revs.map((r) => r.revision).sort()).toEqual([1, 2]);
  });
});
