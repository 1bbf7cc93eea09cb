// The scheduling loop: informers on pods and nodes feed the cache and a queue of pending pods;
// one pod at a time goes through the framework (filter → score), is assumed on the chosen node
// in the cache, and its bind is sent off the loop (many binds in flight; a failed one is undone).
// Pods that fit nowhere are parked until the cluster changes or the retry interval passes.
import { hostname } from "node:os";
import type { Logger } from "@skiff/log";
import {
  clone,
  getCondition,
  isConflict,
  isNotFound,
  objectKey,
  setCondition,
  type Namespace,
  type Node,
  type PersistentVolume,
  type PersistentVolumeClaim,
  type Pod,
} from "@skiff/api";
import { EventRecorder, Informer, runWorkers, WorkQueue, type ApiClient, type WorkQueueOptions } from "@skiff/client";
import { SchedulerCache, isTerminal } from "./cache/cache.js";
import { Framework } from "./framework/framework.js";
import { defaultFilterPlugins, defaultScorePlugins } from "./plugins/index.js";
import { eligibleToPreempt, findCandidate } from "./preemption/preemption.js";
import type { Diagnosis } from "./framework/diagnosis.js";
import { BindPipeline } from "./binding/pipeline.js";

/** Binds in flight at most (default): enough to keep the apiserver and store busy, bounded so a slow store pushes back. */
export const DEFAULT_MAX_BINDS_IN_FLIGHT = 64;
/** How long the scheduling loop may run without letting I/O (watch events, bind replies) in. */
const LOOP_SLICE_MS = 10;
import { observeAttempt, trackPodScheduling } from "./metrics/metrics.js";

/** The scheduler name pods get when they name none (spec.schedulerName defaulting). */
export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

/** Whether this scheduler should place the pod: unbound, ours, not terminating, not finished. */
export function isPending(pod: Pod, schedulerName: string): boolean {
  return !pod.spec?.nodeName && (pod.spec?.schedulerName || DEFAULT_SCHEDULER_NAME) === schedulerName && !pod.metadata.deletionTimestamp && !isTerminal(pod);
}

/** Whether a node change can make a parked pod fit (heartbeat-only updates cannot). */
export function nodeSchedulingChanged(a: Node, b: Node): boolean {
  const ready = (n: Node) => getCondition(n.status?.conditions, "Ready")?.status;
  return (
    ready(a) !== ready(b) ||
    Boolean(a.spec?.unschedulable) !== Boolean(b.spec?.unschedulable) ||
    JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {}) ||
    JSON.stringify(a.spec?.taints ?? []) !== JSON.stringify(b.spec?.taints ?? []) ||
    JSON.stringify(a.status?.allocatable ?? a.status?.capacity ?? {}) !== JSON.stringify(b.status?.allocatable ?? b.status?.capacity ?? {})
  );
}

/** Whether a pending pod changed in a way that may change where it fits (status alone does not). */
function podSpecChanged(a: Pod, b: Pod): boolean {
  return JSON.stringify(a.spec) !== JSON.stringify(b.spec) || JSON.stringify(a.metadata.labels ?? {}) !== JSON.stringify(b.metadata.labels ?? {});
}

/** What a Scheduler needs. */
export interface SchedulerConfig {
  client: ApiClient;
  /** Pods with this spec.schedulerName are ours; also the Events' reporting component. */
  schedulerName: string;
  /** How often parked (unschedulable) pods are retried even when nothing changed. */
  retryIntervalMs: number;
  log: Logger;
  /** The plugin profile (default: the default filters and scores). */
  framework?: Framework;
  /** Back-off of pods whose attempt failed with an error. */
  backoff?: WorkQueueOptions;
  /** Binds in flight at most (default DEFAULT_MAX_BINDS_IN_FLIGHT). */
  maxBindsInFlight?: number;
  /** kube-scheduler's percentageOfNodesToScore for the default profile (0 or unset: adaptive). */
  percentageOfNodesToScore?: number;
}

