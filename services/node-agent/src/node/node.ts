// The agent's Node: registration with capacity/allocatable from the runtime, conditions from
// measurements (conditions.ts: Ready while the runtime answers, memory/disk pressure against the
// hard eviction thresholds), and heartbeats over NATS (never through the store's write path).
import type { NatsConnection } from "@nats-io/transport-node";
import type { Logger } from "@skiff/log";
import {
  isAlreadyExists,
  isConflict,
  isNotFound,
  formatBytes,
  formatCpuMilli,
  cpuToMilli,
  memoryToBytes,
  nowRfc3339,
  setCondition,
  getCondition,
  type Node,
} from "@skiff/api";
import type { ApiClient } from "@skiff/client";
import type { Runtime } from "../runtime/runtime.js";
import { measure, pressureConditions, readyCondition, type ConditionValue, type Thresholds } from "./conditions.js";

/** Subject a node's heartbeats go to; the node lifecycle controller listens on skiff.heartbeat.*. */
export const heartbeatSubject = (node: string) => `skiff.heartbeat.${node}`;

export interface NodeOptions {
  nodeName: string;
  nodeIP: string;
  labels: Record<string, string>;
  /** Reserved for the system and the agent itself (kube-reserved + system-reserved). */
  reservedCpu: string;
  reservedMemory: string;
  maxPods: number;
  heartbeatMs: number;
  /** How often the Node object is checked and its Ready condition restored. */
  statusMs: number;
  version: string;
  /** Port of the agent's NodeService, published as status.daemonEndpoints.kubeletEndpoint.Port. */
  kubeletPort?: number;
  /** Host the NodeService is bound to, published when it is neither the node IP nor a wildcard. */
  kubeletHost?: string;
  /** The images the node holds, for status.images (images/manager.ts); a change is written at the next status check. */
  images?: () => { names: string[]; sizeBytes: number }[];
  /** How often conditions are measured (0 = never: Ready True, no pressure, as hollow nodes do). */
  conditionsMs?: number;
  /** Hard eviction thresholds (pressure conditions). */
  evictionHard?: Thresholds;
  /** The directory whose filesystem is nodefs. */
  rootDir?: string;
}

export class NodeRegistrar {
  private timers: NodeJS.Timeout[] = [];
  private node?: Node;
  /** The conditions last measured (Ready, MemoryPressure, DiskPressure, PIDPressure). */
  private measured: Record<string, ConditionValue> = { Ready: readyCondition(undefined) };

  constructor(
    private readonly client: ApiClient,
    private readonly runtime: Runtime,
    private readonly nc: NatsConnection,
    private readonly opts: NodeOptions,
    private readonly log: Logger,
  ) {}

  /** Registers (or adopts) the Node and starts heartbeats; resolves once the Node is Ready. */
  async start(): Promise<Node> {
    await this.register();
    this.beat();
    this.timers.push(setInterval(() => this.beat(), this.opts.heartbeatMs));
    this.timers.push(setInterval(() => void this.register().catch((err) => this.log.warn({ err }, "node status update failed")), this.opts.statusMs));
    if (this.opts.conditionsMs) {
      this.timers.push(
        setInterval(() => void this.checkConditions().catch((err) => this.log.warn({ err }, "node conditions check failed")), this.opts.conditionsMs),
      );
    }
    return this.node!;
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
  }

  /** The latest Node object this agent wrote or read. */
  current(): Node | undefined {
    return this.node;
  }

  private beat(): void {
    try {
      this.nc.publish(heartbeatSubject(this.opts.nodeName), JSON.stringify({ node: this.opts.nodeName, at: Date.now() }));
    } catch (err) {
      this.log.debug({ err }, "heartbeat not sent");
    }
  }

  /**
   * Measures the conditions; when one changed (status or reason), writes the Node's status.
   * A runtime that does not answer within 5 s makes the node NotReady, with the error.
   */
  async checkConditions(): Promise<void> {
    let runtimeError: string | undefined;
    try {
      await Promise.race([this.runtime.info(), new Promise((_, rej) => setTimeout(() => rej(new Error("no answer within 5s")), 5000).unref())]);
    } catch (err) {
      runtimeError = (err as Error).message;
    }
    const next: Record<string, ConditionValue> = { Ready: readyCondition(runtimeError) };
    if (this.opts.evictionHard) Object.assign(next, pressureConditions(await measure(this.opts.rootDir ?? "/"), this.opts.evictionHard));
    const changed = Object.entries(next).some(([type, c]) => {
      const cur = getCondition(this.node?.status?.conditions, type);
      return cur?.status !== c.status || cur?.reason !== c.reason;
    });
    this.measured = next;
    if (!changed || !this.node) return;
    this.log.info({ conditions: Object.fromEntries(Object.entries(next).map(([t, c]) => [t, c.status])), runtimeError }, "node conditions changed");
    const { resourceVersion: _rv, ...metadata } = this.node.metadata;
    this.node = await this.client.updateStatus<Node>("nodes", { ...this.node, metadata, status: await this.desiredStatus(this.node.status) });
  }

