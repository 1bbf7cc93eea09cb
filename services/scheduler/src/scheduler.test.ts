import { describe, it, expect, afterEach } from "vitest";
import { ConflictError, NotFoundError, objectKey, type Event, type KObject, type Pod } from "@skiff/api";
import { waitFor, type ApiClient, type WatchEventOf } from "@skiff/client";
import { silentLogger } from "@skiff/log";
import { Scheduler } from "./scheduler.js";
import { Framework } from "./framework/framework.js";
import { unschedulable, success, type FilterPlugin } from "./framework/types.js";
import { defaultFilterPlugins, defaultScorePlugins } from "./plugins/index.js";
import { makeNode, makePod } from "./testing.js";

type Watcher = (e: WatchEventOf) => void;

/** An in-memory apiserver with just what the scheduler calls (list, watch, bind, updateStatus, events). */
class FakeApi {
  private rv = 1;
  readonly objects = new Map<string, Map<string, KObject>>([
    ["pods", new Map()],
    ["nodes", new Map()],
    ["events", new Map()],
    ["persistentvolumeclaims", new Map()],
    ["persistentvolumes", new Map()],
    ["namespaces", new Map()],
  ]);
  private readonly watchers = new Map<string, Set<Watcher>>([
    ["pods", new Set()],
    ["nodes", new Set()],
    ["persistentvolumeclaims", new Set()],
    ["persistentvolumes", new Set()],
    ["namespaces", new Set()],
  ]);
  readonly binds: { key: string; node: string }[] = [];
  /** When set, bind throws this instead of binding. */
  bindError?: Error;
  /** When true, bind does not send the watch event (the informer lags behind). */
  holdBindEvents = false;
  private held: (() => void)[] = [];

  put(resource: string, obj: KObject, type: "ADDED" | "MODIFIED" = "ADDED"): void {
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects.get(resource)!.set(objectKey(obj), obj);
    for (const w of this.watchers.get(resource) ?? []) w({ type, object: structuredClone(obj) });
  }

  remove(resource: string, key: string): void {
    const obj = this.objects.get(resource)!.get(key)!;
    this.objects.get(resource)!.delete(key);
    obj.metadata.resourceVersion = String(++this.rv);
    for (const w of this.watchers.get(resource) ?? []) w({ type: "DELETED", object: obj });
  }

  releaseHeld(): void {
    for (const f of this.held.splice(0)) f();
  }

  pod(key: string): Pod {
    return this.objects.get("pods")!.get(key) as Pod;
  }

  events(): Event[] {
    return [...this.objects.get("events")!.values()] as Event[];
  }

  readonly client = {
    list: async (resource: string) => ({
      items: [...this.objects.get(resource)!.values()].map((o) => structuredClone(o)),
      resourceVersion: String(this.rv),
      continueToken: "",
    }),
    watch: (resource: string, _opts: unknown, onEvent: Watcher) => {
      this.watchers.get(resource)!.add(onEvent);
      return { stop: () => this.watchers.get(resource)!.delete(onEvent) };
    },
    bind: async (ns: string, name: string, node: string, uid?: string) => {
      const key = `${ns}/${name}`;
      if (this.bindError) throw this.bindError;
      const pod = this.pod(key);
      if (!pod) throw new NotFoundError("pods", name);
      if (pod.spec.nodeName || (uid && uid !== pod.metadata.uid)) throw new ConflictError("pods", name, "pod is already bound");
      this.binds.push({ key, node });
      const bound = structuredClone(pod);
      bound.spec.nodeName = node;
      if (this.holdBindEvents) {
        this.objects.get("pods")!.set(key, bound);
        this.held.push(() => this.put("pods", bound, "MODIFIED"));
      } else this.put("pods", bound, "MODIFIED");
      return bound;
    },
    updateStatus: async (_resource: string, obj: KObject) => {
      const cur = this.objects.get("pods")!.get(objectKey(obj));
      if (!cur) throw new NotFoundError("pods", obj.metadata.name ?? "");
      if (cur.metadata.resourceVersion !== obj.metadata.resourceVersion) throw new ConflictError("pods", obj.metadata.name ?? "");
      const next = { ...structuredClone(cur), status: structuredClone(obj.status) };
      this.put("pods", next, "MODIFIED");
      return next;
    },
    create: async (resource: string, obj: KObject) => {
      this.put(resource, structuredClone(obj));
      return obj;
    },
    get: async (resource: string, name: string, namespace?: string) => {
      const o = this.objects.get(resource)!.get(namespace ? `${namespace}/${name}` : name);
      if (!o) throw new NotFoundError(resource, name);
      return structuredClone(o);
    },
    update: async (resource: string, obj: KObject) => {
      this.put(resource, structuredClone(obj), "MODIFIED");
      return obj;
    },
  };
}

let running: Scheduler | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

