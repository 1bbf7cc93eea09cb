// NodeInfo: what the scheduler knows about one node — the Node object, the pods that count
// against it (bound and assumed), and the resource sums plugins compare with allocatable.
import { cpuToMilli, memoryToBytes, objectKey, parseQuantity, podRequests, type Container, type Node, type Pod } from "@skiff/api";

/** CPU in millicores and memory in bytes. */
export interface Resources {
  milliCpu: number;
  memory: number;
}

/** What a node offers to pods: status.allocatable (cpu, memory, pods). */
export interface Allocatable extends Resources {
  pods: number;
}

/** kube-scheduler's DefaultMilliCPURequest: what a container without a cpu request counts as when scoring. */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
/** kube-scheduler's DefaultMemoryRequest (200Mi): what a container without a memory request counts as when scoring. */
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Converts a quantity, treating a missing or malformed one as 0 (a broken node offers nothing). */
function quantity(q: string | undefined, fn: (q: string) => number): number {
  if (q === undefined) return 0;
  try {
    return fn(q);
  } catch {
    return 0;
  }
}

/** A node's allocatable cpu, memory and pod count. */
export function nodeAllocatable(node: Node): Allocatable {
  // Why the capacity fallback: defaulting copies capacity to allocatable only on create, and an
  // agent that reports capacity alone should still get pods.
  const list = node.status?.allocatable ?? node.status?.capacity ?? {};
  return {
    milliCpu: quantity(list.cpu, cpuToMilli),
    memory: quantity(list.memory, memoryToBytes),
    pods: Math.floor(quantity(list.pods, parseQuantity)),
  };
}

/** One container's cpu/memory for scoring: missing requests (and limits) count as the defaults. */
function nonZeroContainer(c: Container): Resources {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const cpu = req.cpu ?? lim.cpu;
  const mem = req.memory ?? lim.memory;
  return {
    milliCpu: cpu === undefined ? DEFAULT_MILLI_CPU_REQUEST : quantity(cpu, cpuToMilli),
    memory: mem === undefined ? DEFAULT_MEMORY_REQUEST : quantity(mem, memoryToBytes),
  };
}

/**
 * A pod's requests as scoring sees them (kube-scheduler's non-zero requests): like podRequests,
 * but a container that requests nothing counts as 100m cpu / 200Mi memory, so that spreading
 * BestEffort pods still fills nodes evenly.
 */
export function podNonZeroRequests(pod: Pod): Resources {
  const sum: Resources = { milliCpu: 0, memory: 0 };
  for (const c of pod.spec?.containers ?? []) {
    const r = nonZeroContainer(c);
    sum.milliCpu += r.milliCpu;
    sum.memory += r.memory;
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const r = nonZeroContainer(c);
    sum.milliCpu = Math.max(sum.milliCpu, r.milliCpu);
    sum.memory = Math.max(sum.memory, r.memory);
  }
  return sum;
}

/** The aggregated view of one node that filter and score plugins read (never mutate it in a plugin). */
export class NodeInfo {
  /** The node; undefined while pods are known on a node the informer has not shown (yet or any more). */
  private nodeObj?: Node;
  private readonly podsByKey = new Map<string, Pod>();
  /** The pods as an array, built on first read after a change (plugins read it for every pod scheduled). */
  private podList?: Pod[];
  /** Pods with pod affinity or anti-affinity terms (kube-scheduler's PodsWithAffinity): the only
   * existing pods InterPodAffinity must visit when the incoming pod has no terms of its own. */
  private readonly affinityPods = new Map<string, Pod>();
  private affinityList?: Pod[];
  /** Sum of the exact requests (podRequests) of the pods on the node. */
  readonly requested: Resources = { milliCpu: 0, memory: 0 };
  /** Sum of the scoring requests (podNonZeroRequests) of the pods on the node. */
  readonly nonZeroRequested: Resources = { milliCpu: 0, memory: 0 };
  /** status.allocatable of the node (zeros while the node is unknown). */
  allocatable: Allocatable = { milliCpu: 0, memory: 0, pods: 0 };

  constructor(
    readonly name: string,
    node?: Node,
    pods: Iterable<Pod> = [],
  ) {
    if (node) this.setNode(node);
    for (const p of pods) this.addPod(p);
  }

  /** The Node object (throws when unknown; snapshots only contain NodeInfos with a node). */
  get node(): Node {
    if (!this.nodeObj) throw new Error(`node ${this.name} is not known`);
    return this.nodeObj;
  }

  /** Whether the Node object is known. */
  hasNode(): boolean {
    return this.nodeObj !== undefined;
  }

  /** The pods counted on this node, bound and assumed (shared: never mutate it). */
  get pods(): readonly Pod[] {
    this.podList ??= [...this.podsByKey.values()];
    return this.podList;
  }

  /** The pods on this node that carry pod affinity or anti-affinity terms (shared: never mutate it). */
  get podsWithAffinity(): readonly Pod[] {
    this.affinityList ??= [...this.affinityPods.values()];
    return this.affinityList;
  }

  /** Whether any pod counted here carries pod affinity or anti-affinity terms. */
  get hasAffinityPods(): boolean {
    return this.affinityPods.size > 0;
  }

  /** Number of pods counted on this node. */
  get podCount(): number {
    return this.podsByKey.size;
  }

  /** Sets (or replaces) the Node object and its allocatable. */
  setNode(node: Node): void {
    this.nodeObj = node;
    this.allocatable = nodeAllocatable(node);
  }

  /** Forgets the Node object (pods stay until they are removed). */
  clearNode(): void {
    this.nodeObj = undefined;
    this.allocatable = { milliCpu: 0, memory: 0, pods: 0 };
  }

  /** Counts a pod on this node (replacing an earlier version with the same key). */
  addPod(pod: Pod): void {
    const key = objectKey(pod);
    if (this.podsByKey.has(key)) this.removePod(key);
    this.podsByKey.set(key, pod);
    this.podList = undefined;
    const a = pod.spec?.affinity;
    if (a?.podAffinity || a?.podAntiAffinity) {
      this.affinityPods.set(key, pod);
      this.affinityList = undefined;
    }
    this.account(pod, 1);
  }

  /** Stops counting a pod; returns whether it was counted. */
  removePod(key: string): boolean {
    const old = this.podsByKey.get(key);
    if (!old) return false;
    this.podsByKey.delete(key);
    this.podList = undefined;
    if (this.affinityPods.delete(key)) this.affinityList = undefined;
    this.account(old, -1);
    return true;
  }

  private account(pod: Pod, sign: 1 | -1): void {
    const r = podRequests(pod);
    const nz = podNonZeroRequests(pod);
    this.requested.milliCpu += sign * r.milliCpu;
    this.requested.memory += sign * r.memory;
    this.nonZeroRequested.milliCpu += sign * nz.milliCpu;
    this.nonZeroRequested.memory += sign * nz.memory;
  }
}
