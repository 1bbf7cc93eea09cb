// syncPod: one level-triggered pass over one pod. It reads the pod from the informer and its
// containers from the runtime (by label) and makes them agree: sandbox, volumes, init containers
// in order, app containers, probes, and the pod's status — or stops what must not run.
import type { Logger } from "@skiff/log";
import { ContainerLabels as L, containersOf, initContainersOf, splitKey, type Pod } from "@skiff/api";
import type { EventRecorder } from "@skiff/client";
import type { Runtime, RuntimeContainer } from "../runtime/runtime.js";
import { ConfigError } from "../config/env.js";
import { MountError, type PreparedVolume, type VolumeManager } from "../volumes/volumes.js";
import type { ProberManager } from "../prober/manager.js";
import type { ContainerView, InitProgress } from "./status.js";
import type { StatusManager } from "./status-manager.js";
import type { Terminator } from "./termination.js";
import type { TerminationMessages } from "./termination-message.js";
import type { Sandboxes } from "./kuberuntime/sandbox.js";
import type { ContainerSync, SyncContext } from "./kuberuntime/containers.js";
import { APP, INIT, attemptOf, instancesOf, isFinished, isSandbox } from "./kuberuntime/labels.js";
import { DEADLINE_EXCEEDED, deadlineLeftMs } from "./deadline.js";
import { forbiddenSysctl } from "./kuberuntime/security-context.js";
import type { PodSource } from "./manager.js";

export interface PodSyncDeps {
  runtime: Runtime;
  pods: PodSource;
  recorder: EventRecorder;
  volumes: VolumeManager;
  prober: ProberManager;
  status: StatusManager;
  terminator: Terminator;
  sandboxes: Sandboxes;
  containers: ContainerSync;
  messages: TerminationMessages;
  /** Forgets image pull back-off of a pod. */
  forgetImages: (uid: string) => void;
  /** Labels of everything this agent runs (node, cluster). */
  nodeLabels: Record<string, string>;
  /** The node's IP (a hostNetwork pod's IP). */
  hostIP: string;
  /** Unsafe sysctls (or "prefix*" patterns) pods may set here (the kubelet's --allowed-unsafe-sysctls). */
  allowedUnsafeSysctls?: ReadonlySet<string>;
  log: Logger;
}

export class PodSync {
  /** Last FailedMount / config message per pod uid, so the event is recorded once per change. */
  private readonly lastMountError = new Map<string, string>();

  constructor(private readonly deps: PodSyncDeps) {}

  /** Brings one pod's containers and status in line with its spec; returns when to look again (ms, 0: on events only). */
  async syncPod(key: string): Promise<number> {
    const { runtime, pods, terminator, prober } = this.deps;
    const { namespace, name } = splitKey(key);
    const log = this.deps.log.child({ pod: key });
    const pod = pods.get(key);
    const all = await runtime.list({ ...this.deps.nodeLabels, [L.podNamespace]: namespace, [L.podName]: name });
    if (!pod) {
      // The pod is gone from the API (deleted, or bound elsewhere now): nothing of it may run here.
      await terminator.killAndRemove(all, 2, log);
      await this.forget(all);
      return 0;
    }
    const uid = pod.metadata.uid!;
    const stale = all.filter((c) => c.labels[L.podUid] !== uid);
    if (stale.length) {
      await terminator.killAndRemove(stale, 2, log); // an older pod of the same name
      await this.forget(stale);
    }
    const mine = all.filter((c) => c.labels[L.podUid] === uid);

    if (pod.metadata.deletionTimestamp) {
      await terminator.terminate(pod, mine, log);
      return 0;
    }
    const phase = pod.status?.phase;
    const evicted = terminator.evictionOf(uid);
    if (evicted !== undefined && phase !== "Failed") {
      await terminator.evict(pod, mine, evicted, log);
      return 0;
    }
    if (phase === "Succeeded" || phase === "Failed") {
      // A finished pod never runs again; its sandbox is no longer needed.
      prober.forget(uid);
      for (const s of mine.filter((c) => isSandbox(c) && c.state === "running")) await runtime.stop(s.id, 2);
      return 0;
    }

    // activeDeadlineSeconds: past it the pod is stopped and Failed (DeadlineExceeded); until then, look again at it.
    const left = deadlineLeftMs(pod.spec, pod.status?.startTime);
    if (left !== undefined && left <= 0) {
      terminator.requestEviction(uid, DEADLINE_EXCEEDED.message, DEADLINE_EXCEEDED.reason);
      await terminator.evict(pod, mine, DEADLINE_EXCEEDED, log);
      return 0;
    }
    // The kubelet's admission of sysctls: a pod asking for one not allowlisted never runs here.
    const sysctl = forbiddenSysctl(pod, this.deps.allowedUnsafeSysctls);
    if (sysctl) {
      const rejected = { reason: "SysctlForbidden", message: `Pod was rejected: ${sysctl}` };
      terminator.requestEviction(uid, rejected.message, rejected.reason);
      await terminator.evict(pod, mine, rejected, log);
      return 0;
    }
    const sb = await this.deps.sandboxes.ensure(pod, mine, log);
    // A hostNetwork pod's IP is the node's.
    const withIP = (s: RuntimeContainer) => (pod.spec.hostNetwork === true ? { ...s, ip: this.deps.hostIP } : s);
    let requeueMs = left !== undefined ? left + 50 : 0;
    const retry = (ms: number) => {
      if (ms > 0) requeueMs = requeueMs ? Math.min(requeueMs, ms) : ms;
    };

    // Volumes first: no container starts before every volume it could mount is ready. They are
    // set up (and the containers created) while a new sandbox starts; ctx learns its IP once it runs.
    const ctx: SyncContext = { pod, sandbox: withIP(sb.sandbox), mine, log, vols: undefined, podIP: withIP(sb.sandbox).ip, sandboxStarted: Promise.resolve() };
    ctx.sandboxStarted = sb.started.then((s) => {
      ctx.sandbox = withIP(s);
      ctx.podIP = ctx.sandbox.ip;
    });
    ctx.sandboxStarted.catch(() => undefined); // awaited below; a failed start fails this pass there
    ctx.vols = await this.setUpVolumes(pod, retry);
    const vols = ctx.vols;
    const init = await this.syncInit(ctx, retry);
    const views: ContainerView[] = [];
    for (const c of containersOf(pod)) {
      if (!init.done || !vols) {
        views.push(this.deps.containers.idleView(c, mine, APP, init.done ? "ContainerCreating" : "PodInitializing"));
        continue;
      }
      const { view, retryInMs } = await this.deps.containers.sync(ctx, c, APP);
      const id = view.current?.state === "running" ? view.current.id : undefined;
      prober.sync(pod, c, id, ctx.podIP);
      view.started = prober.started(uid, c, id);
      view.ready = prober.ready(uid, c, id);
      views.push(view);
      retry(retryInMs);
    }
    await ctx.sandboxStarted;
    await this.deps.status.write(pod, views, ctx.podIP, init);
    return requeueMs;
  }

