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
  constructor(
    private readonly runtime: Runtime,
    /** Stops and removes the pod's containers (termination). */
    private readonly killAndRemove: (cs: RuntimeContainer[], graceSeconds: number, log: Logger) => Promise<void>,
    private readonly opts: SandboxOptions,
  ) {}

  /** The pod's running sandbox, created (again) when there is none. */
  async ensure(pod: Pod, mine: RuntimeContainer[], log: Logger): Promise<RuntimeContainer | undefined> {
    const { runtime } = this;
    const sandboxes = mine.filter((c) => c.labels[L.kind] === SANDBOX).sort((a, b) => attemptOf(b) - attemptOf(a));
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
      labels: { ...podLabels(this.opts.nodeLabels, pod), [L.kind]: SANDBOX, [ATTEMPT]: String(attempt) },
      ...(network === "host" ? {} : { hostname: pod.spec.hostname ?? pod.metadata.name!.slice(0, 63) }),
      network,
      cpuShares: 2,
      dns: this.opts.dnsFor?.(pod),
      sysctls: sandboxSysctls(pod),
    });
    await runtime.start(id);
    return (await runtime.inspect(id)) ?? undefined;
  }
}