/** Places pending pods one at a time and binds them concurrently, assuming each in the cache from placement until the watch shows it bound. */
export class Scheduler {
  private readonly log: Logger;
  private readonly client: ApiClient;
  private readonly name: string;
  private readonly framework: Framework;
  private readonly recorder: EventRecorder;
  private readonly pods: Informer<Pod>;
  private readonly nodes: Informer<Node>;
  private readonly claims: Informer<PersistentVolumeClaim>;
  private readonly volumes: Informer<PersistentVolume>;
  /** Namespaces' labels, for pod affinity terms with a namespaceSelector. */
  private readonly namespaces: Informer<Namespace>;
  private readonly queue: WorkQueue;
  /** The cluster as the scheduler accounts it (bound + assumed pods per node). */
  readonly cache = new SchedulerCache();
  /** Keys of pods that fit nowhere, waiting for a cluster change or the retry interval. */
  private readonly unschedulable = new Set<string>();
  private retryTimer?: NodeJS.Timeout;
  private workers?: Promise<void>;
  /** The binding cycles in flight. */
  private readonly binds: BindPipeline;
  private readonly backoff: WorkQueueOptions;
  /** Failed binds per pod key, for the back-off of the retries (the queue forgets a key once its cycle returns). */
  private readonly bindFailures = new Map<string, number>();
  /** When the loop last let the event loop run (see LOOP_SLICE_MS). */
  private sliceStart = 0;

  constructor(private readonly cfg: SchedulerConfig) {
    this.log = cfg.log;
    this.client = cfg.client;
    this.name = cfg.schedulerName;
    // Claims and volumes for the VolumeBinding filter; a change may let a parked pod fit.
    this.claims = new Informer<PersistentVolumeClaim>(cfg.client, "persistentvolumeclaims", {}, cfg.log.child({ component: "pvc-informer" }));
    this.volumes = new Informer<PersistentVolume>(cfg.client, "persistentvolumes", {}, cfg.log.child({ component: "pv-informer" }));
    for (const inf of [this.claims, this.volumes] as Informer<PersistentVolumeClaim | PersistentVolume>[]) {
      inf.addHandlers({ onAdd: () => this.moveAllToQueue("volume added"), onUpdate: () => this.moveAllToQueue("volume updated") });
    }
    this.namespaces = new Informer<Namespace>(cfg.client, "namespaces", {}, cfg.log.child({ component: "namespace-informer" }));
    this.namespaces.addHandlers({ onAdd: () => this.moveAllToQueue("namespace added"), onUpdate: () => this.moveAllToQueue("namespace updated") });
    const nsLabels = (name: string) => this.namespaces.get(name)?.metadata.labels;
    this.framework =
      cfg.framework ??
      new Framework(
        defaultFilterPlugins(
          {
            claim: (ns, n) => this.claims.get(`${ns}/${n}`),
            volume: (n) => this.volumes.get(n),
          },
          nsLabels,
        ),
        defaultScorePlugins(nsLabels),
        cfg.percentageOfNodesToScore ?? 0,
      );
    this.binds = new BindPipeline(cfg.maxBindsInFlight ?? DEFAULT_MAX_BINDS_IN_FLIGHT);
    this.recorder = new EventRecorder(cfg.client, cfg.schedulerName, hostname(), cfg.log.child({ component: "events" }));
    // kube-scheduler's pod back-off: 1 s doubling to 10 s.
    this.backoff = cfg.backoff ?? { baseDelayMs: 1000, maxDelayMs: 10_000 };
    this.queue = new WorkQueue(this.backoff);
    this.pods = new Informer<Pod>(cfg.client, "pods", {}, cfg.log.child({ component: "pod-informer" }));
    this.nodes = new Informer<Node>(cfg.client, "nodes", {}, cfg.log.child({ component: "node-informer" }));
    trackPodScheduling(
      this.pods,
      (p) => isPending(p, this.name),
      () => this.unschedulable.size,
    );

    this.nodes.addHandlers({
      onAdd: (n) => {
        this.cache.setNode(n);
        this.moveAllToQueue("node added");
      },
      onUpdate: (old, n) => {
        this.cache.setNode(n);
        if (nodeSchedulingChanged(old, n)) this.moveAllToQueue("node updated");
      },
      onDelete: (n) => this.cache.removeNode(n.metadata.name ?? ""),
    });
    this.pods.addHandlers({
      onAdd: (p) => {
        this.cache.setPod(p);
        if (isPending(p, this.name)) this.queue.add(objectKey(p));
      },
      onUpdate: (old, p) => this.onPodUpdate(old, p),
      onDelete: (p) => {
        const key = objectKey(p);
        // Only a pod that held resources (bound or assumed) can make room for parked pods.
        const held = this.cache.nodeOf(key) !== undefined;
        this.cache.removePod(key);
        this.unschedulable.delete(key);
        this.bindFailures.delete(key);
        if (held) this.moveAllToQueue("assigned pod deleted");
      },
    });
  }

