// The pod sandbox: a pause container on the node's pod network that holds the pod's network
// namespace (its IP, hostname and resolver). A dead sandbox takes the pod's containers with it.
import type { Logger } from "@skiff/log";
import { ContainerLabels as L, type Pod } from "@skiff/api";
import type { ContainerConfig, Runtime, RuntimeContainer } from "../../runtime/runtime.js";
import { sandboxSysctls } from "./security-context.js";
import { ATTEMPT, SANDBOX, attemptOf, containerName, podLabels } from "./labels.js";

export interface SandboxOptions {
  pauseImage: string;
  /** Docker network pods join (the node's podCIDR bridge); undefined until the node has one. */
  network: () => string | undefined;
  /** Labels of everything this agent runs (node, cluster). */
  nodeLabels: Record<string, string>;
  /** Resolver settings for a pod (the service network; optional). */
  dnsFor?: (pod: Pod) => ContainerConfig["dns"];
}

export class Sandboxes {
  /** Until when the pause image is believed present (ms): a sandbox per pod need not ask the engine each time. */
  private pauseSeenUntil = 0;

  constructor(
    private readonly runtime: Runtime,
    /** Stops and removes the pod's containers (termination). */
    private readonly killAndRemove: (cs: RuntimeContainer[], graceSeconds: number, log: Logger) => Promise<void>,
    private readonly opts: SandboxOptions,
  ) {}

  /**
   * The pod's sandbox: its running one, or a new one (again, when it died) whose start is under
   * way — `started` settles with it running and its IP. Why not wait here: the app containers can
   * be created while the engine sets up the sandbox's network (they need only its id).
   */
  async ensure(pod: Pod, mine: RuntimeContainer[], log: Logger): Promise<{ sandbox: RuntimeContainer; started: Promise<RuntimeContainer> }> {
    const { runtime } = this;
    const sandboxes = mine.filter((c) => c.labels[L.kind] === SANDBOX).sort((a, b) => attemptOf(b) - attemptOf(a));
    const current = sandboxes[0];
    // A paused sandbox (`docker pause`, a frozen machine) is alive, as Docker's State.Running and
    // so the CRI's SANDBOX_READY say: replacing it would kill pods someone only froze.
    if (current?.state === "running" || current?.state === "paused") return { sandbox: current, started: Promise.resolve(current) };
    // hostNetwork: the sandbox (and so every container of the pod) is in the node's own network namespace.
    const network = pod.spec.hostNetwork === true ? "host" : this.opts.network();
    if (!network) throw new Error("the pod network is not ready yet (waiting for the node's podCIDR)");
    if (current) {
      // The sandbox died: every container in its network namespace goes with it (as in Kubernetes).
      log.info("sandbox stopped; recreating the pod's containers");
      await this.killAndRemove(mine, 2, log);
    }
    if (this.pauseSeenUntil < Date.now()) {
      if (!(await runtime.imageExists(this.opts.pauseImage))) await runtime.pull(this.opts.pauseImage);
      this.pauseSeenUntil = Date.now() + 30_000;
    }
    const attempt = current ? attemptOf(current) + 1 : 0;
    const config = {
      name: containerName(pod, "POD", attempt),
      image: this.opts.pauseImage,
      labels: { ...podLabels(this.opts.nodeLabels, pod), [L.kind]: SANDBOX, [ATTEMPT]: String(attempt) },
      ...(network === "host" ? {} : { hostname: pod.spec.hostname ?? pod.metadata.name!.slice(0, 63) }),
      network,
      cpuShares: 2,
      dns: this.opts.dnsFor?.(pod),
      hostAliases: pod.spec.hostAliases as ContainerConfig["hostAliases"],
      sysctls: sandboxSysctls(pod),
    };
    let id: string;
    try {
      id = await runtime.create(config);
    } catch (err) {
      this.pauseSeenUntil = 0; // perhaps the image went away: look again next time
      throw err;
    }
    const started = runtime.start(id).then(async () => {
      const s = await runtime.inspect(id);
      if (!s) throw new Error(`the sandbox ${config.name} disappeared while starting`);
      return s;
    });
    const sandbox: RuntimeContainer = {
      id,
      name: config.name,
      image: config.image,
      imageId: "",
      labels: config.labels,
      state: "created",
      exitCode: 0,
      oomKilled: false,
      error: "",
      createdAt: new Date().toISOString(),
    };
    return { sandbox, started };
  }
}
