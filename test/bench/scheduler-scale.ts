// The scheduler against hollow nodes: a real apiserver, nats, scheduler and controller-manager,
// plus one process of N hollow node agents (fake runtime, real registration and heartbeats).
// Creates P pods and measures create→bound latency from a pod watch (ADDED → first event with
// spec.nodeName) and throughput (pods bound per second from the first ADDED to the last bind).
import { cpus } from "node:os";
import { type ApiClient, waitFor } from "@skiff/client";
import type { Node, Pod } from "@skiff/api";
import { type Proc, TestCluster } from "../harness/cluster.js";
import { cpuSeconds, percentile } from "./stats.js";
import { type HopFloor, measureHopFloor } from "./hop-floor.js";

/** Names of the pods a run measures (warm-up pods are named otherwise). */
const MEASURED = "bench-";

/** Figures of one run. */
export interface ScaleResult {
  nodes: number;
  pods: number;
  /** Creation rate asked for ("burst" when unpaced). */
  mode: string;
  bound: number;
  running: number;
  podsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Pods on the emptiest and fullest node. */
  spread: [number, number];
  /** Seconds the hollow nodes took to register and be Ready. */
  registerSeconds: number;
  /** Times the measuring watch ended and was resumed. */
  watchRestarts: number;
  /** Pods the apiserver took per second from the creating clients (the rate binds can at best follow). */
  createPerSecond: number;
  /** Paced runs: pods created first at the same pace and not measured (JIT and caches warm up). */
  warmupPods?: number;
  /** Paced runs: the machine's floor for the same pace, measured after the pods (see hop-floor.ts). */
  floor?: HopFloor;
  /**
   * Where the CPU went: each process's CPU time (user + system) over the measured window (from
   * the first creation, or the scheduler's start for a backlog, to the last bind), per pod bound.
   * "bench" is this process (its creations and its watch).
   */
  cpuMsPerPod: Record<string, number>;
  /** The same CPU time as cores busy on average over the window. */
  cpuCores: Record<string, number>;
}

/** The measured processes' CPU seconds now (a process not started yet counts 0). */
function cpuNow(cluster: TestCluster, hollow: Proc | undefined): Record<string, number> {
  const procs: Record<string, Proc | undefined> = {
    apiserver: cluster.apiserver,
    scheduler: cluster.scheduler,
    "controller-manager": cluster.controllerManager,
    "hollow-nodes": hollow,
    "nats-server": cluster.nats,
  };
  const out: Record<string, number> = {};
  for (const [k, p] of Object.entries(procs)) out[k] = p?.child.pid ? cpuSeconds(p.child.pid) : 0;
  const self = process.cpuUsage();
  out.bench = (self.user + self.system) / 1e6;
  return out;
}

/** CPU seconds per process between two cpuNow() readings. */
function cpuDelta(start: Record<string, number>, end: Record<string, number>): [string, number][] {
  return Object.keys(end).map((k) => [k, end[k] - (start[k] ?? 0)]);
}

/** Creates `count` Ready nodes of the hollow nodes' size as API objects (nothing runs on them). */
async function createNodeObjects(client: ApiClient, count: number): Promise<void> {
  const resources = { cpu: "4", memory: "16Gi", pods: "110" };
  let next = 0;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const name = `object-node-${next++}`;
        const node = await client.create<Node>("nodes", {
          apiVersion: "v1",
          kind: "Node",
          metadata: { name, labels: { "kubernetes.io/hostname": name } },
          spec: {},
        });
        const now = new Date().toISOString();
        node.status = {
          capacity: resources,
          allocatable: resources,
          conditions: [
            {
              type: "Ready",
              status: "True",
              reason: "KubeletReady",
              message: "a node object of the benchmark",
              lastHeartbeatTime: now,
              lastTransitionTime: now,
            },
          ],
        };
        await client.updateStatus("nodes", node);
      }
    }),
  );
}

