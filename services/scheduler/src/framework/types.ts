// The scheduling framework's vocabulary (kube-scheduler's framework package, reduced): plugin
// statuses, the per-node view plugins read, the per-cycle context, and the plugin shapes.
import type { Pod } from "@skiff/api";
import type { NodeInfo } from "./node-info.js";

/** The node passes (a filter) or the call worked (a score). */
export interface SuccessStatus {
  code: "Success";
}

/**
 * The pod does not fit the node. "Unschedulable" may change as pods come and go (e.g. resources);
 * "UnschedulableAndUnresolvable" only changes when the node or pod itself changes (labels, taints).
 */
export interface UnschedulableStatus {
  code: "Unschedulable" | "UnschedulableAndUnresolvable";
  /** Human reasons, counted per node in the FailedScheduling message ("Insufficient cpu"). */
  reasons: string[];
}

/** The plugin itself failed; the scheduling attempt is aborted and retried with back-off. */
export interface ErrorStatus {
  code: "Error";
  message: string;
}

/** What a filter plugin answers for one (pod, node). */
export type Status = SuccessStatus | UnschedulableStatus | ErrorStatus;

/** What a score plugin answers for one (pod, node): a score (higher is better) or an error. */
export type ScoreResult = { code: "Success"; score: number } | ErrorStatus;

/** A node's score from one plugin (or the weighted total). */
export interface NodeScore {
  nodeName: string;
  score: number;
}

/** The best possible score after normalisation (kube-scheduler's MaxNodeScore). */
export const MAX_NODE_SCORE = 100;

/** The Success status (shared, it carries no data). */
export const success: SuccessStatus = Object.freeze({ code: "Success" as const });

/** Builds an Unschedulable status. */
export function unschedulable(...reasons: string[]): UnschedulableStatus {
  return { code: "Unschedulable", reasons };
}

/** Builds an UnschedulableAndUnresolvable status. */
export function unresolvable(...reasons: string[]): UnschedulableStatus {
  return { code: "UnschedulableAndUnresolvable", reasons };
}

/**
 * State of one scheduling cycle (one pod): plugins keep values they compute once per pod here
 * (keyed by plugin name), instead of recomputing them for every node.
 */
export interface CycleContext {
  readonly state: Map<string, unknown>;
  /** Every node of this attempt (plugins that count pods per topology domain need them all). */
  readonly nodes: readonly NodeInfo[];
  /**
   * The nodes among `nodes` with pods that carry pod (anti-)affinity terms (kube-scheduler's
   * HavePodsWithAffinityNodeInfoList), kept by the cache so that a pod without terms of its own
   * visits only those; undefined: look through `nodes`.
   */
  readonly nodesWithAffinityPods?: readonly NodeInfo[];
}

/** Creates the context of a new scheduling cycle over these nodes. */
export function newCycleContext(nodes: readonly NodeInfo[] = [], nodesWithAffinityPods?: readonly NodeInfo[]): CycleContext {
  return { state: new Map(), nodes, nodesWithAffinityPods };
}

/** Returns ctx.state[key], computing and storing it on first use in this cycle. */
export function cycleValue<T>(ctx: CycleContext, key: string, compute: () => T): T {
  // One lookup in the common case (called for every node of every cycle).
  const cached = ctx.state.get(key);
  if (cached !== undefined || ctx.state.has(key)) return cached as T;
  const v = compute();
  ctx.state.set(key, v);
  return v;
}

/** A filter plugin: may the pod run on this node? */
export interface FilterPlugin {
  readonly name: string;
  /**
   * Optional, once per cycle before any node (kube-scheduler's PreFilter): "Skip" when the
   * filter would pass every node for this pod (e.g. no nodeSelector), so it is not run per node.
   */
  preFilter?(ctx: CycleContext, pod: Pod): "Skip" | undefined;
  filter(ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): Status;
}

/** A score plugin: how good is this (feasible) node for the pod? */
export interface ScorePlugin {
  readonly name: string;
  /**
   * Optional, once per cycle (kube-scheduler's PreScore): "Skip" when every node would get the
   * same score, which cannot change the choice, so the plugin is not run per node.
   */
  preScore?(ctx: CycleContext, pod: Pod): "Skip" | undefined;
  score(ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): ScoreResult;
  /**
   * Optional: rescales the raw scores of all feasible nodes into 0..MAX_NODE_SCORE in place,
   * for plugins whose raw score only means something relative to the other nodes.
   */
  normalizeScores?(ctx: CycleContext, pod: Pod, scores: NodeScore[]): void;
}

/** A score plugin with its weight in the total. */
export interface WeightedScorePlugin {
  plugin: ScorePlugin;
  weight: number;
}

/** Re-exported so that plugins import their whole vocabulary from one place. */
export type { NodeInfo };
