// One container of a pod per pass: start it, restart it by restartPolicy with CrashLoopBackOff,
// restart it when liveness gives up, run postStart, or report why it waits.
import type { Logger } from "@skiff/log";
import type { Pod, RuntimeContainerSpec } from "@skiff/api";
import type { EventRecorder } from "@skiff/client";
import type { Runtime, RuntimeContainer } from "../../runtime/runtime.js";
import { ConfigError } from "../../config/env.js";
import { MountError, type PreparedVolume, type VolumeManager, type VolumeSources } from "../../volumes/volumes.js";
import type { ProberManager } from "../../prober/manager.js";
import { runPostStart } from "../../lifecycle/hooks.js";
import type { ContainerView } from "../status.js";
import type { ImageWaiting } from "../../images/puller.js";
import type { TerminationMessages } from "../termination-message.js";
import { INIT, attemptOf, instancesOf, isFinished } from "./labels.js";
import { crashBackoff, shouldRestart, type CrashBackoffOptions } from "./backoff.js";
import { containerConfig, type ContainerConfigOptions } from "./container-config.js";
import { securityConfig } from "./security-context.js";

/** What one pass over a pod found, passed to the per-container steps. */
export interface SyncContext {
  pod: Pod;
  /** The pod's sandbox; while `sandboxStarted` is pending, a new one that is still starting. */
  sandbox: RuntimeContainer | undefined;
  mine: RuntimeContainer[];
  log: Logger;
  vols: Map<string, PreparedVolume> | undefined;
  /** The pod's IP; known once `sandboxStarted` has settled. */
  podIP: string | undefined;
  /** Settles once the sandbox runs (sandbox and podIP then updated); rejects when it cannot start. */
  sandboxStarted: Promise<void>;
}

/** Whether a container's environment reads the pod's IP (so it cannot be created before the sandbox runs). */
function readsPodIP(spec: RuntimeContainerSpec): boolean {
  return (spec.env ?? []).some((e) => /^status\.podIPs?$/.test(e.valueFrom?.fieldRef?.fieldPath ?? ""));
}

/** A container's view for the status, and when to look at it again (0: only on events). */
export interface ContainerResult {
  view: ContainerView;
  retryInMs: number;
}

export interface ContainerSyncDeps {
  runtime: Runtime;
  recorder: EventRecorder;
  prober: ProberManager;
  volumes: VolumeManager;
  sources: VolumeSources;
  messages: TerminationMessages;
  images: { ensure(pod: Pod, spec: RuntimeContainerSpec, fieldPath: string): Promise<ImageWaiting | undefined>; forgetPresent?(image: string): void };
  /** preStop, then stop within the grace period (termination). */
  stopContainer: (pod: Pod, spec: RuntimeContainerSpec | undefined, c: RuntimeContainer, podIP: string | undefined, graceSeconds: number) => Promise<void>;
}

export type ContainerSyncOptions = CrashBackoffOptions & ContainerConfigOptions;

export class ContainerSync {
  /** Finished instances whose BackOff event was recorded (once per instance). */
  private readonly backedOff = new Set<string>();

  constructor(
    private readonly deps: ContainerSyncDeps,
    private readonly opts: ContainerSyncOptions,
  ) {}

  /** A view of a container that is not being started yet (init containers or volumes pending). */
  idleView(c: RuntimeContainerSpec, mine: RuntimeContainer[], kind: string, reason: string): ContainerView {
    const [cur, prev] = instancesOf(mine, kind, c.name);
    return { name: c.name, image: c.image, current: cur, previous: prev, restartCount: cur ? attemptOf(cur) : 0, waiting: { reason } };
  }

