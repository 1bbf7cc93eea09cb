// The pod manager: one level-triggered reconcile per pod bound to this node. It reads the
// pod from the informer and the pod's containers from the runtime (by label), then acts to
// make them agree: sandbox, containers (pull, create, start, restart with back-off), graceful
// termination, and the pod's status. Nothing lives only in memory but back-off of image pulls.
import { DEADLINE_EXCEEDED, deadlineLeftMs } from "./deadline.js";
import type { Logger } from "@skiff/log";
import {
  ContainerLabels as L, cpuToMilli, memoryToBytes, isNotFound, isConflict, objectKey, splitKey,
  type Pod,
} from "@skiff/api";
import { WorkQueue, runWorkers, type ApiClient, type Informer, type EventRecorder } from "@skiff/client";
import type { ContainerConfig, Runtime, RuntimeContainer } from "../runtime/runtime.js";
import { computeStatus, statusChanged, type ContainerView, type InitProgress } from "./status.js";
import { containersOf, initContainersOf, type RuntimeContainerSpec } from "./spec.js";
import { ConfigError, expand, resolveEnv } from "../config/env.js";
import { MountError, type PreparedVolume, type VolumeManager, type VolumeSources } from "../volumes/volumes.js";
import { ProberManager } from "../prober/manager.js";
import { runPostStart, runPreStop } from "../lifecycle/hooks.js";
import type { ImagePuller } from "../images/puller.js";

const ATTEMPT = "io.skiff.attempt";
const BACKOFF_STEP = "io.skiff.backoff-step";

export interface PodManagerOptions {
  nodeName: string;
  clusterName: string;
  hostIP: string;
  pauseImage: string;
  /** Docker network pods join (the node's podCIDR bridge). */
  network: () => string | undefined;
  /** CrashLoopBackOff: first delay, cap, and how long a run must last to reset (Kubernetes: 10 s, 5 min, 10 min). */
  backoffBaseMs: number;
  backoffMaxMs: number;
  backoffResetMs: number;
  /** Full resync period (also finds orphaned containers). */
  resyncMs: number;
  workers: number;
  /** json-file log rotation size per container (Docker's max-size; default "10m"). */
  logMaxSize?: string;
  /** Service env vars and resolver settings for a pod (the service network; optional). */
  serviceNetwork?: { envFor(pod: Pod): string[]; dnsFor(pod: Pod): ContainerConfig["dns"] };
}

export interface PodManagerDeps {
  client: ApiClient;
  runtime: Runtime;
  pods: Informer<Pod>;
  recorder: EventRecorder;
  log: Logger;
  /** Pod volumes on this node (emptyDir, configMap, PVC…). */
  volumes: VolumeManager;
  /** ConfigMaps, Secrets, claims and volumes for env and volumes (informer caches). */
  sources: VolumeSources;
  /** Image pulls (policy, pull secrets, back-off, events): images/puller.ts. */
  images: ImagePuller;
}

/** Docker container names must be unique; these mirror the kubelet's k8s_… names. */
function containerName(pod: Pod, container: string, attempt: number): string {
  return `skiff_${container}_${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid!.slice(0, 8)}_${attempt}`;
}

/** The runtime-label kind of a pod's init containers (app containers are "container"). */
const INIT = "init";

function attemptOf(c: RuntimeContainer): number {
  return Number(c.labels[ATTEMPT] ?? 0) || 0;
}

function isFinished(c: RuntimeContainer): boolean {
  return c.state === "exited" || c.state === "dead" || (c.state === "created" && !!c.error);
}

