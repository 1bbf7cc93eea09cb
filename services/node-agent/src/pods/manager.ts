// The pod manager: one level-triggered reconcile per pod bound to this node. It reads the
// pod from the informer and the pod's containers from the runtime (by label), then acts to
// make them agree: sandbox, containers (pull, create, start, restart with back-off), graceful
// termination, and the pod's status. Nothing lives only in memory but back-off of image pulls.
import type { Logger } from "@skiff/log";
import {
  ContainerLabels as L, cpuToMilli, memoryToBytes, isNotFound, isConflict, objectKey, splitKey,
  type Pod, type Container,
} from "@skiff/api";
import { WorkQueue, runWorkers, type ApiClient, type Informer, type EventRecorder } from "@skiff/client";
import type { ContainerConfig, Runtime, RuntimeContainer } from "../runtime/runtime.js";
import { computeStatus, statusChanged, type ContainerView, type Waiting } from "./status.js";

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
  /** Service env vars and resolver settings for a pod (the service network; optional). */
  serviceNetwork?: { envFor(pod: Pod): string[]; dnsFor(pod: Pod): ContainerConfig["dns"] };
}

export interface PodManagerDeps {
  client: ApiClient;
  runtime: Runtime;
  pods: Informer<Pod>;
  recorder: EventRecorder;
  log: Logger;
}

/** Docker container names must be unique; these mirror the kubelet's k8s_… names. */
function containerName(pod: Pod, container: string, attempt: number): string {
  return `skiff_${container}_${pod.metadata.name}_${pod.metadata.namespace}_${pod.metadata.uid!.slice(0, 8)}_${attempt}`;
}

function attemptOf(c: RuntimeContainer): number {
  return Number(c.labels[ATTEMPT] ?? 0) || 0;
}

function isFinished(c: RuntimeContainer): boolean {
  return c.state === "exited" || c.state === "dead" || (c.state === "created" && !!c.error);
}

