// Node lifecycle: listens to node heartbeats on NATS; a node silent for the grace period
// becomes Ready=Unknown with the unreachable taints, and gets them removed once it reports
// Ready again. (Heartbeats never touch the store: only these transitions are written.)
// Pods on a node with NoExecute taints are evicted (force-deleted) when their toleration ends.
import { getCondition, setCondition, nowRfc3339, isConflict, isNotFound, type Node, type Pod, type Taint } from "@skiff/api";
import { evictionDelayMs } from "./eviction.js";
import type { Subscription } from "@nats-io/transport-node";
import type { Controller, ControllerContext } from "../controller.js";

export const TAINT_UNREACHABLE = "node.kubernetes.io/unreachable";
export const TAINT_NOT_READY = "node.kubernetes.io/not-ready";

export class NodeLifecycleController implements Controller {
  private readonly lastSeen = new Map<string, number>();
  /**
   * When this controller first listed each node. A node it has not heard yet is given one grace
   * period from then: from the controller's start for the nodes it starts with, and from its
   * arrival for a node that joins (whose status can show Ready a moment before its first
   * heartbeat arrives; judging it by the controller's start marked joining nodes Unknown).
   */
  private readonly firstListed = new Map<string, number>();
  private sub?: Subscription;
  private timer?: NodeJS.Timeout;

  constructor(private readonly ctx: ControllerContext) {}

  async start(): Promise<void> {
    this.sub = this.ctx.nc.subscribe("skiff.heartbeat.*", {
      callback: (_err, msg) => {
        const node = msg.subject.slice("skiff.heartbeat.".length);
        this.lastSeen.set(node, Date.now());
      },
    });
    await Promise.all([this.ctx.informers.get<Node>("nodes").waitForSync(), this.ctx.informers.get<Pod>("pods").waitForSync()]);
    this.timer = setInterval(() => void this.check().catch((err) => this.ctx.log.warn({ err }, "node check failed")), 1000);
  }

  stop(): void {
    this.sub?.unsubscribe();
    if (this.timer) clearInterval(this.timer);
  }

  /** Marks silent nodes Unknown and clears taints of nodes that are Ready again. */
  async check(): Promise<void> {
    const grace = this.ctx.opts.nodeMonitorGraceMs;
    const now = Date.now();
    const nodes = this.ctx.informers.get<Node>("nodes").list();
    const names = new Set(nodes.map((n) => n.metadata.name!));
    for (const name of this.firstListed.keys()) if (!names.has(name)) this.firstListed.delete(name);
    for (const node of nodes) {
      const name = node.metadata.name!;
      if (!this.firstListed.has(name)) this.firstListed.set(name, now);
      const seen = this.lastSeen.get(name) ?? this.firstListed.get(name)!;
      const ready = getCondition(node.status?.conditions, "Ready");
      const taints = node.spec?.taints ?? [];
      if (now - seen > grace && ready?.status === "True") {
        await this.markUnknown(node);
        continue;
      }
      // Taints by condition (Kubernetes' TaintNodesByCondition and NoExecute taint manager):
      // Unknown → unreachable, False → not-ready, pressure → *-pressure:NoSchedule.
      const next = conditionTaints(node, taints);
      if (!sameTaints(taints, next)) await this.writeTaints(node, next, true);
    }
    await this.evict();
  }

  /** Pod keys already force-deleted (so one slow delete is not sent twice). */
  private readonly evicted = new Set<string>();

  /**
   * Deletes pods whose toleration of their node's NoExecute taints has run out. The delete is
   * forced (grace 0), as Kubernetes' pod GC does for pods on unreachable nodes: the node agent
   * that would finish a graceful delete is not there, and the replacement must not wait for it.
   * A returning agent stops the containers of pods no longer bound to it.
   */
  async evict(): Promise<void> {
    const now = Date.now();
    const nodes = new Map(
      this.ctx.informers
        .get<Node>("nodes")
        .list()
        .map((n) => [n.metadata.name!, n]),
    );
    const live = new Set<string>();
    for (const pod of this.ctx.informers.get<Pod>("pods").list()) {
      const key = `${pod.metadata.namespace}/${pod.metadata.name}/${pod.metadata.uid}`;
      live.add(key);
      const taints = nodes.get(pod.spec.nodeName ?? "")?.spec?.taints?.filter((t) => t.effect === "NoExecute") ?? [];
      if (taints.length === 0 || this.evicted.has(key)) continue;
      if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
      const delay = evictionDelayMs(pod, taints, now, this.ctx.opts.podEvictionTimeoutMs);
      if (delay === undefined || delay > 0) continue;
      this.evicted.add(key);
      try {
        await this.ctx.client.delete("pods", pod.metadata.name!, pod.metadata.namespace, { gracePeriodSeconds: 0, preconditionUid: pod.metadata.uid });
        this.ctx.log.info({ pod: key, node: pod.spec.nodeName }, "evicted pod from tainted node");
        this.ctx.recorder.record(pod, "Normal", "TaintManagerEviction", `Marking for deletion Pod ${pod.metadata.namespace}/${pod.metadata.name}`);
      } catch (err) {
        if (!isNotFound(err) && !isConflict(err)) {
          this.evicted.delete(key);
          throw err;
        }
      }
    }
    for (const k of this.evicted) if (!live.has(k)) this.evicted.delete(k);
  }