export class PodManager {
  private readonly queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 10_000 });
  private resyncTimer?: NodeJS.Timeout;
  private stopEvents?: () => void;
  private stopped = false;
  private readonly nodeLabels: Record<string, string>;
  /** Probe workers; a changed result re-reconciles the pod. */
  readonly prober: ProberManager;
  /** Pods (by uid) the agent decided to evict, with the message; kept until the pod is forgotten. */
  private readonly evictions = new Map<string, { reason: string; message: string }>();
  private readonly evictedRecorded = new Set<string>();
  /** Last FailedMount / config message per pod uid, so the event is recorded once per change. */
  private readonly lastMountError = new Map<string, string>();

  constructor(private readonly deps: PodManagerDeps, private readonly opts: PodManagerOptions) {
    this.nodeLabels = { [L.cluster]: opts.clusterName, [L.node]: opts.nodeName };
    this.prober = new ProberManager(deps.runtime, deps.recorder, (k) => this.queue.add(k), deps.log.child({ component: "prober" }));
  }

  /** Starts workers, runtime events and the periodic resync. */
  async start(): Promise<void> {
    const { pods, log } = this.deps;
    pods.addHandlers({
      onAdd: (p) => this.queue.add(objectKey(p)),
      onUpdate: (_o, p) => this.queue.add(objectKey(p)),
      onDelete: (p) => this.queue.add(objectKey(p)),
    });
    await pods.waitForSync();
    await this.watchRuntime();
    void runWorkers(this.queue, this.opts.workers, (k) => this.reconcile(k), log.child({ component: "pod-workers" }));
    await this.resync();
    this.resyncTimer = setInterval(() => void this.resync().catch((err) => log.warn({ err }, "resync failed")), this.opts.resyncMs);
    this.resyncTimer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.resyncTimer) clearInterval(this.resyncTimer);
    this.stopEvents?.();
    this.prober.stopAll();
    this.queue.shutdown();
  }

  /** Re-syncs every pod of a namespace (a ConfigMap, Secret or claim there changed). */
  enqueueNamespace(namespace: string): void {
    for (const p of this.deps.pods.list()) if (p.metadata.namespace === namespace) this.queue.add(objectKey(p));
  }

  /** Evicts a pod (e.g. an emptyDir over its sizeLimit): its containers stop and it ends Failed/Evicted. */
  evict(pod: Pod, message: string): void {
    if (this.evictions.has(pod.metadata.uid!)) return;
    this.evictions.set(pod.metadata.uid!, { reason: "Evicted", message });
    this.queue.add(objectKey(pod));
  }

  /** Re-syncs every pod. */
  enqueueAll(): void {
    for (const p of this.deps.pods.list()) this.queue.add(objectKey(p));
  }

  /** Re-queues every pod and every pod that still has containers here (orphans included). */
  async resync(): Promise<void> {
    for (const p of this.deps.pods.list()) this.queue.add(objectKey(p));
    const all = await this.deps.runtime.list(this.nodeLabels);
    const known = new Set(this.deps.pods.list().map((p) => p.metadata.uid));
    for (const c of all) {
      if (!known.has(c.labels[L.podUid])) this.queue.add(`${c.labels[L.podNamespace]}/${c.labels[L.podName]}`);
    }
    // Pod directories (volumes, termination logs) of pods with no containers left and no pod object.
    const withContainers = new Set(all.map((c) => c.labels[L.podUid]));
    for (const uid of await this.deps.volumes.podUids()) {
      if (!known.has(uid) && !withContainers.has(uid)) await this.deps.volumes.tearDown(uid);
    }
    for (const uid of this.prober.uids()) if (!known.has(uid)) this.prober.forget(uid);
  }

  private async watchRuntime(): Promise<void> {
    if (this.stopped) return;
    try {
      this.stopEvents = await this.deps.runtime.events(this.nodeLabels, (e) => {
        if (["die", "start", "oom", "destroy", "create"].includes(e.action) && e.labels[L.podName]) {
          this.queue.add(`${e.labels[L.podNamespace]}/${e.labels[L.podName]}`);
        }
      }, (err) => {
        this.deps.log.warn({ err }, "runtime event stream ended; reconnecting");
        setTimeout(() => void this.watchRuntime(), 1000).unref();
      });
    } catch (err) {
      this.deps.log.warn({ err }, "runtime events unavailable; retrying");
      setTimeout(() => void this.watchRuntime(), 1000).unref();
    }
  }

  /** Brings one pod's containers and status in line with its spec. */
  async reconcile(key: string): Promise<void> {
    const { runtime, pods } = this.deps;
    const { namespace, name } = splitKey(key);
    const log = this.deps.log.child({ pod: key });
    const pod = pods.get(key);
    const all = await runtime.list({ ...this.nodeLabels, [L.podNamespace]: namespace, [L.podName]: name });
    if (!pod) {
      // The pod is gone from the API (deleted, or bound elsewhere now): nothing of it may run here.
      await this.killAndRemove(all, 2, log);
      await this.forgetPods(all);
      return;
    }
    const uid = pod.metadata.uid!;
    const stale = all.filter((c) => c.labels[L.podUid] !== uid);
    if (stale.length) {
      await this.killAndRemove(stale, 2, log); // an older pod of the same name
      await this.forgetPods(stale);
    }
    const mine = all.filter((c) => c.labels[L.podUid] === uid);

    if (pod.metadata.deletionTimestamp) {
      await this.terminate(pod, mine, log);
      return;
    }
    const phase = pod.status?.phase;
    const evicted = this.evictions.get(uid);
    if (evicted !== undefined && phase !== "Failed") {
      await this.evictPod(pod, mine, evicted, log);
      return;
    }
    if (phase === "Succeeded" || phase === "Failed") {
      // A finished pod never runs again; its sandbox is no longer needed.
      this.prober.forget(uid);
      const sandbox = mine.filter((c) => c.labels[L.kind] === "sandbox" && c.state === "running");
      for (const s of sandbox) await runtime.stop(s.id, 2);
      return;
    }

    const left = deadlineLeftMs(pod.spec, pod.status?.startTime);
    if (left !== undefined && left <= 0) {
      this.evictions.set(uid, DEADLINE_EXCEEDED);
      return this.evictPod(pod, mine, DEADLINE_EXCEEDED, log);
    }
    if (left !== undefined) this.queue.addAfter(key, left + 50);

    const created = await this.ensureSandbox(pod, mine, log);
    // A hostNetwork pod's IP is the node's.
    const sandbox = created && pod.spec.hostNetwork === true ? { ...created, ip: this.opts.hostIP } : created;
    let requeueMs = 0;
    const retry = (ms: number) => { if (ms > 0) requeueMs = requeueMs ? Math.min(requeueMs, ms) : ms; };

    // Volumes first: no container starts before every volume it could mount is ready.
    let vols: Map<string, PreparedVolume> | undefined;
    let mountError: string | undefined;
    try {
      vols = await this.deps.volumes.setUp(pod);
      this.lastMountError.delete(uid);
    } catch (err) {
      if (!(err instanceof MountError || err instanceof ConfigError)) throw err;
      mountError = err.message;
      if (this.lastMountError.get(uid) !== mountError) {
        this.lastMountError.set(uid, mountError);
        this.deps.recorder.record(pod, "Warning", "FailedMount", `MountVolume.SetUp failed: ${mountError}`);
      }
      retry(2000);
    }

    const ctx: SyncContext = { pod, sandbox, mine, log, vols, podIP: sandbox?.ip };
    const init = await this.syncInit(ctx, retry);
    const views: ContainerView[] = [];
    for (const c of containersOf(pod)) {
      if (!init.done || !vols) {
        views.push(this.idleView(c, mine, "container", init.done ? "ContainerCreating" : "PodInitializing"));
        continue;
      }
      const { view, retryInMs } = await this.syncContainer(ctx, c, "container");
      const id = view.current?.state === "running" ? view.current.id : undefined;
      this.prober.sync(pod, c, id, sandbox?.ip);
      view.started = this.prober.started(uid, c, id);
      view.ready = this.prober.ready(uid, c, id);
      views.push(view);
      retry(retryInMs);
    }
    await this.writeStatus(pod, views, sandbox?.ip, init);
    if (requeueMs > 0) this.queue.addAfter(key, requeueMs);
  }

  /** Stops an evicted pod's containers (preStop, grace period) and writes the Failed/Evicted status. */
  private async evictPod(pod: Pod, mine: RuntimeContainer[], failure: { reason: string; message: string }, log: Logger): Promise<void> {
    const { message } = failure;
    const { runtime } = this.deps;
    this.prober.forget(pod.metadata.uid!);
    const sandbox = mine.find((c) => c.labels[L.kind] === "sandbox" && c.state === "running");
    const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
    await Promise.all(mine.filter((c) => c.labels[L.kind] !== "sandbox" && c.state === "running").map((c) => {
      const name = c.labels[L.containerName];
      return this.stopContainer(pod, containersOf(pod).find((x) => x.name === name), c, sandbox?.ip, grace);
    }));
    const now = await runtime.list({ ...this.nodeLabels, [L.podUid]: pod.metadata.uid! });
    const views = await Promise.all(containersOf(pod).map((c) => {
      const [cur, prev] = this.instances(now, "container", c.name);
      return this.withMessages(pod, { name: c.name, image: c.image, current: cur, previous: prev, restartCount: cur ? attemptOf(cur) : 0 });
    }));
    await this.writeStatus(pod, views, sandbox?.ip, undefined, failure);
    // Once per eviction: the informer may still show the pod running for one more pass.
    if (!this.evictedRecorded.has(pod.metadata.uid!)) {
      this.evictedRecorded.add(pod.metadata.uid!);
      // The kubelet's events: Warning Evicted, or Normal DeadlineExceeded.
      this.deps.recorder.record(pod, failure.reason === "Evicted" ? "Warning" : "Normal", failure.reason, message);
      log.info({ message }, "pod evicted");
    }
    if (sandbox) await runtime.stop(sandbox.id, 2);
  }

  /** A view of a container that is not being started yet (init containers or volumes pending). */
  private idleView(c: RuntimeContainerSpec, mine: RuntimeContainer[], kind: string, reason: string): ContainerView {
    const [cur, prev] = this.instances(mine, kind, c.name);
    return { name: c.name, image: c.image, current: cur, previous: prev, restartCount: cur ? attemptOf(cur) : 0, waiting: { reason } };
  }

  private instances(mine: RuntimeContainer[], kind: string, name: string): RuntimeContainer[] {
    return mine.filter((c) => c.labels[L.kind] === kind && c.labels[L.containerName] === name).sort((a, b) => attemptOf(b) - attemptOf(a));
  }

  /** Init containers in order, each to successful completion before the next; the app containers wait for all. */
  private async syncInit(ctx: SyncContext, retry: (ms: number) => void): Promise<InitProgress> {
    const specs = initContainersOf(ctx.pod);
    const views: ContainerView[] = [];
    let done = true;
    let failed = false;
    for (const c of specs) {
      if (!done || !ctx.vols) {
        views.push(this.idleView(c, ctx.mine, INIT, "PodInitializing"));
        done = false;
        continue;
      }
      const [cur] = this.instances(ctx.mine, INIT, c.name);
      if (cur && isFinished(cur) && cur.exitCode === 0) {
        views.push(await this.withMessages(ctx.pod, { name: c.name, image: c.image, current: cur, restartCount: attemptOf(cur) }));
        continue;
      }
      done = false;
      const { view, retryInMs } = await this.syncContainer(ctx, c, INIT);
      retry(retryInMs);
      views.push(view);
      const now = view.current;
      if (now && isFinished(now) && now.exitCode !== 0 && (ctx.pod.spec.restartPolicy ?? "Always") === "Never") failed = true;
    }
    return { views, done, failed };
  }

  /** Stops probing pods whose containers were removed, and removes their directories. */
  private async forgetPods(cs: RuntimeContainer[]): Promise<void> {
    for (const uid of new Set(cs.map((c) => c.labels[L.podUid]))) {
      this.prober.forget(uid);
      this.deps.images.forget(uid);
      this.lastMountError.delete(uid);
      this.evictions.delete(uid);
      this.evictedRecorded.delete(uid);
      await this.deps.volumes.tearDown(uid);
    }
  }

  private async ensureSandbox(pod: Pod, mine: RuntimeContainer[], log: Logger): Promise<RuntimeContainer | undefined> {
    const { runtime } = this.deps;
    const sandboxes = mine.filter((c) => c.labels[L.kind] === "sandbox").sort((a, b) => attemptOf(b) - attemptOf(a));
    const current = sandboxes[0];
    if (current?.state === "running") return current;
    // hostNetwork: the sandbox (and so every container of the pod) is in the node's own network namespace.
    const network = pod.spec.hostNetwork === true ? "host" : this.opts.network();
    if (!network) throw new Error("the pod network is not ready yet (waiting for the node's podCIDR)");
    if (current) {
      // The sandbox died: every container in its network namespace goes with it (as in Kubernetes).
      log.info("sandbox stopped; recreating the pod's containers");
      await this.killAndRemove(mine, 2, log);
    }
    if (!(await runtime.imageExists(this.opts.pauseImage))) await runtime.pull(this.opts.pauseImage);
    const attempt = current ? attemptOf(current) + 1 : 0;
    const id = await runtime.create({
      name: containerName(pod, "POD", attempt),
      image: this.opts.pauseImage,
      labels: { ...this.podLabels(pod), [L.kind]: "sandbox", [ATTEMPT]: String(attempt) },
      ...(network === "host" ? {} : { hostname: pod.spec.hostname ?? pod.metadata.name!.slice(0, 63) }),
      network,
      cpuShares: 2,
      dns: this.opts.serviceNetwork?.dnsFor(pod),
    });
    await runtime.start(id);
    return (await runtime.inspect(id)) ?? undefined;
  }

  private podLabels(pod: Pod): Record<string, string> {
    return {
      ...this.nodeLabels,
      [L.podName]: pod.metadata.name!, [L.podNamespace]: pod.metadata.namespace!, [L.podUid]: pod.metadata.uid!,
    };
  }

  /** One container: start it, restart it per policy (with back-off), or report why it waits. */
  private async syncContainer(ctx: SyncContext, spec: RuntimeContainerSpec, kind: string): Promise<{ view: ContainerView; retryInMs: number }> {
    const { pod, sandbox, log } = ctx;
    const instances = this.instances(ctx.mine, kind, spec.name);
    let [cur] = instances;
    const prev = instances[1];
    const view: ContainerView = await this.withMessages(pod, { name: spec.name, image: spec.image, current: cur, previous: prev, restartCount: cur ? attemptOf(cur) : 0 });
    if (!sandbox) return { view, retryInMs: 1000 };
    if (cur && cur.state === "running" && kind !== INIT) {
      const why = this.prober.mustRestart(pod.metadata.uid!, spec, cur.id);
      if (!why) return { view, retryInMs: 0 };
      // Liveness (or startup) gave up on this instance: stop it like a deletion would, then restart per policy.
      this.deps.recorder.record(pod, "Normal", "Killing", why, `spec.containers{${spec.name}}`);
      this.prober.forget(pod.metadata.uid!, spec.name);
      // A probe's own terminationGracePeriodSeconds wins over the pod's (Kubernetes 1.25+).
      const probe = (/failed startup probe/.test(why) ? spec.startupProbe : spec.livenessProbe) as { terminationGracePeriodSeconds?: number } | undefined;
      await this.stopContainer(pod, spec, cur, ctx.podIP, probe?.terminationGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
      cur = (await this.deps.runtime.inspect(cur.id)) ?? cur;
      view.current = cur;
      Object.assign(view, await this.withMessages(pod, view));
    }
    if (cur && (cur.state === "running" || cur.state === "restarting" || cur.state === "paused")) return { view, retryInMs: 0 };
    if (cur && cur.state === "created" && !cur.error) {
      await this.deps.runtime.start(cur.id);
      view.current = (await this.deps.runtime.inspect(cur.id)) ?? cur;
      return { view: await this.withMessages(pod, view), retryInMs: 0 };
    }
    let step = 0;
    if (cur && isFinished(cur)) {
      const policy = pod.spec.restartPolicy ?? "Always";
      // Init containers are retried like OnFailure under Always (they must complete, not keep running).
      const restart = kind === INIT
        ? policy !== "Never" && cur.exitCode !== 0
        : policy === "Always" || (policy === "OnFailure" && cur.exitCode !== 0);
      if (!restart) return { view, retryInMs: 0 };
      // Back-off grows per restart and resets after a long enough run (derived from labels and
      // timestamps, so an agent restart keeps it).
      const ran = Date.parse(cur.finishedAt ?? "") - Date.parse(cur.startedAt ?? "");
      step = ran >= this.opts.backoffResetMs ? 0 : (Number(cur.labels[BACKOFF_STEP] ?? 0) || 0) + 1;
      const delay = step <= 1 ? 0 : Math.min(this.opts.backoffBaseMs * 2 ** (step - 2), this.opts.backoffMaxMs);
      const readyAt = Date.parse(cur.finishedAt ?? "") + delay;
      if (Date.now() < readyAt) {
        view.waiting = { reason: "CrashLoopBackOff", message: `back-off ${Math.round(delay / 1000)}s restarting failed container=${spec.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` };
        if (!this.backedOff.has(cur.id)) {
          this.backedOff.add(cur.id);
          this.deps.recorder.record(pod, "Warning", "BackOff", "Back-off restarting failed container", `spec.containers{${spec.name}}`);
        }
        return { view, retryInMs: readyAt - Date.now() + 10 };
      }
    }
    const attempt = cur ? attemptOf(cur) + 1 : 0;
    const waiting = await this.deps.images.ensure(pod, spec, `spec.${kind === INIT ? "initContainers" : "containers"}{${spec.name}}`);
    if (waiting) {
      view.waiting = waiting.waiting;
      return { view, retryInMs: waiting.retryInMs };
    }
    const id = await this.createContainer(ctx, spec, kind, attempt, step, view);
    if (!id) return { view, retryInMs: view.waiting?.reason === "CreateContainerConfigError" ? 2000 : 5000 };
    let started = false;
    try {
      await this.deps.runtime.start(id);
      started = true;
      this.deps.recorder.record(pod, "Normal", "Started", `Started container ${spec.name}`, `spec.containers{${spec.name}}`);
    } catch (err) {
      this.deps.recorder.record(pod, "Warning", "Failed", `Error: ${(err as Error).message}`, `spec.containers{${spec.name}}`);
      log.warn({ err, container: spec.name }, "container failed to start");
    }
    if (started && spec.lifecycle?.postStart) {
      const failed = await runPostStart(pod, spec, { podIP: ctx.podIP, containerId: id, ports: spec.ports ?? [] }, this.deps.runtime, this.deps.recorder);
      if (failed) await this.stopContainer(pod, spec, { id } as RuntimeContainer, ctx.podIP, pod.spec.terminationGracePeriodSeconds ?? 30);
    }
    // Keep the newest finished instance for lastState and `logs --previous`; older ones go.
    for (const old of instances.slice(1)) await this.deps.runtime.remove(old.id);
    view.previous = cur;
    view.current = (await this.deps.runtime.inspect(id)) ?? undefined;
    view.restartCount = attempt;
    // A fast container may have exited already: its termination message belongs in this status.
    return { view: await this.withMessages(pod, view), retryInMs: 0 };
  }

  /**
   * Adds the termination messages of the view's finished instances: the terminationMessagePath
   * file, or — policy FallbackToLogsOnError, failed and the file empty — the log's tail.
   */
  private async withMessages(pod: Pod, view: ContainerView): Promise<ContainerView> {
    const messages: Record<string, string> = {};
    const spec = [...containersOf(pod), ...initContainersOf(pod)].find((c) => c.name === view.name);
    for (const c of [view.current, view.previous]) {
      if (!c || !isFinished(c)) continue;
      const m = await this.deps.volumes.terminationMessage(pod.metadata.uid!, view.name, attemptOf(c))
        ?? (spec?.terminationMessagePolicy === "FallbackToLogsOnError" && c.exitCode !== 0 ? await this.logTail(c) : undefined);
      if (m) messages[c.id] = m;
    }
    return { ...view, messages };
  }

  /** Log tails of finished containers by id (they never change once the container exited). */
  private readonly logTails = new Map<string, string>();

  /** The kubelet's fallback message: the last 80 lines of the log, at most 2048 bytes. */
  private async logTail(c: RuntimeContainer): Promise<string | undefined> {
    const cached = this.logTails.get(c.id);
    if (cached !== undefined) return cached || undefined;
    let text = "";
    // Why retry: the engine copies a container's output to its log asynchronously, so right
    // after the exit the log may still be empty — and a finished pod's status is written once.
    for (let i = 0; i < 5; i++) {
      try {
        const chunks: Buffer[] = [];
        for await (const ch of await this.deps.runtime.logs(c.id, { tailLines: 80 })) chunks.push(Buffer.from(ch as Buffer));
        const all = Buffer.concat(chunks);
        text = all.subarray(Math.max(0, all.length - 2048)).toString("utf8");
      } catch (err) {
        this.deps.log.debug({ err, container: c.id }, "cannot read the log for the termination message");
        return undefined;
      }
      if (text || Date.now() - Date.parse(c.finishedAt ?? "") > 5000) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    if (this.logTails.size >= 1000) this.logTails.delete(this.logTails.keys().next().value!);
    this.logTails.set(c.id, text);
    return text || undefined;
  }

  /** preStop, then SIGTERM and SIGKILL after what is left of the grace period. */
  private async stopContainer(pod: Pod, spec: RuntimeContainerSpec | undefined, c: RuntimeContainer, podIP: string | undefined, graceSeconds: number): Promise<void> {
    const spent = await runPreStop(pod, spec, { podIP, containerId: c.id, ports: spec?.ports ?? [] }, this.deps.runtime, this.deps.recorder, graceSeconds * 1000);
    await this.deps.runtime.stop(c.id, Math.max(2, graceSeconds - spent / 1000));
  }

  private readonly backedOff = new Set<string>();

  private async createContainer(ctx: SyncContext, spec: RuntimeContainerSpec, kind: string, attempt: number, step: number, view: ContainerView): Promise<string | undefined> {
    const { pod, sandbox } = ctx;
    const res = spec.resources ?? {};
    const memLimit = res.limits?.memory !== undefined ? memoryToBytes(res.limits.memory) : undefined;
    const cpuLimit = res.limits?.cpu !== undefined ? cpuToMilli(res.limits.cpu) : undefined;
    const cpuRequest = res.requests?.cpu !== undefined ? cpuToMilli(res.requests.cpu) : cpuLimit;
    const fieldPath = `spec.${kind === INIT ? "initContainers" : "containers"}{${spec.name}}`;
    let env: Map<string, string>;
    let mounts;
    try {
      // The downward API's status.podIP must see this sandbox's IP even before status is written.
      const withIP: Pod = { ...pod, status: { ...pod.status, podIP: ctx.podIP, podIPs: ctx.podIP ? [{ ip: ctx.podIP }] : [], hostIP: this.opts.hostIP, hostIPs: [{ ip: this.opts.hostIP }] } };
      env = resolveEnv(withIP, spec, this.deps.sources);
      // Service links come first; the pod's own variables win over them.
      const links = this.opts.serviceNetwork?.envFor(pod) ?? [];
      if (links.length) env = new Map([...links.map((kv): [string, string] => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]), ...env]);
      const tlog = await this.deps.volumes.terminationLog(pod.metadata.uid!, spec.name, attempt);
      mounts = await this.deps.volumes.mountsFor(spec, ctx.vols!, { host: tlog, target: spec.terminationMessagePath ?? "/dev/termination-log" });
    } catch (err) {
      if (!(err instanceof ConfigError || err instanceof MountError)) throw err;
      view.waiting = { reason: "CreateContainerConfigError", message: err.message };
      this.deps.recorder.record(pod, "Warning", "Failed", `Error: ${err.message}`, fieldPath);
      return undefined;
    }
    try {
      const id = await this.deps.runtime.create({
        name: containerName(pod, spec.name, attempt),
        image: spec.image,
        labels: { ...this.podLabels(pod), [L.kind]: kind, [L.containerName]: spec.name, [ATTEMPT]: String(attempt), [BACKOFF_STEP]: String(step) },
        command: spec.command?.map((x) => expand(x, env)),
        args: spec.args?.map((x) => expand(x, env)),
        env: [...env].map(([k, v]) => `${k}=${v}`),
        workingDir: spec.workingDir,
        sandboxId: sandbox!.id,
        memoryBytes: memLimit,
        nanoCpus: cpuLimit !== undefined ? cpuLimit * 1_000_000 : undefined,
        // Shares as the kubelet computes them: request in millicores × 1024 / 1000, at least 2.
        cpuShares: cpuRequest !== undefined ? Math.max(2, Math.floor((cpuRequest * 1024) / 1000)) : 2,
        tty: spec.tty === true,
        stdin: spec.stdin === true,
        stdinOnce: spec.stdinOnce === true,
        mounts,
        logMaxSize: this.opts.logMaxSize,
      });
      this.deps.recorder.record(pod, "Normal", "Created", `Created container ${spec.name}`, fieldPath);
      return id;
    } catch (err) {
      const message = (err as Error).message;
      view.waiting = { reason: "CreateContainerError", message };
      this.deps.recorder.record(pod, "Warning", "Failed", `Error: ${message}`, fieldPath);
      return undefined;
    }
  }

  /** Stops a terminating pod's containers within its grace period, then finishes the deletion. */
  private async terminate(pod: Pod, mine: RuntimeContainer[], log: Logger): Promise<void> {
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const apps = mine.filter((c) => c.labels[L.kind] !== "sandbox");
    const sandbox = mine.find((c) => c.labels[L.kind] === "sandbox" && c.state === "running");
    this.prober.forget(pod.metadata.uid!);
    await Promise.all(apps.map(async (c) => {
      if (c.state !== "running") return;
      const name = c.labels[L.containerName];
      this.deps.recorder.record(pod, "Normal", "Killing", `Stopping container ${name}`, `spec.containers{${name}}`);
      await this.stopContainer(pod, containersOf(pod).find((x) => x.name === name), c, sandbox?.ip, grace);
    }));
    await this.killAndRemove(mine, 2, log);
    await this.forgetPods(mine);
    try {
      await this.deps.client.delete("pods", pod.metadata.name!, pod.metadata.namespace, { gracePeriodSeconds: 0, preconditionUid: pod.metadata.uid });
      log.info("pod terminated and removed");
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  private async killAndRemove(cs: RuntimeContainer[], graceSeconds: number, log: Logger): Promise<void> {
    if (cs.length === 0) return;
    const apps = cs.filter((c) => c.labels[L.kind] !== "sandbox");
    const sandboxes = cs.filter((c) => c.labels[L.kind] === "sandbox");
    // App containers first: the sandbox holds their network namespace.
    await Promise.all(apps.map((c) => this.deps.runtime.stop(c.id, graceSeconds).then(() => this.deps.runtime.remove(c.id))));
    await Promise.all(sandboxes.map((c) => this.deps.runtime.stop(c.id, graceSeconds).then(() => this.deps.runtime.remove(c.id))));
    log.info({ containers: cs.length }, "removed containers");
  }

  private async writeStatus(pod: Pod, views: ContainerView[], podIP: string | undefined, init?: InitProgress, failed?: { reason: string; message: string }): Promise<void> {
    const status = computeStatus(pod, views, podIP, this.opts.hostIP, init, failed);
    if (!statusChanged(pod.status, status)) return;
    const { resourceVersion: _rv, ...metadata } = pod.metadata;
    try {
      // The agent owns pod status: write it without a resourceVersion so spec writers never conflict.
      await this.deps.client.updateStatus("pods", { ...pod, metadata, status });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}

/** What one reconcile of a pod found, passed to the per-container steps. */
interface SyncContext {
  pod: Pod;
  sandbox: RuntimeContainer | undefined;
  mine: RuntimeContainer[];
  log: Logger;
  vols: Map<string, PreparedVolume> | undefined;
  podIP: string | undefined;
}
