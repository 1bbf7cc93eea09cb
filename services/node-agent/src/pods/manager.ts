// The pod manager (the kubelet's pod workers): a queue of pods bound to this node, fed by the
// informer, runtime events and a periodic resync, worked by syncPod (sync.ts). It wires the
// parts: sandbox and containers (kuberuntime/), termination, the status manager; pulls are images/.
import type { Logger } from "@skiff/log";
import { ContainerLabels as L, objectKey, type Pod } from "@skiff/api";
import { WorkQueue, runWorkers, type ApiClient, type Informer, type EventRecorder } from "@skiff/client";
import type { ContainerConfig, Runtime } from "../runtime/runtime.js";
import type { VolumeManager, VolumeSources } from "../volumes/volumes.js";
import { ProberManager } from "../prober/manager.js";
import type { ImagePuller } from "../images/puller.js";
import { PodSync } from "./sync.js";
import { StatusManager } from "./status-manager.js";
import { TerminationMessages } from "./termination-message.js";
import { Terminator } from "./termination.js";
import { Sandboxes } from "./kuberuntime/sandbox.js";
import { ContainerSync } from "./kuberuntime/containers.js";

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
  /** Unsafe sysctls pods may set here (--allowed-unsafe-sysctls). */
  allowedUnsafeSysctls?: string[];
  /** Service env vars and resolver settings for a pod (the service network; optional). */
  serviceNetwork?: { envFor(pod: Pod): string[]; dnsFor(pod: Pod): ContainerConfig["dns"] };
}

/** The pods bound to this node as the manager reads them: an Informer, or a hollow node's share of a fleet's one. */
export type PodSource = Pick<Informer<Pod>, "get" | "list" | "addHandlers" | "waitForSync">;

export interface PodManagerDeps {
  client: ApiClient;
  runtime: Runtime;
  pods: PodSource;
  recorder: EventRecorder;
  log: Logger;
  /** Pod volumes on this node (emptyDir, configMap, PVC…). */
  volumes: VolumeManager;
  /** ConfigMaps, Secrets, claims and volumes for env and volumes (informer caches). */
  sources: VolumeSources;
  /** Image pulls (policy, pull secrets, back-off, events): images/puller.ts. */
  images: ImagePuller;
}

export class PodManager {
  private readonly queue = new WorkQueue({ baseDelayMs: 200, maxDelayMs: 10_000 });
  private resyncTimer?: NodeJS.Timeout;
  private stopEvents?: () => void;
  private stopped = false;
  private readonly nodeLabels: Record<string, string>;
  /** Probe workers; a changed result re-reconciles the pod. */
  readonly prober: ProberManager;
  private readonly terminator: Terminator;
  private readonly podSync: PodSync;

  constructor(
    private readonly deps: PodManagerDeps,
    private readonly opts: PodManagerOptions,
  ) {
    const { client, runtime, recorder, log, volumes, sources, images } = deps;
    const nodeLabels = { [L.cluster]: opts.clusterName, [L.node]: opts.nodeName };
    this.nodeLabels = nodeLabels;
    const prober = new ProberManager(runtime, recorder, (k) => this.queue.add(k), log.child({ component: "prober" }));
    this.prober = prober;
    const status = new StatusManager(client, opts.hostIP, log.child({ component: "status" }));
    const messages = new TerminationMessages(runtime, volumes, log);
    const terminator = new Terminator({ client, runtime, recorder, prober, status, messages, nodeLabels, forget: (cs) => this.podSync.forget(cs) });
    this.terminator = terminator;
    const sandboxes = new Sandboxes(runtime, (cs, grace, l) => terminator.killAndRemove(cs, grace, l), {
      pauseImage: opts.pauseImage,
      network: opts.network,
      nodeLabels,
      dnsFor: opts.serviceNetwork && ((p) => opts.serviceNetwork!.dnsFor(p)),
    });
    const containers = new ContainerSync(
      {
        runtime,
        recorder,
        prober,
        volumes,
        sources,
        messages,
        images,
        stopContainer: (pod, spec, c, ip, grace) => terminator.stopContainer(pod, spec, c, ip, grace),
      },
      {
        backoffBaseMs: opts.backoffBaseMs,
        backoffMaxMs: opts.backoffMaxMs,
        backoffResetMs: opts.backoffResetMs,
        hostIP: opts.hostIP,
        nodeLabels,
        logMaxSize: opts.logMaxSize,
        serviceEnv: opts.serviceNetwork && ((p) => opts.serviceNetwork!.envFor(p)),
      },
    );
    this.podSync = new PodSync({
      runtime,
      pods: deps.pods,
      recorder,
      volumes,
      prober,
      status,
      terminator,
      sandboxes,
      containers,
      messages,
      forgetImages: (uid) => images.forget(uid),
      nodeLabels,
      hostIP: opts.hostIP,
      log,
      allowedUnsafeSysctls: new Set(opts.allowedUnsafeSysctls ?? []),
    });
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
    if (this.terminator.requestEviction(pod.metadata.uid!, message)) this.queue.add(objectKey(pod));
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

  /** One pass over one pod (syncPod), re-queued when something is due later. */
  async reconcile(key: string): Promise<void> {
    const requeueMs = await this.podSync.syncPod(key);
    if (requeueMs > 0) this.queue.addAfter(key, requeueMs);
  }

  private async watchRuntime(): Promise<void> {
    if (this.stopped) return;
    try {
      this.stopEvents = await this.deps.runtime.events(
        this.nodeLabels,
        (e) => {
          // Why not create and start: nearly always the agent's own, already in the status it writes
          // (reacting would cost each new pod two more passes); anyone else's the resync finds.
          if (["die", "oom", "destroy"].includes(e.action) && e.labels[L.podName]) {
            this.queue.add(`${e.labels[L.podNamespace]}/${e.labels[L.podName]}`);
          }
        },
        (err) => {
          this.deps.log.warn({ err }, "runtime event stream ended; reconnecting");
          setTimeout(() => void this.watchRuntime(), 1000).unref();
        },
      );
    } catch (err) {
      this.deps.log.warn({ err }, "runtime events unavailable; retrying");
      setTimeout(() => void this.watchRuntime(), 1000).unref();
    }
  }
}