  /** One container: start it, restart it per policy (with back-off), or report why it waits. */
  async sync(ctx: SyncContext, spec: RuntimeContainerSpec, kind: string): Promise<ContainerResult> {
    const { pod, sandbox, log } = ctx;
    const { runtime, recorder, prober, messages } = this.deps;
    // Containers are created while a new sandbox starts, but start only in a running one.
    const sandboxRuns = async () => {
      await ctx.sandboxStarted;
    };
    const instances = instancesOf(ctx.mine, kind, spec.name);
    let [cur] = instances;
    const prev = instances[1];
    const view: ContainerView = await messages.withMessages(pod, {
      name: spec.name,
      image: spec.image,
      current: cur,
      previous: prev,
      restartCount: cur ? attemptOf(cur) : 0,
    });
    if (!sandbox) return { view, retryInMs: 1000 };
    if (cur && cur.state === "running" && kind !== INIT) {
      const why = prober.mustRestart(pod.metadata.uid!, spec, cur.id);
      if (!why) return { view, retryInMs: 0 };
      // Liveness (or startup) gave up on this instance: stop it like a deletion would, then restart per policy.
      recorder.record(pod, "Normal", "Killing", why, `spec.containers{${spec.name}}`);
      prober.forget(pod.metadata.uid!, spec.name);
      // A probe's own terminationGracePeriodSeconds wins over the pod's (Kubernetes 1.25+).
      const probe = (/failed startup probe/.test(why) ? spec.startupProbe : spec.livenessProbe) as { terminationGracePeriodSeconds?: number } | undefined;
      await this.deps.stopContainer(pod, spec, cur, ctx.podIP, probe?.terminationGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30);
      cur = (await runtime.inspect(cur.id)) ?? cur;
      view.current = cur;
      Object.assign(view, await messages.withMessages(pod, view));
    }
    if (cur && (cur.state === "running" || cur.state === "restarting" || cur.state === "paused")) return { view, retryInMs: 0 };
    if (cur && cur.state === "created" && !cur.error) {
      await sandboxRuns();
      await runtime.start(cur.id);
      view.current = (await runtime.inspect(cur.id)) ?? cur;
      return { view: await messages.withMessages(pod, view), retryInMs: 0 };
    }
    let step = 0;
    if (cur && isFinished(cur)) {
      if (!shouldRestart(pod, kind, cur)) return { view, retryInMs: 0 };
      const b = crashBackoff(cur, this.opts);
      step = b.step;
      if (Date.now() < b.readyAt) {
        view.waiting = {
          reason: "CrashLoopBackOff",
          message: `back-off ${Math.round(b.delayMs / 1000)}s restarting failed container=${spec.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`,
        };
        if (!this.backedOff.has(cur.id)) {
          this.backedOff.add(cur.id);
          recorder.record(pod, "Warning", "BackOff", "Back-off restarting failed container", `spec.containers{${spec.name}}`);
        }
        return { view, retryInMs: b.readyAt - Date.now() + 10 };
      }
    }
    const attempt = cur ? attemptOf(cur) + 1 : 0;
    const waiting = await this.deps.images.ensure(pod, spec, `spec.${kind === INIT ? "initContainers" : "containers"}{${spec.name}}`);
    if (waiting) {
      view.waiting = waiting.waiting;
      return { view, retryInMs: waiting.retryInMs };
    }
    if (readsPodIP(spec)) await sandboxRuns();
    const id = await this.create(ctx, spec, kind, attempt, step, view);
    if (!id) return { view, retryInMs: view.waiting?.reason === "CreateContainerConfigError" ? 2000 : 5000 };
    await sandboxRuns();
    let started = false;
    try {
      await runtime.start(id);
      started = true;
      recorder.record(pod, "Normal", "Started", `Started container ${spec.name}`, `spec.containers{${spec.name}}`);
    } catch (err) {
      recorder.record(pod, "Warning", "Failed", `Error: ${(err as Error).message}`, `spec.containers{${spec.name}}`);
      log.warn({ err, container: spec.name }, "container failed to start");
    }
    if (started && spec.lifecycle?.postStart) {
      const failed = await runPostStart(pod, spec, { podIP: ctx.podIP, containerId: id, ports: spec.ports ?? [] }, runtime, recorder);
      if (failed) await this.deps.stopContainer(pod, spec, { id } as RuntimeContainer, ctx.podIP, pod.spec.terminationGracePeriodSeconds ?? 30);
    }
    // Keep the newest finished instance for lastState and `logs --previous`; older ones go.
    for (const old of instances.slice(1)) await runtime.remove(old.id);
    view.previous = cur;
    view.current = (await runtime.inspect(id)) ?? undefined;
    view.restartCount = attempt;
    // A fast container may have exited already: its termination message belongs in this status.
    // A failed start is looked at again soon (the engine's create/start events no longer re-queue the pod).
    return { view: await messages.withMessages(pod, view), retryInMs: started ? 0 : 1000 };
  }

  /** Creates the instance; on a config or engine error sets the view's waiting reason and returns undefined. */
  private async create(
    ctx: SyncContext,
    spec: RuntimeContainerSpec,
    kind: string,
    attempt: number,
    backoffStep: number,
    view: ContainerView,
  ): Promise<string | undefined> {
    const { pod } = ctx;
    const { recorder } = this.deps;
    const fieldPath = `spec.${kind === INIT ? "initContainers" : "containers"}{${spec.name}}`;
    let config: Awaited<ReturnType<typeof containerConfig>>;
    try {
      const imageUser = () =>
        this.deps.runtime.imageUser(spec.image).catch((err: Error) => {
          throw new ConfigError(`cannot read the user of image "${spec.image}": ${err.message}`);
        });
      const security = await securityConfig(pod, spec, imageUser);
      config = {
        ...(await containerConfig(
          { pod, spec, kind, attempt, backoffStep, sandbox: ctx.sandbox!, podIP: ctx.podIP, vols: ctx.vols! },
          this.deps.volumes,
          this.deps.sources,
          this.opts,
        )),
        ...security,
      };
    } catch (err) {
      if (!(err instanceof ConfigError || err instanceof MountError)) throw err;
      view.waiting = { reason: "CreateContainerConfigError", message: err.message };
      recorder.record(pod, "Warning", "Failed", `Error: ${err.message}`, fieldPath);
      return undefined;
    }
    try {
      const id = await this.deps.runtime.create(config);
      recorder.record(pod, "Normal", "Created", `Created container ${spec.name}`, fieldPath);
      return id;
    } catch (err) {
      const message = (err as Error).message;
      if (/no such image/i.test(message)) this.deps.images.forgetPresent?.(spec.image);
      view.waiting = { reason: "CreateContainerError", message };
      recorder.record(pod, "Warning", "Failed", `Error: ${message}`, fieldPath);
      return undefined;
    }
  }
}
