// Stopping pods: a container's preStop hook and grace period, a deleted pod's last status and
// removal, evictions (Failed/Evicted), and the removal of containers nothing wants any more.
import type { Logger } from "@skiff/log";
import { ContainerLabels as L, containersOf, initContainersOf, isConflict, isNotFound, type Pod, type RuntimeContainerSpec } from "@skiff/api";
import type { ApiClient, EventRecorder } from "@skiff/client";
import type { Runtime, RuntimeContainer } from "../runtime/runtime.js";
import type { ProberManager } from "../prober/manager.js";
import { runPreStop } from "../lifecycle/hooks.js";
import type { ContainerView, InitProgress } from "./status.js";
import type { StatusManager } from "./status-manager.js";
import type { TerminationMessages } from "./termination-message.js";
import { APP, INIT, attemptOf, instancesOf, isFinished, isSandbox } from "./kuberuntime/labels.js";

export interface TerminatorDeps {
  client: ApiClient;
  runtime: Runtime;
  recorder: EventRecorder;
  prober: ProberManager;
  status: StatusManager;
  messages: TerminationMessages;
  /** Labels of everything this agent runs (node, cluster). */
  nodeLabels: Record<string, string>;
  /** Forgets what the agent holds for the pods of these containers (probes, back-off, directories…). */
  forget: (cs: RuntimeContainer[]) => Promise<void>;
}

/** Why a pod ends Failed by the agent's decision (status reason and message). */
export interface PodFailure {
  reason: string;
  message: string;
}

export class Terminator {
  /** Pods (by uid) the agent decided to stop for good (eviction, deadline), with the reason and message; kept until the pod is forgotten. */
  private readonly evictions = new Map<string, PodFailure>();
  private readonly evictedRecorded = new Set<string>();

  constructor(private readonly deps: TerminatorDeps) {}

  /** Marks a pod for eviction; false when it already is. */
  requestEviction(uid: string, message: string, reason = "Evicted"): boolean {
    if (this.evictions.has(uid)) return false;
    this.evictions.set(uid, { reason, message });
    return true;
  }

  /** Why the agent stops a pod for good (Evicted, DeadlineExceeded), if it does. */
  evictionOf(uid: string): PodFailure | undefined {
    return this.evictions.get(uid);
  }

  forget(uid: string): void {
    this.evictions.delete(uid);
    this.evictedRecorded.delete(uid);
  }

  /** preStop, then SIGTERM and SIGKILL after what is left of the grace period. */
  async stopContainer(pod: Pod, spec: RuntimeContainerSpec | undefined, c: RuntimeContainer, podIP: string | undefined, graceSeconds: number): Promise<void> {
    const spent = await runPreStop(
      pod,
      spec,
      { podIP, containerId: c.id, ports: spec?.ports ?? [] },
      this.deps.runtime,
      this.deps.recorder,
      graceSeconds * 1000,
    );
    await this.deps.runtime.stop(c.id, Math.max(2, graceSeconds - spent / 1000));
  }

  /** Stops and removes containers: app containers first, as the sandbox holds their network namespace. */
  async killAndRemove(cs: RuntimeContainer[], graceSeconds: number, log: Logger): Promise<void> {
    if (cs.length === 0) return;
    const { runtime } = this.deps;
    const gone = (c: RuntimeContainer) => runtime.stop(c.id, graceSeconds).then(() => runtime.remove(c.id));
    await Promise.all(cs.filter((c) => !isSandbox(c)).map(gone));
    await Promise.all(cs.filter(isSandbox).map(gone));
    log.info({ containers: cs.length }, "removed containers");
  }