  private async desiredStatus(prev?: Node["status"]): Promise<NonNullable<Node["status"]>> {
    // While the runtime is down, the last known machine facts stay.
    const info = await this.runtime.info().catch(() => undefined);
    if (!info) {
      const conditions = structuredClone(prev?.conditions ?? []);
      const now = nowRfc3339();
      heartbeat(conditions, this.measured, now);
      return { ...(prev ?? {}), conditions };
    }
    const capCpu = info.cpus * 1000;
    const capMem = info.memoryBytes;
    const allocCpu = Math.max(0, capCpu - cpuToMilli(this.opts.reservedCpu));
    const allocMem = Math.max(0, capMem - memoryToBytes(this.opts.reservedMemory));
    const conditions = structuredClone(prev?.conditions ?? []);
    const now = nowRfc3339();
    const measured = { ...pressureConditions({}, { memoryAvailableBytes: 0, nodefsAvailablePct: 0, nodefsInodesFreePct: 0 }), ...this.measured };
    heartbeat(conditions, measured, now);
    return {
      capacity: { cpu: formatCpuMilli(capCpu), memory: formatBytes(capMem), pods: String(this.opts.maxPods) },
      allocatable: { cpu: formatCpuMilli(allocCpu), memory: formatBytes(allocMem), pods: String(this.opts.maxPods) },
      conditions,
      addresses: [
        { type: "InternalIP", address: this.opts.nodeIP },
        { type: "Hostname", address: this.opts.nodeName },
      ],
      ...(this.opts.kubeletPort
        ? {
            daemonEndpoints: {
              kubeletEndpoint: {
                Port: this.opts.kubeletPort,
                ...(this.opts.kubeletHost && !["0.0.0.0", "::", "[::]", this.opts.nodeIP].includes(this.opts.kubeletHost)
                  ? { Address: this.opts.kubeletHost }
                  : {}),
              },
            },
          }
        : {}),
      ...(this.opts.images ? { images: this.opts.images() } : {}),
      nodeInfo: {
        kubeletVersion: this.opts.version,
        kubeProxyVersion: this.opts.version,
        containerRuntimeVersion: info.runtimeVersion,
        osImage: info.os,
        kernelVersion: info.kernel,
        operatingSystem: "linux",
        architecture: info.architecture,
        machineID: "",
        systemUUID: "",
        bootID: "",
      },
    };
  }

  /** Creates the Node, or brings the existing one's status (and Ready) up to date. */
  private async register(): Promise<void> {
    let node: Node | undefined;
    try {
      node = await this.client.get<Node>("nodes", this.opts.nodeName);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (!node) {
      // The machine's architecture as the runtime reports it (GOARCH names), not a constant.
      const arch = (await this.runtime.info()).architecture || "amd64";
      const fresh: Node = {
        apiVersion: "v1",
        kind: "Node",
        metadata: {
          name: this.opts.nodeName,
          labels: { "kubernetes.io/hostname": this.opts.nodeName, "kubernetes.io/os": "linux", "kubernetes.io/arch": arch, ...this.opts.labels },
        },
        spec: {},
      };
      try {
        node = await this.client.create<Node>("nodes", fresh);
        this.log.info({ node: this.opts.nodeName }, "registered node");
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        node = await this.client.get<Node>("nodes", this.opts.nodeName);
      }
    }
    const ready = getCondition(node.status?.conditions, "Ready");
    // Write status only when it is missing or not what was measured, or the images changed:
    // steady heartbeats go over NATS.
    const imagesChanged = !!this.opts.images && JSON.stringify(node.status?.images ?? []) !== JSON.stringify(this.opts.images());
    if (!node.status?.capacity || ready?.status !== this.measured.Ready.status || !this.node || imagesChanged) {
      try {
        // The agent owns its Node's status: no resourceVersion, so spec writers (IPAM, taints) never conflict.
        const { resourceVersion: _rv, ...metadata } = node.metadata;
        node = await this.client.updateStatus<Node>("nodes", { ...node, metadata, status: await this.desiredStatus(node.status) });
      } catch (err) {
        if (!isConflict(err)) throw err;
      }
    }
    this.node = node;
  }
}

/**
 * Sets each measured condition and stamps every one of them with this status post's time, as the
 * kubelet does on each node status update (setCondition keeps an unchanged condition as it was).
 * Why it matters: a status post that changed nothing is not stored (no new resourceVersion), and
 * `skiff up` waits for a write from the agent it just started before it trusts a stored Ready.
 */
function heartbeat(conditions: NonNullable<NonNullable<Node["status"]>["conditions"]>, measured: Record<string, ConditionValue>, now: string): void {
  for (const [type, c] of Object.entries(measured)) {
    setCondition(conditions, { type, ...c, lastHeartbeatTime: now });
    const set = conditions.find((x) => x.type === type);
    if (set) set.lastHeartbeatTime = now;
  }
}
