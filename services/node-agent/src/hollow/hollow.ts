// Hollow nodes: many node agents in one process for scale tests. Each registers its Node through
// the real NodeRegistrar (capacity from a FakeRuntime, heartbeats over NATS, status checks); one
// shared pod informer "runs" bound pods on their node's FakeRuntime and reports them Running/Ready.
import { connect } from "@nats-io/transport-node";
import type { Logger } from "@skiff/log";
import { natsTls, ApiClient, Informer, WorkQueue, runWorkers } from "@skiff/client";
import { isNotFound, isConflict, nowRfc3339, objectKey, type Pod } from "@skiff/api";
import { FakeRuntime } from "../runtime/fake.js";
import { NodeRegistrar } from "../node/node.js";
import { VERSION } from "../server.js";

/** What a fleet of hollow nodes needs; every field is required (see compileHollowOptions). */
export interface HollowOptions {
  apiservers: string[];
  /** One identity for the whole fleet (--tls-dir): a test tool playing many nodes needs a system:masters certificate. */
  tlsDir: string;
  natsServers: string[];
  /** How many nodes (--count; default 10). */
  count: number;
  /** Node names are `<prefix><i>` (--prefix; default "hollow-"). */
  prefix: string;
  /** Heartbeat interval (--heartbeat-ms; default 5000: half the controller-manager's 10 s node-monitor grace). */
  heartbeatMs: number;
  /** Node status check interval (--status-ms; default 60000). */
  statusMs: number;
  /** Fake machine size (--cpus, --memory-gib, --max-pods; default 4, 16, 110). */
  cpus: number;
  memoryGiB: number;
  maxPods: number;
  /** Pod status writers (--workers; default 8). */
  workers: number;
}

/** Fills defaults and checks ranges. */
export function compileHollowOptions(p: Partial<HollowOptions>): HollowOptions {
  const o: HollowOptions = {
    apiservers: p.apiservers?.length ? p.apiservers : ["127.0.0.1:6444"],
    tlsDir: p.tlsDir ?? "",
    natsServers: p.natsServers?.length ? p.natsServers : ["nats://127.0.0.1:4222"],
    count: p.count ?? 10, prefix: p.prefix ?? "hollow-", heartbeatMs: p.heartbeatMs ?? 5_000, statusMs: p.statusMs ?? 60_000,
    cpus: p.cpus ?? 4, memoryGiB: p.memoryGiB ?? 16, maxPods: p.maxPods ?? 110, workers: p.workers ?? 8,
  };
  const errs: string[] = [];
  for (const k of ["count", "heartbeatMs", "statusMs", "cpus", "memoryGiB", "maxPods", "workers"] as const) {
    if (!(Number.isFinite(o[k]) && o[k] > 0)) errs.push(`--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}: must be a positive number`);
  }
  if (errs.length) throw new Error(`invalid options:\n  ${errs.join("\n  ")}`);
  return o;
}

/** A running fleet. */
export interface HollowFleet {
  nodes: string[];
  stop(): Promise<void>;
}

