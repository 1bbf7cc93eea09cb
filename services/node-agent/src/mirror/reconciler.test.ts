import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { AlreadyExistsError, NotFoundError, type KObject, type Node, type Pod } from "@skiff/api";
import type { InformerHandlers } from "@skiff/client";
import { createRootLogger } from "@skiff/log";
import { MirrorPods } from "./reconciler.js";
import type { NodeComponent, ProcessState } from "./static-pods.js";

const comp = (name: string): NodeComponent => ({
  name: `skiff-${name}`,
  container: name,
  command: ["node", `${name}.js`],
  stateFile: `/run/${name}.json`,
  logFile: `/run/${name}.log`,
});

/** An API with one pod store; the "informer" shows it as it is (list after each write). */
function fakeApi() {
  const pods = new Map<string, Pod>();
  const calls: string[] = [];
  let rv = 0;
  const key = (ns: string | undefined, n: string) => `${ns}/${n}`;
  const client = {
    create: async <T extends KObject>(_r: string, o: T): Promise<T> => {
      const k = key(o.metadata.namespace, o.metadata.name!);
      if (pods.has(k)) throw new AlreadyExistsError("pods", o.metadata.name!);
      const p = { ...structuredClone(o), metadata: { ...structuredClone(o.metadata), uid: randomUUID(), resourceVersion: String(++rv) } } as unknown as Pod;
      pods.set(k, p);
      calls.push(`create ${k}`);
      return structuredClone(p) as unknown as T;
    },
    delete: async (_r: string, name: string, ns?: string, opts: { gracePeriodSeconds?: number; preconditionUid?: string } = {}) => {
      const k = key(ns, name);
      const p = pods.get(k);
      if (!p) throw new NotFoundError("pods", name);
      calls.push(`delete ${k} grace=${opts.gracePeriodSeconds} uid=${opts.preconditionUid === p.metadata.uid}`);
      pods.delete(k);
      return { object: p as unknown as KObject, finished: true } as never;
    },
    updateStatus: async <T extends KObject>(_r: string, o: T): Promise<T> => {
      const k = key(o.metadata.namespace, o.metadata.name!);
      const p = pods.get(k);
      if (!p) throw new NotFoundError("pods", o.metadata.name!);
      p.status = structuredClone((o as unknown as Pod).status);
      p.metadata.resourceVersion = String(++rv);
      calls.push(`status ${k} ${p.status?.containerStatuses?.[0]?.ready ? "ready" : "not-ready"}`);
      return structuredClone(p) as unknown as T;
    },
  };
  const source = { list: () => [...pods.values()].map((p) => structuredClone(p)), addHandlers: (_h: InformerHandlers<Pod>) => undefined };
  return { pods, calls, client, source };
}

function setup(components: NodeComponent[], states: Record<string, ProcessState>, restarted: string[] = []) {
  const api = fakeApi();
  const node: Node = { apiVersion: "v1", kind: "Node", metadata: { name: "n1", uid: "node-uid" }, spec: {} } as Node;
  const m = new MirrorPods(
    {
      client: api.client as never,
      pods: api.source,
      node: () => node,
      components: () => components,
      processState: (c) => states[c.container] ?? {},
      restart: async (c) => void restarted.push(c.container),
      log: createRootLogger({ service: "test", level: "silent" }),
    },
    { nodeName: "n1", nodeIP: "10.0.0.5", version: "v", resyncMs: 60_000, restartBaseMs: 10_000, restartMaxMs: 300_000, recreateDelayMs: 50 },
  );
  return { api, m, node };
}

describe("the mirror pod reconciler", () => {
  it("creates one mirror pod per node process and writes its status once", async () => {
    const { api, m } = setup([comp("proxy"), comp("dns")], { proxy: { pid: 10 }, dns: { pid: 11 } });
    await m.sync();
    expect(api.calls).toEqual([
      "create kube-system/skiff-proxy-n1",
      "status kube-system/skiff-proxy-n1 ready",
      "create kube-system/skiff-dns-n1",
      "status kube-system/skiff-dns-n1 ready",
    ]);
    expect(api.pods.get("kube-system/skiff-proxy-n1")!.status!.podIP).toBe("10.0.0.5");
    api.calls.length = 0;
    await m.sync();
    expect(api.calls).toEqual([]); // level-triggered: nothing changed, nothing written
  });

  it("re-creates a mirror pod deleted through the API (deletionTimestamp) with grace 0 and the uid precondition", async () => {
    const { api, m } = setup([comp("proxy")], { proxy: { pid: 10 } });
    await m.sync();
    const old = api.pods.get("kube-system/skiff-proxy-n1")!;
    old.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
    api.calls.length = 0;
    await m.sync();
    // Deleted now, made again a moment later (so `kubectl delete` sees the deletion).
    expect(api.calls).toEqual(["delete kube-system/skiff-proxy-n1 grace=0 uid=true"]);
    await m.sync();
    expect(api.calls).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 60));
    await m.sync();
    expect(api.calls.slice(1, 2)).toEqual(["create kube-system/skiff-proxy-n1"]);
    expect(api.pods.get("kube-system/skiff-proxy-n1")!.metadata.uid).not.toBe(old.metadata.uid);
  });

  it("creates a mirror pod removed outright, and replaces one whose Node was replaced", async () => {
    const { api, m, node } = setup([comp("proxy")], { proxy: { pid: 10 } });
    await m.sync();
    api.pods.clear();
    await m.sync();
    expect(api.pods.has("kube-system/skiff-proxy-n1")).toBe(true);
    node.metadata.uid = "node-uid-2";
    await m.sync();
    await new Promise((r) => setTimeout(r, 60));
    await m.sync();
    expect(api.pods.get("kube-system/skiff-proxy-n1")!.metadata.ownerReferences![0].uid).toBe("node-uid-2");
  });

  it("deletes the mirror pods of processes the node no longer runs, and leaves other pods alone", async () => {
    const components = [comp("proxy"), comp("ingress")];
    const { api, m } = setup(components, { proxy: { pid: 10 }, ingress: { pid: 12 } });
    await m.sync();
    api.pods.set("default/web", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web", namespace: "default", uid: "w" },
      spec: { nodeName: "n1", containers: [] },
    });
    components.pop();
    await m.sync();
    expect([...api.pods.keys()].sort()).toEqual(["default/web", "kube-system/skiff-proxy-n1"]);
  });

  it("does nothing before the Node is registered", async () => {
    const { api, m, node } = setup([comp("proxy")], { proxy: { pid: 10 } });
    delete node.metadata.uid;
    await m.sync();
    expect(api.calls).toEqual([]);
  });

  it("shows a process that is down as not ready and starts it again, with back-off", async () => {
    const restarted: string[] = [];
    const states: Record<string, ProcessState> = { proxy: { pid: 10 } };
    const { api, m } = setup([comp("proxy")], states, restarted);
    await m.sync();
    states.proxy = {};
    await m.sync();
    expect(api.pods.get("kube-system/skiff-proxy-n1")!.status!.containerStatuses![0].ready).toBe(false);
    expect(restarted).toEqual(["proxy"]);
    await m.sync(); // within the back-off: not again
    expect(restarted).toEqual(["proxy"]);
    states.proxy = { pid: 20 };
    await m.sync();
    expect(api.pods.get("kube-system/skiff-proxy-n1")!.status!.containerStatuses![0]).toMatchObject({ ready: true, restartCount: 1 });
  });
});