  private async markUnknown(node: Node): Promise<void> {
    const status = structuredClone(node.status ?? {});
    status.conditions ??= [];
    for (const type of ["Ready", "MemoryPressure", "DiskPressure", "PIDPressure"]) {
      if (getCondition(status.conditions, type)) {
        setCondition(status.conditions, { type, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status." });
      }
    }
    try {
      const updated = await this.ctx.client.updateStatus<Node>("nodes", { ...node, status });
      this.ctx.log.warn({ node: node.metadata.name }, "node stopped sending heartbeats: Ready=Unknown");
      this.ctx.recorder.record(updated, "Normal", "NodeNotReady", `Node ${node.metadata.name} status is now: NodeNotReady`);
      await this.writeTaints(updated, [...(updated.spec?.taints ?? []), ...unreachableTaints()]);
      await this.markPodsNotReady(node.metadata.name!);
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }

  /**
   * Sets Ready=False on the pods of a node that went silent (Kubernetes' MarkPodsNotReady), so
   * that Services stop sending traffic to them long before they are evicted; the node's agent
   * writes the true status again once it is back.
   */
  private async markPodsNotReady(nodeName: string): Promise<void> {
    for (const pod of this.ctx.informers.get<Pod>("pods").list()) {
      if (pod.spec?.nodeName !== nodeName || getCondition(pod.status?.conditions, "Ready")?.status !== "True") continue;
      const status = structuredClone(pod.status ?? {});
      status.conditions ??= [];
      setCondition(status.conditions, { type: "Ready", status: "False", reason: "NodeNotReady", message: `Node ${nodeName} is not ready` });
      const { resourceVersion: _rv, ...metadata } = pod.metadata;
      await this.ctx.client.updateStatus<Pod>("pods", { ...pod, metadata, status }).catch((err) => {
        if (!isNotFound(err)) this.ctx.log.warn({ err, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, "could not mark pod not ready");
      });
    }
  }

  private async writeTaints(node: Node, taints: Taint[], replaceManaged = false): Promise<void> {
    const unique = taints.filter((t, i) => taints.findIndex((x) => x.key === t.key && x.effect === t.effect) === i);
    try {
      const fresh = await this.ctx.client.get<Node>("nodes", node.metadata.name!);
      // Taints others put on the node meanwhile stay; only the condition taints are ours to replace.
      const theirs = (fresh.spec?.taints ?? []).filter(
        (t) => !CONDITION_TAINT_KEYS.includes(t.key) && !unique.some((u) => u.key === t.key && u.effect === t.effect),
      );
      const merged = replaceManaged
        ? [...theirs, ...unique.filter((t) => CONDITION_TAINT_KEYS.includes(t.key) || !theirs.some((x) => x.key === t.key))]
        : unique;
      await this.ctx.client.update("nodes", { ...fresh, spec: { ...fresh.spec, taints: merged } });
    } catch (err) {
      if (!isConflict(err) && !isNotFound(err)) throw err;
    }
  }
}

/** The taints the controller derives from node conditions. */
export const CONDITION_TAINT_KEYS = [
  TAINT_UNREACHABLE,
  TAINT_NOT_READY,
  "node.kubernetes.io/memory-pressure",
  "node.kubernetes.io/disk-pressure",
  "node.kubernetes.io/pid-pressure",
];

/**
 * The node's taints with the condition taints made to match its conditions (taints of other
 * keys untouched; an existing condition taint keeps its timeAdded).
 */
export function conditionTaints(node: Node, taints: Taint[]): Taint[] {
  const conds = node.status?.conditions;
  const ready = getCondition(conds, "Ready")?.status;
  const want: Taint[] = [];
  const now = nowRfc3339();
  const add = (key: string, effect: Taint["effect"]) => want.push(taints.find((t) => t.key === key && t.effect === effect) ?? { key, effect, timeAdded: now });
  if (ready === "Unknown") {
    add(TAINT_UNREACHABLE, "NoSchedule");
    add(TAINT_UNREACHABLE, "NoExecute");
  }
  if (ready === "False") {
    add(TAINT_NOT_READY, "NoSchedule");
    add(TAINT_NOT_READY, "NoExecute");
  }
  for (const [type, key] of [
    ["MemoryPressure", "memory-pressure"],
    ["DiskPressure", "disk-pressure"],
    ["PIDPressure", "pid-pressure"],
  ]) {
    if (getCondition(conds, type)?.status === "True") add(`node.kubernetes.io/${key}`, "NoSchedule");
  }
  return [...taints.filter((t) => !CONDITION_TAINT_KEYS.includes(t.key)), ...want];
}

/** Whether two taint lists hold the same taints (order aside). */
export function sameTaints(a: Taint[], b: Taint[]): boolean {
  const k = (t: Taint) => `${t.key}=${t.value ?? ""}:${t.effect}`;
  return a.length === b.length && a.map(k).sort().join(",") === b.map(k).sort().join(",");
}

function unreachableTaints(): Taint[] {
  const timeAdded = nowRfc3339();
  return [
    { key: TAINT_UNREACHABLE, effect: "NoSchedule", timeAdded },
    { key: TAINT_UNREACHABLE, effect: "NoExecute", timeAdded },
  ];
}