  private onPodUpdate(old: Pod, p: Pod): void {
    const key = objectKey(p);
    const heldBefore = this.cache.nodeOf(key) !== undefined;
    this.cache.setPod(p);
    if (isPending(p, this.name)) {
      // Why stay parked on status-only updates: our own PodScheduled=False write would otherwise
      // requeue the pod at once and loop; a spec/label change may make it fit, so retry then.
      if (this.unschedulable.has(key) && !podSpecChanged(old, p)) return;
      this.unschedulable.delete(key);
      this.queue.add(key);
      return;
    }
    this.unschedulable.delete(key);
    // A bound pod that finished gives its resources back.
    if (heldBefore && this.cache.nodeOf(key) === undefined) this.moveAllToQueue("assigned pod finished");
  }

  /** Starts the informers, waits until both have synced, then starts scheduling. */
  async start(): Promise<void> {
    await Promise.all([this.nodes.start(), this.pods.start(), this.claims.start(), this.volumes.start(), this.namespaces.start()]);
    this.log.info({ nodes: this.nodes.list().length, pods: this.pods.list().length, pending: this.queue.len() }, "caches synced; scheduling");
    this.workers = runWorkers(this.queue, 1, (key) => this.scheduleOne(key), this.log.child({ component: "queue" }));
    this.retryTimer = setInterval(() => this.moveAllToQueue("retry interval"), this.cfg.retryIntervalMs);
    this.retryTimer.unref();
  }

  /** Stops scheduling; waits for the attempt and the binds in flight (if any) to finish. */
  async stop(): Promise<void> {
    if (this.retryTimer) clearInterval(this.retryTimer);
    this.queue.shutdown();
    this.pods.stop();
    this.nodes.stop();
    this.claims.stop();
    this.volumes.stop();
    this.namespaces.stop();
    await this.workers;
    await this.binds.drain();
  }

  /** Number of parked (unschedulable) pods. */
  unschedulableCount(): number {
    return this.unschedulable.size;
  }

  /** Moves every parked pod back into the queue (the cluster changed, or time passed). */
  moveAllToQueue(why: string): void {
    if (this.unschedulable.size === 0) return;
    this.log.debug({ why, pods: this.unschedulable.size }, "retrying unschedulable pods");
    for (const key of this.unschedulable) this.queue.add(key);
    this.unschedulable.clear();
  }

  /** One scheduling attempt for the pod with this key; throws to retry with back-off. */
  async scheduleOne(key: string): Promise<void> {
    await this.yieldSometimes();
    // Wait for a bind slot before deciding, so the decision sees the newest cluster state.
    await this.binds.slot();
    const pod = this.pods.get(key);
    if (!pod || !isPending(pod, this.name)) {
      this.unschedulable.delete(key);
      return;
    }
    // We bound it already; the informer just has not shown it yet.
    if (this.cache.isAssumed(key)) return;
    const nodes = this.cache.snapshot();
    const t0 = performance.now();
    const result = this.framework.schedule(pod, nodes, this.cache.nodesWithAffinityPods());
    observeAttempt(key, result.code, t0);
    if (result.code === "Scheduled") {
      // Assume, then bind off the loop: the next pod already sees this one's place taken.
      this.cache.assumePod(pod, result.nodeName);
      this.binds.run(() => this.bindingCycle(key, pod, result.nodeName));
      return;
    }
    const log = this.log.child({ pod: key });
    switch (result.code) {
      case "Error":
        this.recorder.record(pod, "Warning", "FailedScheduling", result.message);
        throw new Error(result.message);
      case "Unschedulable":
        // Parked before any await, so that no change that could make it fit is missed.
        this.unschedulable.add(key);
        log.info({ reason: result.message }, "pod is unschedulable");
        this.recorder.record(pod, "Warning", "FailedScheduling", result.message);
        await this.setUnschedulableCondition(pod, result.message, log);
        await this.preempt(pod, result.diagnosis, log);
        return;
    }
  }