/** Runs one scale measurement on a fresh cluster and tears it down. */
export async function runSchedulerScale(opts: {
  nodes: number;
  pods: number;
  timeoutMs: number;
  heartbeatMs?: number;
  createConcurrency?: number;
  /** Create at most this many pods per second (default: as fast as the apiserver takes them, a burst). */
  ratePerSecond?: number;
  /**
   * Create every pod first and start the scheduler only then (a backlog): throughput is then the
   * scheduler's and its binds', not bounded by how fast the pods arrive; measured from the first bind.
   */
  backlog?: boolean;
  /**
   * Paced runs: this many pods are created first, at the same pace, and not measured — as
   * kube-scheduler's scheduler_perf creates its init pods without collecting metrics. The first
   * pods of a fresh cluster pay for V8 compiling the hot paths of every process (10–35 ms each here).
   */
  warmupPods?: number;
  /** Paced runs: also measure the machine's floor (a ring of this many process hops at the same pace). */
  floorHops?: number;
  /**
   * false: no node agents and no controller-manager; the nodes are API objects the bench creates
   * Ready, and nothing runs the pods — the conditions of kube-scheduler's scheduler_perf, where
   * its CI floor (the anchor) is measured: the apiserver, the store and the scheduler alone.
   */
  kubelets?: boolean;
}): Promise<ScaleResult> {
  const kubelets = opts.kubelets !== false;
  // /26 per node: room for 1024 nodes in the cluster's /16.
  const cluster = new TestCluster({
    nodes: 0,
    scheduler: !opts.backlog,
    controllerManager: kubelets,
    controllerManagerFlags: ["--node-cidr-mask-size", "26"],
  });
  let hollow: Proc | undefined;
  try {
    await cluster.start();
    const t0 = performance.now();
    const client: ApiClient = cluster.client;
    if (kubelets) {
      hollow = cluster.startHollowNodes(opts.nodes, ["--heartbeat-ms", String(opts.heartbeatMs ?? 5000)]);
      await hollow.ready;
    } else await createNodeObjects(client, opts.nodes);
    await waitFor(
      async () => {
        const nodes = (await client.list<Node>("nodes")).items;
        return nodes.length === opts.nodes && nodes.every((n) => n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      },
      300_000,
      `${opts.nodes} hollow nodes Ready`,
    );
    const registerSeconds = (performance.now() - t0) / 1000;

    const added = new Map<string, number>();
    const bound = new Map<string, number>();
    const running = new Set<string>();
    const nodeOf = new Map<string, string>();
    // A watch that ends (the server closing it, a slow consumer) resumes from the last revision seen.
    let lastRv = "";
    let watchRestarts = 0;
    let createPerSecond = 0;
    let watch: { stop(): void } | undefined;
    let stopped = false;
    let cpuStart: Record<string, number> = {};
    let cpuEnd: Record<string, number> = {};
    let cpuWindowStart = 0;
    let cpuWindowEnd = 0;
    const openWatch = () => {
      watch = client.watch<Pod>(
        "pods",
        { namespace: "default", resourceVersion: lastRv, allowBookmarks: false },
        (e) => {
          if (e.object.metadata.resourceVersion) lastRv = e.object.metadata.resourceVersion;
          const name = e.object.metadata.name;
          if (e.type === "BOOKMARK" || !name?.startsWith(MEASURED)) return;
          const now = performance.now();
          if (!added.has(name)) added.set(name, now);
          if (e.object.spec.nodeName && !bound.has(name)) {
            bound.set(name, now);
            nodeOf.set(name, e.object.spec.nodeName);
          }
          if (e.object.status?.phase === "Running") running.add(name);
        },
        (err) => {
          if (stopped) return;
          watchRestarts++;
          process.stderr.write(`scheduler bench: pod watch ended (${err?.message ?? "closed"}); resuming from ${lastRv}\n`);
          setTimeout(openWatch, 100);
        },
      );
    };
    openWatch();
    const progress = setInterval(
      () => process.stderr.write(`scheduler bench: ${opts.nodes} nodes: added ${added.size} bound ${bound.size} running ${running.size}\n`),
      10_000,
    );
    try {
      const warmup = opts.ratePerSecond ? (opts.warmupPods ?? 0) : 0;
      // Warm-up pods first (not measured: another name), then the measured ones, on one schedule.
      const pod = (i: number): Pod => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: i < warmup ? `warmup-${i}` : `${MEASURED}${i - warmup}`, namespace: "default" },
        spec: { containers: [{ name: "c", image: "skiff/pause:3.9", resources: { requests: { cpu: "10m", memory: "16Mi" } } }] },
      });
      let next = 0;
      if (!opts.backlog) {
        cpuStart = cpuNow(cluster, hollow);
        cpuWindowStart = performance.now();
      }
      const start = performance.now();
      await Promise.all(
        Array.from({ length: opts.createConcurrency ?? 32 }, async () => {
          while (next < warmup + opts.pods) {
            const i = next++;
            if (opts.ratePerSecond) {
              const due = start + (i * 1000) / opts.ratePerSecond - performance.now();
              if (due > 0) await new Promise((r) => setTimeout(r, due));
            }
            await client.create("pods", pod(i));
          }
        }),
      );
      createPerSecond = (warmup + opts.pods) / ((performance.now() - start) / 1000);
      if (opts.backlog) {
        await waitFor(() => added.size >= opts.pods, opts.timeoutMs, `${opts.pods} pods seen`);
        cpuStart = cpuNow(cluster, hollow);
        cpuWindowStart = performance.now();
        await cluster.startScheduler();
      }
      await waitFor(() => bound.size >= opts.pods, opts.timeoutMs, `${opts.pods} pods bound`);
      cpuEnd = cpuNow(cluster, hollow);
      cpuWindowEnd = performance.now();
      // Hollow nodes report their pods Running; a bounded wait, then whatever was seen is reported.
      if (kubelets) await waitFor(() => running.size >= opts.pods, Math.min(120_000, opts.timeoutMs), `${opts.pods} pods Running`).catch(() => undefined);
    } finally {
      stopped = true;
      watch?.stop();
      clearInterval(progress);
    }
    // The floor, with the cluster still up (its heartbeats and watches as they were for the pods).
    const floor =
      opts.ratePerSecond && opts.floorHops
        ? await measureHopFloor({ hops: opts.floorHops, messages: opts.pods, warmup: 20, perSecond: opts.ratePerSecond })
        : undefined;
    const lat = [...bound].map(([n, t]) => t - added.get(n)!);
    const first = opts.backlog ? Math.min(...bound.values()) : Math.min(...added.values());
    const last = Math.max(...bound.values());
    const perNode = new Map<string, number>();
    for (const n of nodeOf.values()) perNode.set(n, (perNode.get(n) ?? 0) + 1);
    const counts = [...perNode.values()];
    return {
      nodes: opts.nodes,
      pods: opts.pods,
      mode: `${opts.backlog ? "backlog" : opts.ratePerSecond ? `${opts.ratePerSecond}/s` : "burst"}${kubelets ? "" : ", no kubelets"}`,
      bound: bound.size,
      running: running.size,
      podsPerSecond: bound.size / ((last - first) / 1000),
      p50Ms: percentile(lat, 50),
      p99Ms: percentile(lat, 99),
      maxMs: Math.max(...lat),
      spread: [perNode.size < opts.nodes ? 0 : Math.min(...counts), Math.max(...counts)],
      registerSeconds,
      watchRestarts,
      createPerSecond,
      ...(opts.ratePerSecond ? { warmupPods: opts.warmupPods ?? 0, floor } : {}),
      cpuMsPerPod: Object.fromEntries(cpuDelta(cpuStart, cpuEnd).map(([k, s]) => [k, (s * 1000) / bound.size])),
      cpuCores: Object.fromEntries(cpuDelta(cpuStart, cpuEnd).map(([k, s]) => [k, s / ((cpuWindowEnd - cpuWindowStart) / 1000)])),
    };
  } finally {
    await hollow?.kill();
    await cluster.stop();
  }
}

