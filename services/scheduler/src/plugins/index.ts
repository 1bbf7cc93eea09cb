// The scheduler's plugins, one folder each, and the default profile: which filters run (in
// order) and how the scores are weighted.
import type { FilterPlugin, WeightedScorePlugin } from "../framework/types.js";
import { nodeReady } from "./node-ready/node-ready.js";
import { taintToleration } from "./taint-toleration/taint-toleration.js";
import { nodeSelector } from "./node-selector/node-selector.js";
import { resourceFit } from "./resource-fit/resource-fit.js";
import { leastAllocated } from "./least-allocated/least-allocated.js";
import { spread } from "./spread/spread.js";
import { volumeBinding, type VolumeLister } from "./volume-binding/volume-binding.js";

export * as nodeReadyPlugin from "./node-ready/node-ready.js";
export * as taintTolerationPlugin from "./taint-toleration/taint-toleration.js";
export * as nodeSelectorPlugin from "./node-selector/node-selector.js";
export * as resourceFitPlugin from "./resource-fit/resource-fit.js";
export * as leastAllocatedPlugin from "./least-allocated/least-allocated.js";
export * as spreadPlugin from "./spread/spread.js";
export * as volumeBindingPlugin from "./volume-binding/volume-binding.js";

/**
 * Default filters, in the order they run. Cheap, "unresolvable" checks come first so that the
 * FailedScheduling message names the most fundamental reason for each node (a node stops at
 * its first failing filter, as in kube-scheduler). VolumeBinding runs when claims and volumes
 * can be looked up (the scheduler's informers).
 */
export function defaultFilterPlugins(volumes?: VolumeLister): FilterPlugin[] {
  return [nodeReady, nodeSelector, taintToleration, ...(volumes ? [volumeBinding(volumes)] : []), resourceFit];
}

/** Default scores and weights: spreading replicas (2, as kube-scheduler's PodTopologySpread) outweighs packing by free share (1). */
export function defaultScorePlugins(): WeightedScorePlugin[] {
  return [
    { plugin: leastAllocated, weight: 1 },
    { plugin: spread, weight: 2 },
  ];
}