  /** Stops probing pods whose containers were removed, forgets what is held for them, removes their directories. */
  async forget(cs: RuntimeContainer[]): Promise<void> {
    for (const uid of new Set(cs.map((c) => c.labels[L.podUid]))) {
      this.deps.prober.forget(uid);
      this.deps.forgetImages(uid);
      this.deps.status.forget(uid);
      this.deps.terminator.forget(uid);
      this.lastMountError.delete(uid);
      await this.deps.volumes.tearDown(uid);
    }
  }

  /** The pod's volumes, or undefined (FailedMount recorded once per message) when one is not ready. */
  private async setUpVolumes(pod: Pod, retry: (ms: number) => void): Promise<Map<string, PreparedVolume> | undefined> {
    const uid = pod.metadata.uid!;
    try {
      const vols = await this.deps.volumes.setUp(pod);
      this.lastMountError.delete(uid);
      return vols;
    } catch (err) {
      if (!(err instanceof MountError || err instanceof ConfigError)) throw err;
      if (this.lastMountError.get(uid) !== err.message) {
        this.lastMountError.set(uid, err.message);
        this.deps.recorder.record(pod, "Warning", "FailedMount", `MountVolume.SetUp failed: ${err.message}`);
      }
      retry(2000);
      return undefined;
    }
  }

  /** Init containers in order, each to successful completion before the next; the app containers wait for all. */
  private async syncInit(ctx: SyncContext, retry: (ms: number) => void): Promise<InitProgress> {
    const { containers } = this.deps;
    const views: ContainerView[] = [];
    let done = true;
    let failed = false;
    for (const c of initContainersOf(ctx.pod)) {
      if (!done || !ctx.vols) {
        views.push(containers.idleView(c, ctx.mine, INIT, "PodInitializing"));
        done = false;
        continue;
      }
      const [cur] = instancesOf(ctx.mine, INIT, c.name);
      if (cur && isFinished(cur) && cur.exitCode === 0) {
        views.push(await this.deps.messages.withMessages(ctx.pod, { name: c.name, image: c.image, current: cur, restartCount: attemptOf(cur) }));
        continue;
      }
      done = false;
      const { view, retryInMs } = await containers.sync(ctx, c, INIT);
      retry(retryInMs);
      views.push(view);
      const now = view.current;
      if (now && isFinished(now) && now.exitCode !== 0 && (ctx.pod.spec.restartPolicy ?? "Always") === "Never") failed = true;
    }
    return { views, done, failed };
  }
}
