// The scheduler's cache: every known node as a NodeInfo with the pods that count against it —
// pods the informer shows bound, plus pods this scheduler bound that the informer does not
// show bound yet ("assumed"), so that the next pod does not land in the same free space.
import { objectKey, type Node, type Pod } from "@skiff/api";
import { NodeInfo } from "../framework/node-info.js";

/** Whether a pod in this phase no longer holds resources on its node. */
export function isTerminal(pod: Pod): boolean {
  return pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
}

interface PodEntry {
  nodeName: string;
  uid?: string;
  /** True while only our bind, not the informer, says the pod is on nodeName. */
  assumed: boolean;
}

/** Nodes and the pods counted on them; fed by informer events and by assumePod when a pod is placed. */
export class SchedulerCache {
  private readonly nodeInfos = new Map<string, NodeInfo>();
  private readonly pods = new Map<string, PodEntry>();
  /**
   * The nodes list handed to scheduling cycles, kept between cycles and rebuilt only when a node
   * comes or goes (the incremental snapshot): pod changes update the NodeInfos in place.
   */
  private nodeList?: NodeInfo[];
  /** The nodes (with a Node object) where pods with affinity terms are counted, and its list form. */
  private readonly affinityNodes = new Set<NodeInfo>();
  private affinityList?: NodeInfo[];

  private infoFor(name: string): NodeInfo {
    let ni = this.nodeInfos.get(name);
    if (!ni) {
      ni = new NodeInfo(name);
      this.nodeInfos.set(name, ni);
    }
    return ni;
  }

  /** Adds or replaces a node. */
  setNode(node: Node): void {
    const ni = this.infoFor(node.metadata.name ?? "");
    if (!ni.hasNode()) this.nodeList = undefined;
    ni.setNode(node);
    this.track(ni);
  }

  /** Removes a node; its pods stay counted (under the name) until they are deleted too. */
  removeNode(name: string): void {
    const ni = this.nodeInfos.get(name);
    if (!ni) return;
    if (ni.hasNode()) this.nodeList = undefined;
    ni.clearNode();
    this.track(ni);
    if (ni.podCount === 0) this.nodeInfos.delete(name);
  }

  /** Applies a pod as the informer shows it (added or updated). */
  setPod(pod: Pod): void {
    const key = objectKey(pod);
    const prev = this.pods.get(key);
    if (!pod.spec.nodeName) {
      // Why keep the assumption: the watch may still deliver events from before our bind;
      // the same pod (uid) unbound in an old event must not free its place.
      if (prev?.assumed && prev.uid === pod.metadata.uid) return;
      if (prev) this.drop(key, prev);
      return;
    }
    if (prev) this.drop(key, prev);
    if (isTerminal(pod)) return;
    const ni = this.infoFor(pod.spec.nodeName);
    ni.addPod(pod);
    this.track(ni);
    this.pods.set(key, { nodeName: pod.spec.nodeName, uid: pod.metadata.uid, assumed: false });
  }

  /** Forgets a pod (deleted). */
  removePod(key: string): void {
    const prev = this.pods.get(key);
    if (prev) this.drop(key, prev);
  }

  /**
   * Counts a pod on nodeName as soon as the scheduler places it, before its bind is sent
   * (assume-then-bind), until the informer shows it bound (setPod then replaces the
   * assumption); forgetPod undoes it when the bind fails. No-op when the informer was faster.
   */
  assumePod(pod: Pod, nodeName: string): void {
    const key = objectKey(pod);
    const prev = this.pods.get(key);
    if (prev && !prev.assumed) return;
    if (prev) this.drop(key, prev);
    // A shallow copy is enough: cached pods are never mutated.
    const bound: Pod = { ...pod, spec: { ...pod.spec, nodeName } };
    const ni = this.infoFor(nodeName);
    ni.addPod(bound);
    this.track(ni);
    this.pods.set(key, { nodeName, uid: pod.metadata.uid, assumed: true });
  }

  /**
   * Undoes assumePod after a failed bind: stops counting the pod on its node, if it is still
   * counted only by our assumption of this very pod (uid). Returns whether it was forgotten.
   */
  forgetPod(key: string, uid: string | undefined): boolean {
    const prev = this.pods.get(key);
    if (!prev?.assumed || prev.uid !== uid) return false;
    this.drop(key, prev);
    return true;
  }

  /** Whether the pod is counted only because we bound it (the informer has not caught up). */
  isAssumed(key: string): boolean {
    return this.pods.get(key)?.assumed ?? false;
  }

  /** The node a pod is counted on, if any. */
  nodeOf(key: string): string | undefined {
    return this.pods.get(key)?.nodeName;
  }

  /** The NodeInfo of one node, if known. */
  nodeInfo(name: string): NodeInfo | undefined {
    return this.nodeInfos.get(name);
  }

  /**
   * The known nodes, for one scheduling attempt. These are the live NodeInfos, not copies:
   * valid until the cache is next changed (i.e. use them synchronously).
   */
  snapshot(): readonly NodeInfo[] {
    if (!this.nodeList) {
      this.nodeList = [];
      for (const ni of this.nodeInfos.values()) if (ni.hasNode()) this.nodeList.push(ni);
    }
    return this.nodeList;
  }

  /** The nodes of snapshot() with pods that carry affinity terms (live, like the snapshot). */
  nodesWithAffinityPods(): readonly NodeInfo[] {
    this.affinityList ??= [...this.affinityNodes];
    return this.affinityList;
  }

  /** Keeps a NodeInfo's place in affinityNodes after a change to it. */
  private track(ni: NodeInfo): void {
    const want = ni.hasNode() && ni.hasAffinityPods;
    if (want === this.affinityNodes.has(ni)) return;
    if (want) this.affinityNodes.add(ni);
    else this.affinityNodes.delete(ni);
    this.affinityList = undefined;
  }

  private drop(key: string, e: PodEntry): void {
    this.pods.delete(key);
    const ni = this.nodeInfos.get(e.nodeName);
    if (!ni) return;
    ni.removePod(key);
    this.track(ni);
    // A deleted node is kept only as long as pods are still counted on it.
    if (!ni.hasNode() && ni.podCount === 0) this.nodeInfos.delete(e.nodeName);
  }
}
