// Unit tests of the split pod manager against the FakeRuntime: a fake informer (a Map), a fake
// API client that records status writes and deletions, a real VolumeManager in a temp dir.
import { afterEach, describe, expect, it, vi } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ContainerLabels as L, NotFoundError, objectKey, type KObject, type Pod, type PodStatus } from "@skiff/api";
import type { ApiClient, EventRecorder, Informer } from "@skiff/client";
import { silentLogger } from "@skiff/log";
import { FakeRuntime } from "../runtime/fake.js";
import type { Runtime } from "../runtime/runtime.js";
import { VolumeManager, type VolumeSources } from "../volumes/volumes.js";
import { ImagePuller } from "../images/puller.js";
import type { ImageRuntime } from "../images/runtime.js";
import { PodManager, type PodManagerOptions } from "./manager.js";
import { crashBackoff } from "./kuberuntime/backoff.js";
import { BACKOFF_STEP } from "./kuberuntime/labels.js";

interface Harness {
  runtime: FakeRuntime;
  manager: PodManager;
  pods: Map<string, Pod>;
  /** Status writes in order (the pod as sent). */
  writes: Pod[];
  deletes: { name: string; namespace?: string; opts: unknown }[];
  events: { reason: string; message: string; type: string }[];
  /** Applies the last status write to the informer's copy (as the watch would). */
  catchUp(): void;
  sync(p: Pod): Promise<void>;
}

const dirs: string[] = [];
const managers: PodManager[] = [];
afterEach(() => {
  for (const m of managers.splice(0)) m.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function harness(runtime = new FakeRuntime(), opts: Partial<PodManagerOptions> = {}): Harness {
  const pods = new Map<string, Pod>();
  const writes: Pod[] = [];
  const deletes: Harness["deletes"] = [];
  const events: Harness["events"] = [];
  let rv = 100;
  const informer = {
    get: (k: string) => pods.get(k),
    list: () => [...pods.values()],
    addHandlers: () => undefined,
    waitForSync: async () => undefined,
  } as unknown as Informer<Pod>;
  const client = {
    updateStatus: async (_r: string, p: Pod) => {
      if (![...pods.values()].some((x) => x.metadata.uid === p.metadata.uid)) throw new NotFoundError("pods", p.metadata.name!);
      writes.push(structuredClone(p));
      return p;
    },
    delete: async (_r: string, name: string, namespace: string | undefined, o: unknown) => {
      deletes.push({ name, namespace, opts: o });
      if (!pods.delete(`${namespace}/${name}`)) throw new NotFoundError("pods", name);
    },
  } as unknown as ApiClient;
  const recorder = {
    record: (_o: KObject, type: string, reason: string, message: string) => void events.push({ type, reason, message }),
  } as unknown as EventRecorder;
  const sources: VolumeSources = {
    configMap: () => undefined,
    secret: () => undefined,
    claim: () => undefined,
    volume: () => undefined,
    allocatable: { cpu: "4", memory: "8Gi" },
  };
  const dir = mkdtempSync(join(tmpdir(), "podmgr-"));
  dirs.push(dir);
  const log = silentLogger();
  const volumes = new VolumeManager(dir, sources, log);
  // The engine's images as the FakeRuntime (or a test's subclass) reports them.
  const engine: Runtime = runtime;
  const imageRuntime = {
    inspect: async (name: string) => ((await engine.imageExists(name)) ? { id: `sha256:${name}`, sizeBytes: 1 } : undefined),
    pull: (image: string) => engine.pull(image),
  } as unknown as ImageRuntime;
  const images = new ImagePuller(
    { images: imageRuntime, recorder, secret: () => undefined, log },
    { nodeName: "n1", backoffBaseMs: 10_000, backoffMaxMs: 300_000 },
  );
  const manager = new PodManager(
    { client, runtime, pods: informer, recorder, log, volumes, sources, images },
    {
      nodeName: "n1",
      clusterName: "c1",
      hostIP: "10.0.0.1",
      pauseImage: "skiff/pause:test",
      network: () => "skiff-pods",
      backoffBaseMs: 10_000,
      backoffMaxMs: 300_000,
      backoffResetMs: 600_000,
      resyncMs: 60_000,
      workers: 1,
      ...opts,
    },
  );
  managers.push(manager);
  return {
    runtime,
    manager,
    pods,
    writes,
    deletes,
    events,
    catchUp() {
      const last = writes.at(-1)!;
      const key = objectKey(last);
      const cur = pods.get(key)!;
      pods.set(key, { ...cur, metadata: { ...cur.metadata, resourceVersion: String(++rv) }, status: last.status });
    },
    sync: (p) => manager.reconcile(objectKey(p)),
  };
}

function pod(spec: Partial<Pod["spec"]> = {}, name = "web"): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: "1" },
    spec: { nodeName: "n1", containers: [{ name: "app", image: "nginx:1" }], ...spec },
  };
}