async function startScheduler(api: FakeApi, opts: { retryIntervalMs?: number; framework?: Framework } = {}): Promise<Scheduler> {
  running = new Scheduler({
    client: api.client as unknown as ApiClient,
    schedulerName: "default-scheduler",
    retryIntervalMs: opts.retryIntervalMs ?? 60_000,
    log: silentLogger(),
    framework: opts.framework,
    backoff: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  await running.start();
  return running;
}

const nodeOf = (api: FakeApi, key: string) => api.pod(key)?.spec.nodeName;

describe("Scheduler", () => {
  it("binds a pending pod and records a Scheduled event", async () => {
    const api = new FakeApi();
    api.put("nodes", makeNode({ name: "node-a" }));
    api.put("pods", makePod({ name: "web-1" }));
    await startScheduler(api);
    await waitFor(() => nodeOf(api, "default/web-1") === "node-a", 2000, "pod bound");
    const ev = await waitFor(() => api.events().find((e) => e.reason === "Scheduled"), 2000, "Scheduled event");
    expect(ev).toMatchObject({
      type: "Normal",
      message: "Successfully assigned default/web-1 to node-a",
      involvedObject: { kind: "Pod", name: "web-1", namespace: "default" },
      source: { component: "default-scheduler" },
    });
  });

  it("ignores pods of other schedulers, bound pods and terminating pods", async () => {
    const api = new FakeApi();
    api.put("nodes", makeNode({ name: "node-a" }));
    api.put("pods", makePod({ name: "other", schedulerName: "my-scheduler" }));
    const terminating = makePod({ name: "going" });
    terminating.metadata.deletionTimestamp = "2024-01-01T00:00:00Z";
    api.put("pods", terminating);
    api.put("pods", makePod({ name: "placed", nodeName: "node-a", phase: "Running" }));
    api.put("pods", makePod({ name: "mine" }));
    await startScheduler(api);
    await waitFor(() => nodeOf(api, "default/mine"), 2000, "own pod bound");
    await new Promise((r) => setTimeout(r, 50));
    expect(api.binds.map((b) => b.key)).toEqual(["default/mine"]);
  });

  it("reports an unschedulable pod and binds it once a fitting node appears", async () => {
    const api = new FakeApi();
    api.put("nodes", makeNode({ name: "small", cpu: "1" }));
    api.put("nodes", makeNode({ name: "hdd", labels: { disk: "hdd" } }));
    api.put("pods", makePod({ name: "web-1", cpu: "2", nodeSelector: { disk: "ssd" } }));
    const s = await startScheduler(api);
    const ev = await waitFor(() => api.events().find((e) => e.reason === "FailedScheduling"), 2000, "FailedScheduling event");
    expect(ev).toMatchObject({ type: "Warning", message: "0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector." });
    const cond = await waitFor(() => api.pod("default/web-1").status?.conditions?.find((c) => c.type === "PodScheduled"), 2000, "condition");
    expect(cond).toMatchObject({ status: "False", reason: "Unschedulable", message: ev.message });
    expect(s.unschedulableCount()).toBe(1);

    api.put("nodes", makeNode({ name: "ssd", labels: { disk: "ssd" } }));
    await waitFor(() => nodeOf(api, "default/web-1") === "ssd", 2000, "pod bound after node added");
  });

  it("counts a bound pod against its node before the informer shows it bound", async () => {
    const api = new FakeApi();
    api.put("nodes", makeNode({ name: "big", cpu: "1" }));
    api.put("nodes", makeNode({ name: "small", cpu: "500m" }));
    api.holdBindEvents = true;
    await startScheduler(api);
    api.put("pods", makePod({ name: "first", cpu: "600m" })); // only fits "big"
    await waitFor(() => api.binds.length === 1, 2000, "first bind");
    // Without the assumption "big" would look empty and score best; with it only "small" fits.
    api.put("pods", makePod({ name: "second", cpu: "500m" }));
    await waitFor(() => api.binds.length === 2, 2000, "second bind");
    expect(api.binds).toEqual([
      { key: "default/first", node: "big" },
      { key: "default/second", node: "small" },
    ]);
    api.releaseHeld();
    expect(running!.cache.nodeInfo("big")!.requested.milliCpu).toBe(600);
    expect(running!.cache.isAssumed("default/first")).toBe(false);
  });

  it("drops a pod whose bind conflicts, without retrying", async () => {
    const api = new FakeApi();
    api.put("nodes", makeNode({ name: "node-a" }));
    api.bindError = new ConflictError("pods", "web-1", "pod is already bound");
    let attempts = 0;
    const counting: FilterPlugin = {
      name: "Counting",
      filter: () => {
        attempts++;
        return success;
      },
    };
    await startScheduler(api, { framework: new Framework([counting], defaultScorePlugins()) });
    api.put("pods", makePod({ name: "web-1" }));
    await waitFor(() => attempts === 1, 2000, "one attempt");
    await new Promise((r) => setTimeout(r, 100));
    expect(attempts).toBe(1);
  });

  it("retries other bind errors with back-off", async () => {
    const api = new FakeApi();
    api.put("nodes", makeNode({ name: "node-a" }));
    api.bindError = new Error("apiserver unavailable");
    await startScheduler(api);
    api.put("pods", makePod({ name: "web-1" }));
    await new Promise((r) => setTimeout(r, 30));
    api.bindError = undefined;
    await waitFor(() => nodeOf(api, "default/web-1") === "node-a", 2000, "bound after retry");
  });

  it("forgets an assumed pod whose bind fails, so its room is free, and retries it", async () => {
    const api = new FakeApi();
    api.put("nodes", makeNode({ name: "only", cpu: "1" }));
    api.bindError = new Error("apiserver unavailable");
    const s = await startScheduler(api);
    api.put("pods", makePod({ name: "first", cpu: "800m" }));
    // The first attempt is assumed, its bind fails: the assumption must be gone afterwards.
    await waitFor(() => s.cache.nodeInfo("only")!.requested.milliCpu === 0 && !s.cache.isAssumed("default/first"), 2000, "assumption forgotten");
    api.bindError = undefined;
    await waitFor(() => nodeOf(api, "default/first") === "only", 2000, "bound on retry");
    expect(s.cache.nodeInfo("only")!.requested.milliCpu).toBe(800);
  });

  it("gives the room of an assumed pod whose bind failed to a parked pod", async () => {
    const api = new FakeApi();
    api.put("nodes", makeNode({ name: "only", cpu: "1" }));
    // Hold the bind of "big" until "small" is parked, then fail it (a conflict: dropped, not retried).
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const bind = api.client.bind;
    api.client.bind = async (ns, name, node, uid) => {
      if (name === "big") {
        await held;
        throw new ConflictError("pods", name, "pod is already bound");
      }
      return bind(ns, name, node, uid);
    };
    const s = await startScheduler(api);
    api.put("pods", makePod({ name: "big", cpu: "800m" }));
    await waitFor(() => s.cache.isAssumed("default/big"), 2000, "big assumed");
    api.put("pods", makePod({ name: "small", cpu: "500m" }));
    await waitFor(() => s.unschedulableCount() === 1, 2000, "small parked behind the assumed pod");
    release();
    await waitFor(() => nodeOf(api, "default/small") === "only", 2000, "small bound into the forgotten room");
    expect(s.cache.isAssumed("default/big")).toBe(false);
    expect(nodeOf(api, "default/big")).toBeUndefined();
  });

  it("keeps many binds in flight at once", async () => {
    const api = new FakeApi();
    api.put("nodes", makeNode({ name: "node-a", pods: "200" }));
    let inFlight = 0;
    let most = 0;
    const bind = api.client.bind;
    api.client.bind = async (ns, name, node, uid) => {
      most = Math.max(most, ++inFlight);
      await new Promise((r) => setTimeout(r, 20));
      inFlight--;
      return bind(ns, name, node, uid);
    };
    await startScheduler(api);
    for (let i = 0; i < 50; i++) api.put("pods", makePod({ name: `p-${i}` }));
    await waitFor(() => api.binds.length === 50, 5000, "all bound");
    expect(most).toBeGreaterThan(10);
  });

  it("retries unschedulable pods every retry interval without cluster changes", async () => {
    const api = new FakeApi();
    api.put("nodes", makeNode({ name: "node-a" }));
    let open = false;
    const gate: FilterPlugin = { name: "Gate", filter: () => (open ? success : unschedulable("gate closed")) };
    await startScheduler(api, { retryIntervalMs: 50, framework: new Framework([gate, ...defaultFilterPlugins()], defaultScorePlugins()) });
    api.put("pods", makePod({ name: "web-1" }));
    await waitFor(() => api.events().some((e) => e.message === "0/1 nodes are available: 1 gate closed."), 2000, "FailedScheduling");
    open = true;
    await waitFor(() => nodeOf(api, "default/web-1") === "node-a", 2000, "bound after retry interval");
  });

  it("retries unschedulable pods when a bound pod is deleted", async () => {
    const api = new FakeApi();
    api.put("nodes", makeNode({ name: "node-a", cpu: "1" }));
    api.put("pods", makePod({ name: "old", cpu: "800m", nodeName: "node-a", phase: "Running" }));
    api.put("pods", makePod({ name: "new", cpu: "500m" }));
    const s = await startScheduler(api);
    await waitFor(() => s.unschedulableCount() === 1, 2000, "parked");
    api.remove("pods", "default/old");
    await waitFor(() => nodeOf(api, "default/new") === "node-a", 2000, "bound after room was made");
  });
});