/** Registers `count` hollow nodes (a few at a time) and starts running their pods. */
export async function startHollowNodes(opts: HollowOptions, log: Logger): Promise<HollowFleet> {
  const nc = await connect({ servers: opts.natsServers, maxReconnectAttempts: -1, reconnectTimeWait: 500, name: "skiff-hollow-nodes", tls: natsTls(opts.tlsDir) });
  const client = new ApiClient({ addresses: opts.apiservers, timeoutMs: 30_000, tls: { dir: opts.tlsDir } });
  const runtimes = new Map<string, FakeRuntime>();
  const registrars: NodeRegistrar[] = [];
  const names = Array.from({ length: opts.count }, (_, i) => `${opts.prefix}${i}`);
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(names.slice(i, i + 20).map(async (name, j) => {
      const runtime = new FakeRuntime({ cpus: opts.cpus, memoryBytes: opts.memoryGiB * 1024 ** 3 });
      const registrar = new NodeRegistrar(client, runtime, nc, {
        nodeName: name, nodeIP: `127.254.${((i + j) >> 8) & 255}.${(i + j) & 255}`, labels: { "skiff.io/hollow": "true" }, reservedCpu: "100m", reservedMemory: "256Mi",
        maxPods: opts.maxPods, heartbeatMs: opts.heartbeatMs, statusMs: opts.statusMs, version: VERSION,
      }, log.child({ node: name }));
      await registrar.start();
      runtimes.set(name, runtime);
      registrars.push(registrar);
    }));
  }
  log.info({ nodes: names.length }, "hollow nodes registered");

  const pods = new Informer<Pod>(client, "pods", {}, log.child({ component: "pod-informer" }));
  const queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 10_000 });
  const enqueue = (p: Pod) => {
    if (p.spec.nodeName && runtimes.has(p.spec.nodeName) && (p.metadata.deletionTimestamp || p.status?.phase === "Pending" || !p.status?.phase)) queue.add(objectKey(p));
  };
  pods.addHandlers({ onAdd: enqueue, onUpdate: (_a, p) => enqueue(p) });
  const plog = log.child({ component: "pods" });
  void runWorkers(queue, opts.workers, async (key) => {
    const pod = pods.get(key);
    if (!pod?.spec.nodeName) return;
    const runtime = runtimes.get(pod.spec.nodeName);
    if (!runtime) return;
    try {
      await syncPod(client, runtime, pod);
    } catch (err) {
      if (isNotFound(err) || isConflict(err)) return; // gone or changed: the watch brings the new state
      throw err;
    }
  }, plog);
  await pods.start();

  return {
    nodes: names,
    async stop() {
      queue.shutdown();
      pods.stop();
      for (const r of registrars) r.stop();
      client.close();
      await nc.drain().catch(() => undefined);
    },
  };
}

/** "Runs" one pod: a sandbox and its containers on the fake runtime, then Running/Ready; a deleted pod is stopped and removed. */
async function syncPod(client: ApiClient, runtime: FakeRuntime, pod: Pod): Promise<void> {
  const uid = pod.metadata.uid!;
  const mine = await runtime.list({ "io.skiff.pod-uid": uid });
  if (pod.metadata.deletionTimestamp) {
    for (const c of mine) { await runtime.stop(c.id); await runtime.remove(c.id); }
    await client.delete("pods", pod.metadata.name!, pod.metadata.namespace, { gracePeriodSeconds: 0, preconditionUid: uid });
    return;
  }
  if (pod.status?.phase && pod.status.phase !== "Pending") return;
  let sandbox = mine.find((c) => c.labels["io.skiff.role"] === "sandbox");
  if (!sandbox) {
    const id = await runtime.create({ name: `${pod.metadata.name}_sandbox`, image: "skiff/pause:3.9", labels: { "io.skiff.pod-uid": uid, "io.skiff.role": "sandbox" }, network: "hollow" });
    await runtime.start(id);
    sandbox = (await runtime.inspect(id))!;
  }
  const now = nowRfc3339();
  const statuses = [];
  for (const ctr of pod.spec.containers) {
    const id = await runtime.create({ name: `${pod.metadata.name}_${ctr.name}`, image: ctr.image, labels: { "io.skiff.pod-uid": uid, "io.skiff.container": ctr.name }, sandboxId: sandbox.id });
    await runtime.start(id);
    statuses.push({ name: ctr.name, ready: true, started: true, restartCount: 0, image: ctr.image, imageID: `fake://${ctr.image}`, containerID: `fake://${id}`, state: { running: { startedAt: now } }, lastState: {} });
  }
  const conds = ["PodScheduled", "Initialized", "ContainersReady", "Ready"].map((type) => ({ type, status: "True" as const, lastProbeTime: null, lastTransitionTime: now }));
  await client.updateStatus("pods", {
    ...pod,
    status: { ...(pod.status ?? {}), phase: "Running", conditions: conds, hostIP: "127.254.0.1", podIP: sandbox.ip, podIPs: sandbox.ip ? [{ ip: sandbox.ip }] : [], startTime: now, containerStatuses: statuses },
  });
}