/** The runtime's containers of a kind ("sandbox", "container", "init"), oldest first. */
function ofKind(rt: FakeRuntime, kind: string) {
  return [...rt.containers.values()].filter((c) => c.labels[L.kind] === kind);
}

/** Lets a fake container exit as a crash would. */
function crash(rt: FakeRuntime, id: string, exitCode = 1, finishedAgoMs = 0): void {
  const c = rt.containers.get(id)!;
  c.state = "exited";
  c.exitCode = exitCode;
  c.finishedAt = new Date(Date.now() - finishedAgoMs).toISOString();
  c.startedAt = new Date(Date.now() - finishedAgoMs - 1000).toISOString();
}

const lastStatus = (h: Harness): PodStatus => h.writes.at(-1)!.status!;

describe("pod manager: starting a pod", () => {
  it("creates the sandbox first, then the containers in its network namespace, and reports Running", async () => {
    const h = harness();
    const p = pod({
      containers: [
        { name: "app", image: "nginx:1" },
        { name: "side", image: "busybox:1", command: ["sleep", "1d"] },
      ],
    });
    h.pods.set(objectKey(p), p);
    await h.sync(p);

    const [sandbox] = ofKind(h.runtime, "sandbox");
    const apps = ofKind(h.runtime, "container");
    expect(sandbox).toBeDefined();
    expect(sandbox.config).toMatchObject({ image: "skiff/pause:test", network: "skiff-pods", hostname: "web" });
    expect(apps.map((c) => c.labels[L.containerName])).toEqual(["app", "side"]);
    // Created after the sandbox, joined to it, running.
    for (const c of apps) {
      expect(c.id > sandbox.id).toBe(true);
      expect(c.config.sandboxId).toBe(sandbox.id);
      expect(c.state).toBe("running");
      expect(c.labels).toMatchObject({ [L.podUid]: "uid-web", [L.node]: "n1", [L.cluster]: "c1" });
    }
    expect(apps[1].config.command).toEqual(["sleep", "1d"]);
    expect(h.writes).toHaveLength(1);
    const s = lastStatus(h);
    expect(s.phase).toBe("Running");
    expect(s.podIP).toBe(sandbox.ip);
    expect(s.hostIP).toBe("10.0.0.1");
    expect(s.containerStatuses!.map((c) => [c.name, !!c.state.running, c.ready, c.restartCount])).toEqual([
      ["app", true, true, 0],
      ["side", true, true, 0],
    ]);
    expect(h.events.map((e) => e.reason)).toEqual(["Pulled", "Created", "Started", "Pulled", "Created", "Started"]);
  });

  it("keeps a paused pod's containers: a paused sandbox is alive, not dead", async () => {
    const h = harness();
    const p = pod();
    h.pods.set(objectKey(p), p);
    await h.sync(p);
    const before = [...h.runtime.containers.keys()];
    for (const c of h.runtime.containers.values()) c.state = "paused";
    await h.sync(p);
    expect([...h.runtime.containers.keys()]).toEqual(before);
    expect([...h.runtime.containers.values()].map((c) => c.state)).toEqual(["paused", "paused"]);
    expect(lastStatus(h).phase).toBe("Running");
  });

  it("runs init containers in order to completion before the app containers", async () => {
    const h = harness();
    const p = pod({
      initContainers: [
        { name: "one", image: "busybox:1" },
        { name: "two", image: "busybox:1" },
      ],
    });
    h.pods.set(objectKey(p), p);
    await h.sync(p);
    expect(ofKind(h.runtime, "init").map((c) => c.labels[L.containerName])).toEqual(["one"]);
    expect(ofKind(h.runtime, "container")).toHaveLength(0);
    expect(lastStatus(h)).toMatchObject({ phase: "Pending" });
    expect(lastStatus(h).containerStatuses![0].state.waiting?.reason).toBe("PodInitializing");

    crash(h.runtime, ofKind(h.runtime, "init")[0].id, 0);
    await h.sync(p);
    expect(ofKind(h.runtime, "init").map((c) => c.labels[L.containerName])).toEqual(["one", "two"]);
    expect(ofKind(h.runtime, "container")).toHaveLength(0);

    crash(h.runtime, ofKind(h.runtime, "init")[1].id, 0);
    await h.sync(p);
    expect(ofKind(h.runtime, "container").map((c) => c.state)).toEqual(["running"]);
    const s = lastStatus(h);
    expect(s.phase).toBe("Running");
    expect(s.initContainerStatuses!.map((c) => [c.name, c.state.terminated?.reason])).toEqual([
      ["one", "Completed"],
      ["two", "Completed"],
    ]);
  });
});