/** One result as a table row. */
export function row(r: ScaleResult): (string | number)[] {
  return [
    r.nodes,
    r.pods,
    r.mode,
    r.bound,
    r.running,
    r.podsPerSecond.toFixed(1),
    r.p50Ms.toFixed(0),
    r.p99Ms.toFixed(0),
    r.maxMs.toFixed(0),
    `${r.spread[0]}–${r.spread[1]}`,
    r.registerSeconds.toFixed(1),
    r.createPerSecond.toFixed(1),
  ];
}

export const header = ["nodes", "pods", "created", "bound", "running", "pods/s", "p50 ms", "p99 ms", "max ms", "pods/node", "register s", "created/s"];

/**
 * Where the CPU went, as lines: each process's CPU per pod bound and its cores busy over the
 * window. A paced run's per-pod figures are several times a burst's: its window includes the
 * warm-up pods, and each pod's messages travel alone rather than sharing wake-ups and syscalls.
 */
export function cpuLine(r: ScaleResult): string {
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  const fmt = (o: Record<string, number>) =>
    Object.entries(o)
      .map(([k, v]) => `${k} ${v.toFixed(2)}`)
      .join(", ");
  const c = ceiling(r);
  return [
    `CPU per pod bound (ms): ${fmt(r.cpuMsPerPod)} = ${sum(r.cpuMsPerPod).toFixed(2)}`,
    `cores busy over the window: ${fmt(r.cpuCores)} = ${sum(r.cpuCores).toFixed(2)}`,
    `ceiling at this CPU per pod: ${c.machine.toFixed(0)} pods/s on this machine's ${cpus().length} cores (${c.loadAlone.toFixed(0)} with the load generators alone: ${LOAD_GENERATORS.join(", ")}); ${c.busiest.name}, one thread, ${c.busiest.podsPerSecond.toFixed(0)} pods/s`,
  ].join("\n");
}

/** Processes that are the benchmark's load, not Skiff: kubemark runs hollow nodes on machines of their own. */
const LOAD_GENERATORS = ["hollow-nodes", "bench"];

/**
 * The rates a run's CPU per pod allows, whatever the code waits on: all cores busy with nothing
 * else running (cores ÷ the cluster's CPU per pod); the same if Skiff's own processes cost
 * nothing, the load generators alone (hollow nodes, this client); and the busiest process on its
 * one JavaScript thread (1 s ÷ its CPU per pod). What a rate goal needs from the machine.
 */
export function ceiling(r: ScaleResult): { machine: number; loadAlone: number; busiest: { name: string; podsPerSecond: number } } {
  const entries = Object.entries(r.cpuMsPerPod);
  const rate = (ms: number) => (ms > 0 ? (cpus().length * 1000) / ms : Number.NaN);
  const sum = (xs: [string, number][]) => xs.reduce((a, [, v]) => a + v, 0);
  const [name, ms] = entries.reduce((a, b) => (b[1] > a[1] ? b : a), ["none", 0]);
  return {
    machine: rate(sum(entries)),
    loadAlone: rate(sum(entries.filter(([k]) => LOAD_GENERATORS.includes(k)))),
    busiest: { name, podsPerSecond: ms > 0 ? 1000 / ms : Number.NaN },
  };
}