  /**
   * A terminating pod: its running containers stop within the grace period (preStop first), the
   * status with their final states is written, the containers go, and the deletion is finished.
   */
  async terminate(pod: Pod, mine: RuntimeContainer[], log: Logger): Promise<void> {
    const { recorder, runtime } = this.deps;
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const sandbox = mine.find((c) => isSandbox(c) && c.state === "running");
    this.deps.prober.forget(pod.metadata.uid!);
    await Promise.all(
      mine
        .filter((c) => !isSandbox(c) && c.state === "running")
        .map(async (c) => {
          const name = c.labels[L.containerName];
          recorder.record(pod, "Normal", "Killing", `Stopping container ${name}`, `spec.containers{${name}}`);
          await this.stopContainer(
            pod,
            containersOf(pod).find((x) => x.name === name),
            c,
            sandbox?.ip,
            grace,
          );
        }),
    );
    // Only with containers to report: a pass after they were removed (the delete below failed)
    // must not overwrite the final status with "never started".
    if (mine.some((c) => !isSandbox(c))) {
      const now = await runtime.list({ ...this.deps.nodeLabels, [L.podUid]: pod.metadata.uid! });
      const { views, init } = await this.finalViews(pod, now);
      // The removal must not hinge on this write: a failed one is logged and the pod goes anyway.
      await this.deps.status.write(pod, views, sandbox?.ip, init).catch((err) => log.warn({ err }, "cannot write the terminated pod's status"));
    }
    await this.killAndRemove(mine, 2, log);
    await this.deps.forget(mine);
    try {
      await this.deps.client.delete("pods", pod.metadata.name!, pod.metadata.namespace, { gracePeriodSeconds: 0, preconditionUid: pod.metadata.uid });
      log.info("pod terminated and removed");
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  /** Stops an evicted pod's containers (preStop, grace period) and writes the Failed/Evicted status. */
  async evict(pod: Pod, mine: RuntimeContainer[], failure: PodFailure, log: Logger): Promise<void> {
    const { message } = failure;
    const { runtime } = this.deps;
    const uid = pod.metadata.uid!;
    // The event first, as the kubelet's eviction manager does (whoever sees the pod Failed finds
    // it); once per eviction: the informer may still show the pod running for one more pass.
    if (!this.evictedRecorded.has(uid)) {
      this.evictedRecorded.add(uid);
      // The kubelet's events: Normal DeadlineExceeded, else Warning (Evicted, SysctlForbidden).
      this.deps.recorder.record(pod, failure.reason === "DeadlineExceeded" ? "Normal" : "Warning", failure.reason, message);
      log.info({ message }, "pod evicted");
    }
    this.deps.prober.forget(uid);
    const sandbox = mine.find((c) => isSandbox(c) && c.state === "running");
    const grace = pod.spec.terminationGracePeriodSeconds ?? 30;
    await Promise.all(
      mine
        .filter((c) => !isSandbox(c) && c.state === "running")
        .map((c) => {
          const name = c.labels[L.containerName];
          return this.stopContainer(
            pod,
            containersOf(pod).find((x) => x.name === name),
            c,
            sandbox?.ip,
            grace,
          );
        }),
    );
    const now = await runtime.list({ ...this.deps.nodeLabels, [L.podUid]: uid });
    const views = await Promise.all(containersOf(pod).map((c) => this.finalView(pod, now, APP, c)));
    // A second pass finds the sandbox stopped: the pod keeps the IP it had (no second write).
    await this.deps.status.write(pod, views, sandbox?.ip ?? pod.status?.podIP, undefined, failure);
    if (sandbox) await runtime.stop(sandbox.id, 2);
  }

  /** The stopped pod's containers as status views (init containers with their progress). */
  private async finalViews(pod: Pod, now: RuntimeContainer[]): Promise<{ views: ContainerView[]; init: InitProgress }> {
    const views = await Promise.all(containersOf(pod).map((c) => this.finalView(pod, now, APP, c)));
    const initViews = await Promise.all(initContainersOf(pod).map((c) => this.finalView(pod, now, INIT, c)));
    const done = initViews.every((v) => v.current && isFinished(v.current) && v.current.exitCode === 0);
    return { views, init: { views: initViews, done, failed: false } };
  }

  private finalView(pod: Pod, now: RuntimeContainer[], kind: string, c: RuntimeContainerSpec): Promise<ContainerView> {
    const [cur, prev] = instancesOf(now, kind, c.name);
    return this.deps.messages.withMessages(pod, { name: c.name, image: c.image, current: cur, previous: prev, restartCount: cur ? attemptOf(cur) : 0 });
  }
}
