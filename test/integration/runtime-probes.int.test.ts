// Probes, init containers and persistent volumes on real Docker: an HTTP liveness probe that
// starts failing restarts the container in time; readiness flips Ready both ways; an exec probe
// hanging past its timeout fails and its processes do not pile up; init containers run first;
// data on a PVC-backed volume outlives the pod, and a released PV is not handed out again.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { waitFor } from "@skiff/client";
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";
import { BUSYBOX as BB, execIn, podEvents, testPod as pod } from "../harness/pods.js";
import { GrpcNodeConnector } from "../../services/apiserver/src/nodes/grpc-connector.js";

const ready = (p: Pod) => p.status?.conditions?.find((c) => c.type === "Ready")?.status;

describe("probes, init containers, persistent volumes", () => {
  const cluster = new TestCluster({ nodes: 1 });
  let connector: GrpcNodeConnector;
  const get = (n: string) => cluster.client.get<Pod>("pods", n, "default");
  const exec = async (name: string, command: string[], container?: string) => execIn(connector, await get(name), command, container);
  const events = (name: string) => podEvents(cluster.client, name);

  beforeAll(async () => {
    await cluster.start();
    connector = new GrpcNodeConnector({ getNode: (n) => cluster.client.get<Node>("nodes", n), token: "", credentials: (n) => cluster.agentCredentials(n) });
  });
  afterAll(async () => {
    connector?.close();
    await cluster.stop();
  });

  it("an HTTP liveness probe that starts failing restarts the container within period × failureThreshold (+1 period)", async () => {
    await cluster.client.create(
      "pods",
      pod("live", {
        containers: [
          {
            name: "web",
            image: BB,
            command: ["sh", "-c", "mkdir -p /w && echo ok > /w/healthz && exec httpd -f -p 8080 -h /w"],
            ports: [{ name: "http", containerPort: 8080 }],
            livenessProbe: {
              httpGet: { path: "/healthz", port: "http", httpHeaders: [{ name: "X-Probe", value: "1" }] },
              periodSeconds: 2,
              failureThreshold: 2,
              timeoutSeconds: 1,
            },
          },
        ],
      }),
    );
    await waitFor(async () => (await get("live")).status?.phase === "Running", 60_000, "live Running");
    await new Promise((r) => setTimeout(r, 3000)); // a few healthy probes: no restart
    expect((await get("live")).status!.containerStatuses![0].restartCount).toBe(0);
    expect((await exec("live", ["rm", "/w/healthz"])).code).toBe(0);
    const t0 = Date.now();
    await waitFor(async () => (await get("live")).status!.containerStatuses![0].restartCount === 1, 30_000, "liveness restart");
    const took = Date.now() - t0;
    console.log(`liveness restart ${took} ms after the health path started failing (bound ${(2 * 2 + 2) * 1000} ms)`);
    // Detection within period × failureThreshold + 1 period; the stop itself is bounded by the 1 s grace.
    expect(took).toBeLessThanOrEqual((2 * 2 + 2) * 1000 + 2500);
    const ev = await events("live");
    expect(ev.some((e) => e.reason === "Unhealthy" && /Liveness probe failed: HTTP probe failed with statuscode: 404/.test(e.message ?? ""))).toBe(true);
    expect(ev.some((e) => e.reason === "Killing" && /failed liveness probe, will be restarted/.test(e.message ?? ""))).toBe(true);
    // The fresh container is healthy again (the command recreates the file).
    await new Promise((r) => setTimeout(r, 5000));
    expect((await get("live")).status!.containerStatuses![0].restartCount).toBe(1);
  });

  it("readiness flips Ready both ways; a hung exec probe fails at its timeout without piling up", async () => {
    await cluster.client.create(
      "pods",
      pod("ready", {
        containers: [
          {
            name: "main",
            image: BB,
            command: ["sleep", "3600"],
            readinessProbe: { exec: { command: ["cat", "/tmp/ready"] }, periodSeconds: 1, failureThreshold: 1 },
          },
        ],
      }),
    );
    await waitFor(async () => (await get("ready")).status?.phase === "Running", 60_000, "ready Running");
    await new Promise((r) => setTimeout(r, 2000));
    expect(ready(await get("ready"))).toBe("False");
    await exec("ready", ["touch", "/tmp/ready"]);
    await waitFor(async () => ready(await get("ready")) === "True", 15_000, "Ready=True");
    expect((await get("ready")).status!.containerStatuses![0].ready).toBe(true);
    await exec("ready", ["rm", "/tmp/ready"]);
    await waitFor(async () => ready(await get("ready")) === "False", 15_000, "Ready=False again");

    await cluster.client.create(
      "pods",
      pod("hung", {
        containers: [
          {
            name: "main",
            image: BB,
            command: ["sleep", "3600"],
            readinessProbe: { exec: { command: ["sleep", "1000"] }, periodSeconds: 1, timeoutSeconds: 1 },
          },
        ],
      }),
    );
    await waitFor(async () => (await get("hung")).status?.phase === "Running", 60_000, "hung Running");
    await waitFor(
      async () => (await events("hung")).some((e) => e.reason === "Unhealthy" && /Readiness probe failed: command timed out/.test(e.message ?? "")),
      20_000,
      "timed-out probe event",
    );
    await new Promise((r) => setTimeout(r, 5000));
    expect(ready(await get("hung"))).toBe("False");
    // Each timed-out probe is killed: at most the one in flight is alive.
    const ps = (await exec("hung", ["ps", "-o", "args"])).out.split("\n").filter((l) => l.trim() === "sleep 1000");
    expect(ps.length).toBeLessThanOrEqual(1);
  });

  it("init containers run in order to completion before the app; a failing one fails the pod under Never", async () => {
    await cluster.client.create(
      "pods",
      pod("inited", {
        volumes: [{ name: "work", emptyDir: {} }],
        initContainers: [
          { name: "one", image: BB, command: ["sh", "-c", "echo one >> /work/log"], volumeMounts: [{ name: "work", mountPath: "/work" }] },
          { name: "two", image: BB, command: ["sh", "-c", "sleep 1; echo two >> /work/log"], volumeMounts: [{ name: "work", mountPath: "/work" }] },
        ],
        containers: [
          { name: "app", image: BB, command: ["sh", "-c", "echo app >> /work/log; sleep 3600"], volumeMounts: [{ name: "work", mountPath: "/work" }] },
        ],
      }),
    );
    await waitFor(async () => (await get("inited")).status?.phase === "Running", 60_000, "inited Running");
    expect((await exec("inited", ["cat", "/work/log"])).out).toBe("one\ntwo\napp\n");
    const st = (await get("inited")).status!;
    expect(st.initContainerStatuses!.map((s) => [s.name, s.state.terminated?.reason, s.ready])).toEqual([
      ["one", "Completed", true],
      ["two", "Completed", true],
    ]);
    expect(st.conditions!.find((c) => c.type === "Initialized")!.status).toBe("True");

    await cluster.client.create(
      "pods",
      pod("badinit", {
        restartPolicy: "Never",
        initContainers: [{ name: "fail", image: BB, command: ["sh", "-c", "exit 2"] }],
        containers: [{ name: "app", image: BB, command: ["sleep", "3600"] }],
      }),
    );
    await waitFor(async () => (await get("badinit")).status?.phase === "Failed", 60_000, "badinit Failed");
    const b = (await get("badinit")).status!;
    expect(b.initContainerStatuses![0].state.terminated).toMatchObject({ exitCode: 2, reason: "Error" });
    expect(b.containerStatuses![0].state.waiting?.reason).toBe("PodInitializing");
    expect(cluster.containers({ "io.kubernetes.pod.name": "badinit", "io.skiff.kind": "container" })).toHaveLength(0);
  });

  it("data on a PVC-backed volume survives deleting and recreating the pod; a released PV is not rebound", async () => {
    const { client } = cluster;
    const dataDir = join(cluster.dir, "pv-data");
    mkdirSync(dataDir, { recursive: true });
    await client.create("persistentvolumes", {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "pv-a" },
      spec: { capacity: { storage: "1Gi" }, accessModes: ["ReadWriteOnce"], hostPath: { path: join(dataDir, "a") }, persistentVolumeReclaimPolicy: "Retain" },
    });
    await client.create("persistentvolumeclaims", {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data", namespace: "default" },
      spec: { storageClassName: "", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "512Mi" } } },
    });
    await waitFor(
      async () => (await client.get<PersistentVolumeClaim>("persistentvolumeclaims", "data", "default")).status?.phase === "Bound",
      30_000,
      "claim Bound",
    );
    expect((await client.get<PersistentVolumeClaim>("persistentvolumeclaims", "data", "default")).spec.volumeName).toBe("pv-a");
    expect((await client.get<PersistentVolume>("persistentvolumes", "pv-a")).status?.phase).toBe("Bound");

    const writer = pod("db", {
      volumes: [{ name: "d", persistentVolumeClaim: { claimName: "data" } }],
      containers: [
        {
          name: "main",
          image: BB,
          command: ["sh", "-c", "mkdir -p /data/sub && date >> /data/sub/stamps; sleep 3600"],
          volumeMounts: [{ name: "d", mountPath: "/data" }],
        },
      ],
    });
    await client.create("pods", writer);
    await waitFor(async () => (await get("db")).status?.phase === "Running", 60_000, "db Running");
    await waitFor(
      async () => (await exec("db", ["cat", "/data/sub/stamps"]).catch(() => ({ out: "" }))).out.split("\n").filter(Boolean).length === 1,
      10_000,
      "first stamp",
    );
    const first = (await exec("db", ["cat", "/data/sub/stamps"])).out;
    await client.delete("pods", "db", "default");
    await waitFor(
      async () => (await client.list<Pod>("pods", { namespace: "default", fieldSelector: "metadata.name=db" })).items.length === 0,
      30_000,
      "db gone",
    );
    await client.create("pods", writer);
    await waitFor(async () => (await get("db")).status?.phase === "Running", 60_000, "db Running again");
    await waitFor(async () => (await exec("db", ["cat", "/data/sub/stamps"])).out.split("\n").filter(Boolean).length === 2, 10_000, "second stamp");
    expect((await exec("db", ["cat", "/data/sub/stamps"])).out.startsWith(first)).toBe(true);

    // storageClassName "" opted out of the default (local-path) class: static PVs only.
    // Claim deleted: the Retain PV is Released and keeps its claimRef; a new claim stays Pending.
    await client.delete("pods", "db", "default", { gracePeriodSeconds: 0 });
    await client.delete("persistentvolumeclaims", "data", "default");
    await waitFor(async () => (await client.get<PersistentVolume>("persistentvolumes", "pv-a")).status?.phase === "Released", 30_000, "pv Released");
    await client.create("persistentvolumeclaims", {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data2", namespace: "default" },
      spec: { storageClassName: "", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "512Mi" } } },
    });
    await new Promise((r) => setTimeout(r, 3000));
    expect((await client.get<PersistentVolumeClaim>("persistentvolumeclaims", "data2", "default")).status?.phase).toBe("Pending");
    // A pod using a claim that is not bound waits in ContainerCreating with a FailedMount event.
    await client.create(
      "pods",
      pod("waits", {
        volumes: [{ name: "d", persistentVolumeClaim: { claimName: "data2" } }],
        containers: [{ name: "main", image: BB, command: ["sleep", "3600"], volumeMounts: [{ name: "d", mountPath: "/d" }] }],
      }),
    );
    await waitFor(
      async () => (await events("waits")).some((e) => e.reason === "FailedMount" && /persistentvolumeclaim "data2" is not bound yet/.test(e.message ?? "")),
      30_000,
      "FailedMount",
    );
    expect((await get("waits")).status?.containerStatuses?.[0].state.waiting?.reason).toBe("ContainerCreating");
  });
});
