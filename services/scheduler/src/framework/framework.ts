// The plugin runner: filters every node (first failure wins per node), scores the feasible
// ones with the weighted score plugins, and picks the best node (ties shared round-robin).
import type { Pod } from "@skiff/api";
import type { NodeInfo } from "./node-info.js";
import { failedSchedulingMessage, type Diagnosis } from "./diagnosis.js";
import {
  newCycleContext, MAX_NODE_SCORE,
  type CycleContext, type FilterPlugin, type NodeScore, type Status, type WeightedScorePlugin,
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

/** A scheduling profile: an ordered list of filters and weighted scores. */
export class Framework {
  private rr = 0;

  constructor(
    readonly filters: readonly FilterPlugin[],
    readonly scorers: readonly WeightedScorePlugin[],
  ) {}

  /** Runs the filters over every node; a node stops at its first non-Success status. */
  runFilters(ctx: CycleContext, pod: Pod, nodes: readonly NodeInfo[]): FilterResult {
    const feasible: NodeInfo[] = [];
    const diagnosis: Diagnosis = { numNodes: nodes.length, nodeStatuses: new Map() };
    for (const ni of nodes) {
      let status: Status = { code: "Success" };
      for (const p of this.filters) {
        status = guard(p.name, ni.name, () => p.filter(ctx, pod, ni));
        if (status.code !== "Success") break;
      }
      // Why abort on Error: a broken plugin says nothing about the node, so any decision
      // (including "unschedulable") would be wrong; the pod is retried with back-off.
      if (status.code === "Error") return { feasible: [], diagnosis, error: status.message };
      if (status.code === "Success") feasible.push(ni);
      else diagnosis.nodeStatuses.set(ni.name, status);
    }
    return { feasible, diagnosis };
  }

  /** Weighted total score of each feasible node (each plugin normalised to 0..MAX_NODE_SCORE first). */
  runScores(ctx: CycleContext, pod: Pod, nodes: readonly NodeInfo[]): NodeScore[] | { code: "Error"; message: string } {
    const totals: NodeScore[] = nodes.map((ni) => ({ nodeName: ni.name, score: 0 }));
    for (const { plugin, weight } of this.scorers) {
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

  /** One scheduling attempt: filter → score → select, on a snapshot of the nodes. */
  schedule(pod: Pod, nodes: readonly NodeInfo[]): ScheduleResult {
    const ctx = newCycleContext(nodes);
    const f = this.runFilters(ctx, pod, nodes);
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