export class PodManager {
  private readonly queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 10_000 });
  /** Image pull back-off per pod uid/container (in memory: losing it only retries sooner). */
  private readonly pullBackoff = new Map<string, { failures: number; until: number; message: string }>();
  private resyncTimer?: NodeJS.Timeout;
  private stopEvents?: () => void;
  private stopped = false;
  private readonly nodeLabels: Record<string, string>;

  constructor(private readonly deps: PodManagerDeps, private readonly opts: PodManagerOptions) {
    this.nodeLabels = { [L.cluster]: opts.clusterName, [L.node]: opts.nodeName };
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
    this.queue.shutdown();
  }

  /** Re-queues every pod and every pod that still has containers here (orphans included). */
  async resync(): Promise<void> {
    for (const p of this.deps.pods.list()) this.queue.add(objectKey(p));
    const all = await this.deps.runtime.list(this.nodeLabels);
    const known = new Set(this.deps.pods.list().map((p) => p.metadata.uid));
    for (const c of all) {
      if (!known.has(c.labels[L.podUid])) this.queue.add(`${c.labels[L.podNamespace]}/${c.labels[L.podName]}`);
    }
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
      return;
    }
    const uid = pod.metadata.uid!;
    const stale = all.filter((c) => c.labels[L.podUid] !== uid);
    if (stale.length) await this.killAndRemove(stale, 2, log); // an older pod of the same name
    const mine = all.filter((c) => c.labels[L.podUid] === uid);

    if (pod.metadata.deletionTimestamp) {
      await this.terminate(pod, mine, log);
      return;
    }
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") {
      // A finished pod never runs again; its sandbox is no longer needed.
      const sandbox = mine.filter((c) => c.labels[L.kind] === "sandbox" && c.state === "running");
      for (const s of sandbox) await runtime.stop(s.id, 2);
      return;
    }

    const sandbox = await this.ensureSandbox(pod, mine, log);
    const views: ContainerView[] = [];
    let requeueMs = 0;
    for (const c of pod.spec.containers) {
      const { view, retryInMs } = await this.syncContainer(pod, c, sandbox, mine, log);
      views.push(view);
      if (retryInMs > 0) requeueMs = requeueMs ? Math.min(requeueMs, retryInMs) : retryInMs;
    }
    await this.writeStatus(pod, views, sandbox?.ip);
    if (requeueMs > 0) this.queue.addAfter(key, requeueMs);
  }

  private async ensureSandbox(pod: Pod, mine: RuntimeContainer[], log: Logger): Promise<RuntimeContainer | undefined> {
    const { runtime } = this.deps;
    const sandboxes = mine.filter((c) => c.labels[L.kind] === "sandbox").sort((a, b) => attemptOf(b) - attemptOf(a));
    const current = sandboxes[0];
    if (current?.state === "running") return current;
    const network = this.opts.network();
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
      hostname: pod.spec.hostname ?? pod.metadata.name!.slice(0, 63),
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
  private async syncContainer(pod: Pod, spec: Container, sandbox: RuntimeContainer | undefined, mine: RuntimeContainer[], log: Logger): Promise<{ view: ContainerView; retryInMs: number }> {
    const instances = mine
      .filter((c) => c.labels[L.kind] === "container" && c.labels[L.containerName] === spec.name)
      .sort((a, b) => attemptOf(b) - attemptOf(a));
    const [cur, prev] = instances;
    const view: ContainerView = { name: spec.name, image: spec.image, current: cur, previous: prev, restartCount: cur ? attemptOf(cur) : 0 };
    if (!sandbox) return { view, retryInMs: 1000 };
    if (cur && (cur.state === "running" || cur.state === "restarting" || cur.state === "paused")) return { view, retryInMs: 0 };
    if (cur && cur.state === "created" && !cur.error) {
      await this.deps.runtime.start(cur.id);
      view.current = (await this.deps.runtime.inspect(cur.id)) ?? cur;
      return { view, retryInMs: 0 };
    }
    let step = 0;
    if (cur && isFinished(cur)) {
      const policy = pod.spec.restartPolicy ?? "Always";
      const restart = policy === "Always" || (policy === "OnFailure" && cur.exitCode !== 0);
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
    const waiting = await this.ensureImage(pod, spec);
    if (waiting) {
      view.waiting = waiting.waiting;
      return { view, retryInMs: waiting.retryInMs };
    }
    const id = await this.createContainer(pod, spec, sandbox, attempt, step, view);
    if (!id) return { view, retryInMs: 5000 };
    try {
      await this.deps.runtime.start(id);
      this.deps.recorder.record(pod, "Normal", "Started", `Started container ${spec.name}`, `spec.containers{${spec.name}}`);
    } catch (err) {
      this.deps.recorder.record(pod, "Warning", "Failed", `Error: ${(err as Error).message}`, `spec.containers{${spec.name}}`);
      log.warn({ err, container: spec.name }, "container failed to start");
    }
    // Keep the newest finished instance for lastState and `logs --previous`; older ones go.
    for (const old of instances.slice(1)) await this.deps.runtime.remove(old.id);
    view.previous = cur;
    view.current = (await this.deps.runtime.inspect(id)) ?? undefined;
    view.restartCount = attempt;
    return { view, retryInMs: 0 };
  }

  private readonly backedOff = new Set<string>();

  /** Pulls by imagePullPolicy; returns why the container waits when the image is not there. */
  private async ensureImage(pod: Pod, spec: Container): Promise<{ waiting: Waiting; retryInMs: number } | undefined> {
    const { runtime, recorder } = this.deps;
    const policy = spec.imagePullPolicy ?? "IfNotPresent";
    const present = await runtime.imageExists(spec.image);
    const fieldPath = `spec.containers{${spec.name}}`;
    if (policy === "Never") {
      if (present) return undefined;
      const message = `Container image "${spec.image}" is not present with pull policy of Never`;
      recorder.record(pod, "Warning", "ErrImageNeverPull", message, fieldPath);
      return { waiting: { reason: "ErrImageNeverPull", message }, retryInMs: 10_000 };
    }
    if (present && policy === "IfNotPresent") {
      return undefined;
    }
    const bk = `${pod.metadata.uid}/${spec.name}`;
    const b = this.pullBackoff.get(bk);
    if (b && Date.now() < b.until) {
      return { waiting: { reason: "ImagePullBackOff", message: `Back-off pulling image "${spec.image}": ${b.message}` }, retryInMs: b.until - Date.now() + 10 };
    }
    recorder.record(pod, "Normal", "Pulling", `Pulling image "${spec.image}"`, fieldPath);
    const t0 = Date.now();
    try {
      await runtime.pull(spec.image);
      this.pullBackoff.delete(bk);
      recorder.record(pod, "Normal", "Pulled", `Successfully pulled image "${spec.image}" in ${Date.now() - t0}ms`, fieldPath);
      return undefined;
    } catch (err) {
      const message = (err as Error).message;
      const failures = (b?.failures ?? 0) + 1;
      const delay = Math.min(this.opts.backoffBaseMs * 2 ** (failures - 1), this.opts.backoffMaxMs);
      this.pullBackoff.set(bk, { failures, until: Date.now() + delay, message });
      recorder.record(pod, "Warning", "Failed", `Failed to pull image "${spec.image}": ${message}`, fieldPath);
      return { waiting: { reason: "ErrImagePull", message }, retryInMs: delay + 10 };
    }
  }

  private async createContainer(pod: Pod, spec: Container, sandbox: RuntimeContainer, attempt: number, step: number, view: ContainerView): Promise<string | undefined> {
    const res = spec.resources ?? {};
    const memLimit = res.limits?.memory !== undefined ? memoryToBytes(res.limits.memory) : undefined;
    const cpuLimit = res.limits?.cpu !== undefined ? cpuToMilli(res.limits.cpu) : undefined;
    const cpuRequest = res.requests?.cpu !== undefined ? cpuToMilli(res.requests.cpu) : cpuLimit;
    const env = (spec.env ?? []).filter((e) => e.value !== undefined || !e.valueFrom).map((e) => `${e.name}=${e.value ?? ""}`);
    env.unshift(...(this.opts.serviceNetwork?.envFor(pod) ?? [])); // service links first: the pod's own env wins
    try {
      const id = await this.deps.runtime.create({
        name: containerName(pod, spec.name, attempt),
        image: spec.image,
        labels: { ...this.podLabels(pod), [L.kind]: "container", [L.containerName]: spec.name, [ATTEMPT]: String(attempt), [BACKOFF_STEP]: String(step) },
        command: spec.command,
        args: spec.args,
        env,
        workingDir: spec.workingDir,
        sandboxId: sandbox.id,
        memoryBytes: memLimit,
        nanoCpus: cpuLimit !== undefined ? cpuLimit * 1_000_000 : undefined,
        // Shares as the kubelet computes them: request in millicores × 1024 / 1000, at least 2.
        cpuShares: cpuRequest !== undefined ? Math.max(2, Math.floor((cpuRequest * 1024) / 1000)) : 2,
        tty: spec.tty === true,
      });
      this.deps.recorder.record(pod, "Normal", "Created", `Created container ${spec.name}`, `spec.containers{${spec.name}}`);
      return id;
    } catch (err) {
      const message = (err as Error).message;
      view.waiting = { reason: "CreateContainerError", message };
      this.deps.recorder.record(pod, "Warning", "Failed", `Error: ${message}`, `spec.containers{${spec.name}}`);
      return undefined;
    }
  }

  /** Stops a terminating pod's containers within its grace period, then finishes the deletion. */
  private async terminate(pod: Pod, mine: RuntimeContainer[], log: Logger): Promise<void> {
    const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
    const apps = mine.filter((c) => c.labels[L.kind] !== "sandbox");
    await Promise.all(apps.map(async (c) => {
      if (c.state === "running") this.deps.recorder.record(pod, "Normal", "Killing", `Stopping container ${c.labels[L.containerName]}`, `spec.containers{${c.labels[L.containerName]}}`);
      await this.deps.runtime.stop(c.id, grace);
    }));
    await this.killAndRemove(mine, 2, log);
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

  private async writeStatus(pod: Pod, views: ContainerView[], podIP: string | undefined): Promise<void> {
    const status = computeStatus(pod, views, podIP, this.opts.hostIP);
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
