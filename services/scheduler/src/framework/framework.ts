// The plugin runner: filters the nodes (first failure wins per node) until enough feasible ones
// are found, scores those with the weighted score plugins, and picks the best (ties round-robin).
import type { Pod } from "@skiff/api";
import type { NodeInfo } from "./node-info.js";
import { failedSchedulingMessage, type Diagnosis } from "./diagnosis.js";
import {
  newCycleContext,
  MAX_NODE_SCORE,
  success,
  type CycleContext,
  type FilterPlugin,
  type NodeScore,
  type Status,
  type WeightedScorePlugin,
} from "./types.js";

/** The outcome of one scheduling attempt for one pod. */
export type ScheduleResult =
  | { code: "Scheduled"; nodeName: string; feasibleNodes: number; scores: NodeScore[] }
  | { code: "Unschedulable"; message: string; diagnosis: Diagnosis }
  | { code: "Error"; message: string };

/** Result of running the filters over all nodes. */
export interface FilterResult {
  feasible: NodeInfo[];
  diagnosis: Diagnosis;
  /** Set when a plugin failed (returned Error or threw): the attempt must be retried. */
  error?: string;
}

/** Runs a plugin call, turning a throw into an Error status so one bad plugin cannot crash the loop. */
function guard<T>(plugin: string, node: string, fn: () => T): T | { code: "Error"; message: string } {
  try {
    return fn();
  } catch (err) {
    return { code: "Error", message: `plugin ${plugin} failed on node ${node}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** kube-scheduler's floor: with fewer nodes than this, every node is filtered and scored. */
export const MIN_FEASIBLE_NODES_TO_FIND = 100;
/** kube-scheduler's floor of the adaptive percentage of nodes to score. */
export const MIN_FEASIBLE_NODES_PERCENTAGE = 5;

/**
 * How many feasible nodes a cycle looks for before it stops filtering (kube-scheduler's
 * numFeasibleNodesToFind): all of them below 100 nodes; otherwise `percentage` of the nodes, or,
 * with 0, an adaptive share (50% minus 1% per 125 nodes, at least 5%), never fewer than 100.
 */
export function numFeasibleNodesToFind(numNodes: number, percentage = 0): number {
  if (numNodes < MIN_FEASIBLE_NODES_TO_FIND || percentage >= 100) return numNodes;
  const pct = percentage > 0 ? percentage : Math.max(MIN_FEASIBLE_NODES_PERCENTAGE, 50 - numNodes / 125);
  return Math.max(MIN_FEASIBLE_NODES_TO_FIND, Math.floor((numNodes * pct) / 100));
}

/** A scheduling profile: an ordered list of filters and weighted scores. */
export class Framework {
  private rr = 0;
  /** Where the next cycle starts filtering, so that a bounded search still visits every node in turn. */
  private nextStart = 0;

  constructor(
    readonly filters: readonly FilterPlugin[],
    readonly scorers: readonly WeightedScorePlugin[],
    /** Share of the nodes to find feasible before scoring (kube-scheduler's percentageOfNodesToScore; 0 = adaptive). */
    readonly percentageOfNodesToScore = 0,
  ) {}

  /**
   * Runs the filters over the nodes (from a rotating start) until `limit` feasible ones are
   * found; a node stops at its first non-Success status. The diagnosis is complete when none is.
   */
  runFilters(ctx: CycleContext, pod: Pod, nodes: readonly NodeInfo[], limit = nodes.length): FilterResult {
    const feasible: NodeInfo[] = [];
    const diagnosis: Diagnosis = { numNodes: nodes.length, nodeStatuses: new Map() };
    const active = this.activeFilters(ctx, pod);
    if (!Array.isArray(active)) return { feasible, diagnosis, error: active.message };
    const n = nodes.length;
    // Only a bounded search rotates (an unbounded one visits every node anyway).
    const bounded = limit < n;
    const start = bounded ? this.nextStart % n : 0;
    let visited = 0;
    for (; visited < n && feasible.length < limit; visited++) {
      const ni = nodes[(start + visited) % n];
      let status: Status = success;
      // One try per node rather than a closure per plugin call: this loop runs for hundreds of
      // nodes per pod.
      let p: FilterPlugin | undefined;
      try {
        for (p of active) {
          status = p.filter(ctx, pod, ni);
          if (status.code !== "Success") break;
        }
      } catch (err) {
        status = { code: "Error", message: `plugin ${p?.name} failed on node ${ni.name}: ${err instanceof Error ? err.message : String(err)}` };
      }
      // Why abort on Error: a broken plugin says nothing about the node, so any decision
      // (including "unschedulable") would be wrong; the pod is retried with back-off.
      if (status.code === "Error") return { feasible: [], diagnosis, error: status.message };
      if (status.code === "Success") feasible.push(ni);
      else diagnosis.nodeStatuses.set(ni.name, status);
    }
    if (bounded) this.nextStart = (start + visited) % n;
    return { feasible, diagnosis };
  }

  /** The filters this pod needs (those whose preFilter does not skip), or the error of a preFilter that threw. */
  private activeFilters(ctx: CycleContext, pod: Pod): FilterPlugin[] | { code: "Error"; message: string } {
    const active: FilterPlugin[] = [];
    for (const p of this.filters) {
      const r = p.preFilter ? guard(p.name, "*", () => p.preFilter?.(ctx, pod)) : undefined;
      if (r && typeof r === "object") return r;
      if (r !== "Skip") active.push(p);
    }
    return active;
  }

  /** Weighted total score of each feasible node (each plugin normalised to 0..MAX_NODE_SCORE first). */
  runScores(ctx: CycleContext, pod: Pod, nodes: readonly NodeInfo[]): NodeScore[] | { code: "Error"; message: string } {
    const totals: NodeScore[] = nodes.map((ni) => ({ nodeName: ni.name, score: 0 }));
    for (const { plugin, weight } of this.scorers) {
      const pre = plugin.preScore ? guard(plugin.name, "*", () => plugin.preScore?.(ctx, pod)) : undefined;
      if (pre && typeof pre === "object") return pre;
      if (pre === "Skip") continue;
      const scores: NodeScore[] = [];
      for (const ni of nodes) {
        const r = guard(plugin.name, ni.name, () => plugin.score(ctx, pod, ni));
        if (r.code === "Error") return r;
        scores.push({ nodeName: ni.name, score: r.score });
      }
      const normalize = plugin.normalizeScores;
      if (normalize) {
        const err = guard(plugin.name, "*", () => {
          normalize.call(plugin, ctx, pod, scores);
          return null;
        });
        if (err) return err;
      }
      for (let i = 0; i < scores.length; i++) {
        // Clamp so that a plugin with a bug cannot outvote all the others.
        totals[i].score += weight * Math.min(MAX_NODE_SCORE, Math.max(0, scores[i].score));
      }
    }
    return totals;
  }

  /** The node with the highest score; equal best nodes take turns, so identical nodes share pods. */
  selectHost(scores: readonly NodeScore[]): string {
    if (scores.length === 0) throw new Error("selectHost needs at least one node");
    const best = scores.reduce((m, s) => Math.max(m, s.score), -Infinity);
    const top = scores.filter((s) => s.score === best);
    return top[this.rr++ % top.length].nodeName;
  }

  /** One scheduling attempt: filter → score → select, on a snapshot of the nodes (see CycleContext for the second list). */
  schedule(pod: Pod, nodes: readonly NodeInfo[], nodesWithAffinityPods?: readonly NodeInfo[]): ScheduleResult {
    const ctx = newCycleContext(nodes, nodesWithAffinityPods);
    const f = this.runFilters(ctx, pod, nodes, numFeasibleNodesToFind(nodes.length, this.percentageOfNodesToScore));
    if (f.error) return { code: "Error", message: f.error };
    if (f.feasible.length === 0) {
      return { code: "Unschedulable", message: failedSchedulingMessage(f.diagnosis), diagnosis: f.diagnosis };
    }
    // Why skip scoring with one candidate: the answer cannot change (kube-scheduler does the same).
    if (f.feasible.length === 1) return { code: "Scheduled", nodeName: f.feasible[0].name, feasibleNodes: 1, scores: [] };
    const scores = this.runScores(ctx, pod, f.feasible);
    if (!Array.isArray(scores)) return { code: "Error", message: scores.message };
    return { code: "Scheduled", nodeName: this.selectHost(scores), feasibleNodes: f.feasible.length, scores };
  }
}