describe("pod manager: a new sandbox starting", () => {
  /** A runtime whose sandbox start waits until the test lets it go, recording the order of calls. */
  class SlowSandbox extends FakeRuntime {
    readonly calls: string[] = [];
    release: () => void = () => undefined;
    private readonly gate = new Promise<void>((r) => {
      this.release = r;
    });
    override async create(cfg: Parameters<FakeRuntime["create"]>[0]): Promise<string> {
      const id = await super.create(cfg);
      this.calls.push(`create ${cfg.labels[L.kind]}`);
      return id;
    }
    override async start(id: string): Promise<void> {
      const kind = this.containers.get(id)!.labels[L.kind];
      if (kind === "sandbox") await this.gate;
      await super.start(id);
      this.calls.push(`start ${kind}`);
    }
  }

  it("creates the app containers while the sandbox starts, and starts them only once it runs", async () => {
    const rt = new SlowSandbox();
    const h = harness(rt);
    const p = pod();
    h.pods.set(objectKey(p), p);
    const done = h.sync(p);
    await vi.waitFor(() => expect(rt.calls).toContain("create container"));
    expect(rt.calls).toEqual(["create sandbox", "create container"]);
    rt.release();
    await done;
    expect(rt.calls).toEqual(["create sandbox", "create container", "start sandbox", "start container"]);
    // One status write, with the IP the sandbox got.
    expect(h.writes).toHaveLength(1);
    expect(lastStatus(h)).toMatchObject({ phase: "Running", podIP: ofKind(rt, "sandbox")[0].ip });
  });

  it("creates a container whose env reads status.podIP only once the sandbox has its IP", async () => {
    const rt = new SlowSandbox();
    const h = harness(rt);
    const p = pod({ containers: [{ name: "app", image: "nginx:1", env: [{ name: "MY_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } }] }] });
    h.pods.set(objectKey(p), p);
    const done = h.sync(p);
    await new Promise((r) => setTimeout(r, 50));
    expect(rt.calls).toEqual(["create sandbox"]);
    rt.release();
    await done;
    const [app] = ofKind(rt, "container");
    expect(app.config.env).toContain(`MY_IP=${ofKind(rt, "sandbox")[0].ip}`);
  });
});

describe("pod manager: restarts", () => {
  it("restarts a crashed container at once, then waits in CrashLoopBackOff, then restarts after the delay", async () => {
    const h = harness();
    const p = pod();
    h.pods.set(objectKey(p), p);
    await h.sync(p);
    const first = ofKind(h.runtime, "container")[0];

    crash(h.runtime, first.id);
    await h.sync(p);
    const second = ofKind(h.runtime, "container").find((c) => c.id !== first.id)!;
    expect(second.state).toBe("running");
    expect(second.labels[BACKOFF_STEP]).toBe("1");
    expect(lastStatus(h).containerStatuses![0]).toMatchObject({ restartCount: 1, lastState: { terminated: { exitCode: 1, reason: "Error" } } });

    // The second crash right away: back-off of the base delay (10 s), no new instance.
    crash(h.runtime, second.id);
    await h.sync(p);
    expect(ofKind(h.runtime, "container")).toHaveLength(2);
    const waiting = lastStatus(h).containerStatuses![0];
    expect(waiting.state.waiting).toMatchObject({ reason: "CrashLoopBackOff" });
    expect(waiting.state.waiting!.message).toMatch(/^back-off 10s restarting failed container=app pod=web_default\(uid-web\)/);
    expect(waiting.restartCount).toBe(1);
    expect(h.events.filter((e) => e.reason === "BackOff")).toHaveLength(1);

    // Another pass inside the delay changes nothing and records no second BackOff.
    await h.sync(p);
    expect(ofKind(h.runtime, "container")).toHaveLength(2);
    expect(h.events.filter((e) => e.reason === "BackOff")).toHaveLength(1);

    // Once the delay has passed (the instance finished 11 s ago), the next instance starts; the oldest goes.
    crash(h.runtime, second.id, 1, 11_000);
    await h.sync(p);
    const now = ofKind(h.runtime, "container");
    expect(now.map((c) => c.id)).not.toContain(first.id);
    expect(now).toHaveLength(2);
    const third = now.find((c) => c.id !== second.id)!;
    expect(third.state).toBe("running");
    expect(third.labels[BACKOFF_STEP]).toBe("2");
    expect(lastStatus(h).containerStatuses![0]).toMatchObject({ restartCount: 2, state: { running: {} } });
  });

  it("does not restart a failed container under restartPolicy Never; the pod fails", async () => {
    const h = harness();
    const p = pod({ restartPolicy: "Never" });
    h.pods.set(objectKey(p), p);
    await h.sync(p);
    crash(h.runtime, ofKind(h.runtime, "container")[0].id, 3);
    await h.sync(p);
    expect(ofKind(h.runtime, "container")).toHaveLength(1);
    expect(lastStatus(h).phase).toBe("Failed");
    expect(lastStatus(h).containerStatuses![0].state.terminated).toMatchObject({ exitCode: 3 });
  });

  it("computes the back-off: immediate, base, doubling to the cap, reset after a long run", () => {
    const o = { backoffBaseMs: 10_000, backoffMaxMs: 40_000, backoffResetMs: 600_000 };
    const finished = (step: number, ranMs: number) => ({
      id: "x",
      name: "x",
      image: "i",
      imageId: "i",
      labels: { [BACKOFF_STEP]: String(step) },
      state: "exited" as const,
      exitCode: 1,
      oomKilled: false,
      error: "",
      createdAt: "2024-01-01T00:00:00Z",
      startedAt: new Date(Date.parse("2024-01-01T00:10:00Z") - ranMs).toISOString(),
      finishedAt: "2024-01-01T00:10:00Z",
    });
    expect([0, 1, 2, 3, 4, 5].map((s) => crashBackoff(finished(s, 1000), o).delayMs)).toEqual([0, 10_000, 20_000, 40_000, 40_000, 40_000]);
    expect(crashBackoff(finished(4, 600_000), o)).toMatchObject({ step: 0, delayMs: 0 });
    expect(crashBackoff(finished(1, 1000), o).readyAt).toBe(Date.parse("2024-01-01T00:10:10Z"));
  });
});

describe("pod manager: status writes", () => {
  it("does not write the status again when nothing changed, whether or not the informer caught up", async () => {
    const h = harness();
    const p = pod();
    h.pods.set(objectKey(p), p);
    // The second pass falls in the next second: a startTime taken anew would differ (CI once met it).
    vi.useFakeTimers({ toFake: ["Date"], now: Date.parse("2026-01-01T00:00:00.900Z") });
    try {
      await h.sync(p);
      expect(h.writes).toHaveLength(1);
      // The informer still holds the pod without status: the write is not repeated.
      vi.setSystemTime(Date.parse("2026-01-01T00:00:01.100Z"));
      await h.sync(p);
      expect(h.writes).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
    // The informer caught up.
    h.catchUp();
    await h.sync(p);
    await h.sync(p);
    expect(h.writes).toHaveLength(1);
    // A change (the container crashed and restarted) is written.
    crash(h.runtime, ofKind(h.runtime, "container")[0].id);
    await h.sync(p);
    expect(h.writes).toHaveLength(2);
    expect(lastStatus(h).containerStatuses![0].restartCount).toBe(1);
  });

  it("rewrites a status someone else changed", async () => {
    const h = harness();
    const p = pod();
    h.pods.set(objectKey(p), p);
    await h.sync(p);
    h.catchUp();
    const cur = h.pods.get(objectKey(p))!;
    h.pods.set(objectKey(p), { ...cur, metadata: { ...cur.metadata, resourceVersion: "999" }, status: { ...cur.status, phase: "Pending" } });
    await h.sync(p);
    expect(h.writes).toHaveLength(2);
    expect(lastStatus(h).phase).toBe("Running");
  });
});

describe("pod manager: deletion and eviction", () => {
  it("stops a deleted pod's containers, writes its final status once, removes them and finishes the deletion", async () => {
    const h = harness();
    const p = pod();
    h.pods.set(objectKey(p), p);
    await h.sync(p);
    h.catchUp();
    const cur = h.pods.get(objectKey(p))!;
    const deleting: Pod = {
      ...cur,
      metadata: { ...cur.metadata, resourceVersion: "500", deletionTimestamp: new Date().toISOString(), deletionGracePeriodSeconds: 30 },
    };
    h.pods.set(objectKey(p), deleting);
    // Keep the pod in the informer after the API deleted it (a lagging watch): a second pass must not write again.
    const keep = deleting;
    await h.sync(p);
    expect(h.runtime.containers.size).toBe(0);
    expect(h.writes).toHaveLength(2);
    const s = lastStatus(h);
    expect(s.containerStatuses![0]).toMatchObject({ ready: false, state: { terminated: { exitCode: 0, reason: "Completed" } } });
    expect(s.conditions!.find((c) => c.type === "Ready")!.status).toBe("False");
    expect(h.deletes).toEqual([{ name: "web", namespace: "default", opts: { gracePeriodSeconds: 0, preconditionUid: "uid-web" } }]);
    expect(h.events.some((e) => e.reason === "Killing" && e.message === "Stopping container app")).toBe(true);

    h.pods.set(objectKey(p), keep);
    await h.sync(p);
    expect(h.writes).toHaveLength(2);
    h.pods.delete(objectKey(p));
    await h.sync(p);
    expect(h.writes).toHaveLength(2);
    expect(h.runtime.containers.size).toBe(0);
  });

  it("removes the containers of a pod that is gone from the API without writing anything", async () => {
    const h = harness();
    const p = pod();
    h.pods.set(objectKey(p), p);
    await h.sync(p);
    h.pods.delete(objectKey(p));
    await h.sync(p);
    expect(h.runtime.containers.size).toBe(0);
    expect(h.writes).toHaveLength(1);
    expect(h.deletes).toHaveLength(0);
  });

  it("evicts a pod: containers stop, status Failed/Evicted written, the Evicted event once", async () => {
    const h = harness();
    const p = pod();
    h.pods.set(objectKey(p), p);
    await h.sync(p);
    h.catchUp();
    h.manager.evict(h.pods.get(objectKey(p))!, "emptyDir over its limit");
    await h.sync(p);
    await h.sync(p);
    expect([...h.runtime.containers.values()].every((c) => c.state === "exited")).toBe(true);
    expect(h.writes).toHaveLength(2);
    expect(lastStatus(h)).toMatchObject({ phase: "Failed", reason: "Evicted", message: "emptyDir over its limit" });
    expect(h.events.filter((e) => e.reason === "Evicted")).toHaveLength(1);
  });
});

describe("pod manager: images", () => {
  class NoImages extends FakeRuntime {
    pulls: string[] = [];
    override async imageExists(image?: string): Promise<boolean> {
      return image === "skiff/pause:test";
    }
    override async pull(image?: string): Promise<void> {
      this.pulls.push(image!);
      throw new Error("manifest for nope:1 not found");
    }
  }

  it("reports ErrImagePull after a failed pull, then ImagePullBackOff without pulling again until the back-off passes", async () => {
    const rt = new NoImages();
    const h = harness(rt);
    const p = pod({ containers: [{ name: "app", image: "nope:1" }] });
    h.pods.set(objectKey(p), p);
    await h.sync(p);
    expect(rt.pulls).toEqual(["nope:1"]);
    expect(ofKind(rt, "container")).toHaveLength(0);
    const pullError = lastStatus(h).containerStatuses![0].state.waiting!;
    expect(pullError.reason).toBe("ErrImagePull");
    expect(pullError.message).toMatch(/^failed to pull image "nope:1" on node n1: manifest for nope:1 not found/);
    expect(h.events.find((e) => e.reason === "Failed")!.message).toBe(`Failed to pull image "nope:1": ${pullError.message}`);

    await h.sync(p);
    expect(rt.pulls).toEqual(["nope:1"]);
    expect(lastStatus(h).containerStatuses![0].state.waiting).toEqual({
      reason: "ImagePullBackOff",
      message: `Back-off pulling image "nope:1": ErrImagePull: ${pullError.message}`,
    });
    expect(lastStatus(h).phase).toBe("Pending");
  });

  it("reports ErrImageNeverPull for a missing image with pull policy Never, without pulling", async () => {
    const rt = new NoImages();
    const h = harness(rt);
    const p = pod({ containers: [{ name: "app", image: "local:1", imagePullPolicy: "Never" }] });
    h.pods.set(objectKey(p), p);
    await h.sync(p);
    expect(rt.pulls).toEqual([]);
    expect(lastStatus(h).containerStatuses![0].state.waiting?.reason).toBe("ErrImageNeverPull");
  });
});