  /**
   * Lets timers and I/O run when the loop has run for LOOP_SLICE_MS: with binds off the loop,
   * queued keys come back as resolved promises, which would otherwise starve the event loop.
   */
  private async yieldSometimes(): Promise<void> {
    const now = performance.now();
    if (now - this.sliceStart < LOOP_SLICE_MS) return;
    await new Promise((r) => setImmediate(r));
    this.sliceStart = performance.now();
  }

  /**
   * PostFilter: evicts lower-priority pods from the node where that lets the pod fit, and
   * nominates that node in the pod's status. The pod stays parked; the victims' deletion
   * requeues it.
   */
  private async preempt(pod: Pod, diagnosis: Diagnosis, log: Logger): Promise<void> {
    const nodes = this.cache.snapshot();
    if (!eligibleToPreempt(pod, nodes)) return;
    const c = findCandidate(this.framework, pod, nodes, diagnosis);
    if (!c) return;
    const who = `${pod.metadata.namespace}/${pod.metadata.name}`;
    log.info({ node: c.nodeName, victims: c.victims.map(objectKey) }, "preempting");
    const updated = clone(pod);
    updated.status = { ...(updated.status ?? {}), nominatedNodeName: c.nodeName } as Pod["status"];
    try {
      await this.client.updateStatus("pods", updated);
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) log.warn({ err }, "could not set nominatedNodeName");
    }
    for (const v of c.victims) {
      this.recorder.record(v, "Normal", "Preempted", `Preempted by pod ${pod.metadata.uid} (${who}) on node ${c.nodeName}`);
      try {
        await this.client.delete("pods", v.metadata.name!, v.metadata.namespace, { preconditionUid: v.metadata.uid });
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
  }

  /**
   * The binding cycle of an assumed pod. On failure the assumption is forgotten (its room is
   * given back, and parked pods retried): an error retries the pod with back-off; Conflict (bound
   * or replaced meanwhile) and NotFound (deleted) drop it, since the informer will say what happened.
   */
  private async bindingCycle(key: string, pod: Pod, nodeName: string): Promise<void> {
    const ns = pod.metadata.namespace ?? "default";
    const name = pod.metadata.name ?? "";
    try {
      await this.client.bind(ns, name, nodeName, pod.metadata.uid);
    } catch (err) {
      if (this.cache.forgetPod(key, pod.metadata.uid)) this.moveAllToQueue("assumed pod forgotten");
      if (isConflict(err) || isNotFound(err)) {
        this.log.info({ pod: key, node: nodeName, err: (err as Error).message }, "bind not applied; dropping pod");
        return;
      }
      const n = (this.bindFailures.get(key) ?? 0) + 1;
      this.bindFailures.set(key, n);
      const delay = Math.min((this.backoff.baseDelayMs ?? 1000) * 2 ** (n - 1), this.backoff.maxDelayMs ?? 10_000);
      this.log.warn({ pod: key, node: nodeName, err, retryInMs: delay }, "bind failed; will retry");
      this.queue.addAfter(key, delay);
      return;
    }
    this.bindFailures.delete(key);
    // Debug, as kube-scheduler logs a successful bind only at -v=2: the Scheduled event says it,
    // and a line per pod cost ~140 µs of this process's CPU in a burst (7% of its time).
    this.log.debug({ pod: key, node: nodeName }, "pod bound");
    this.recorder.record(pod, "Normal", "Scheduled", `Successfully assigned ${ns}/${name} to ${nodeName}`);
  }

  /** Sets PodScheduled=False/Unschedulable with the message, when that changes the pod. */
  private async setUnschedulableCondition(pod: Pod, message: string, log: Logger): Promise<void> {
    const updated = clone(pod);
    updated.status ??= {};
    updated.status.conditions ??= [];
    const changed = setCondition(updated.status.conditions, {
      type: "PodScheduled",
      status: "False",
      reason: "Unschedulable",
      message,
      lastProbeTime: null,
    });
    if (!changed) return;
    try {
      await this.client.updateStatus("pods", updated);
    } catch (err) {
      // A newer pod (or a deleted one) will be seen and retried by the informer; nothing to fix here.
      if (isConflict(err) || isNotFound(err)) return;
      log.warn({ err }, "could not set the PodScheduled condition");
    }
  }
}
