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
import { nodeAffinity } from "./node-affinity/node-affinity.js";
import { nodePorts } from "./node-ports/node-ports.js";
import { interPodAffinity } from "./inter-pod-affinity/inter-pod-affinity.js";
import { topologySpread } from "./topology-spread/topology-spread.js";
import type { NamespaceLabels } from "./inter-pod-affinity/terms.js";

export * as nodeReadyPlugin from "./node-ready/node-ready.js";
export * as taintTolerationPlugin from "./taint-toleration/taint-toleration.js";
export * as nodeSelectorPlugin from "./node-selector/node-selector.js";
export * as resourceFitPlugin from "./resource-fit/resource-fit.js";
export * as leastAllocatedPlugin from "./least-allocated/least-allocated.js";
export * as spreadPlugin from "./spread/spread.js";
export * as volumeBindingPlugin from "./volume-binding/volume-binding.js";
export * as nodeAffinityPlugin from "./node-affinity/node-affinity.js";
export * as nodePortsPlugin from "./node-ports/node-ports.js";
export * as interPodAffinityPlugin from "./inter-pod-affinity/inter-pod-affinity.js";
export * as topologySpreadPlugin from "./topology-spread/topology-spread.js";

/**
 * Default filters, in the order they run. Cheap, "unresolvable" checks come first so that the
 * FailedScheduling message names the most fundamental reason for each node (a node stops at
 * its first failing filter, as in kube-scheduler). VolumeBinding runs when claims and volumes
 * can be looked up (the scheduler's informers).
 */
export function defaultFilterPlugins(volumes?: VolumeLister, namespaces?: NamespaceLabels): FilterPlugin[] {
  return [
    nodeReady,
    nodeSelector,
    nodeAffinity,
    taintToleration,
    nodePorts,
    ...(volumes ? [volumeBinding(volumes)] : []),
    resourceFit,
    interPodAffinity(namespaces),
    topologySpread,
  ];
}

/**
 * Default scores and weights, kube-scheduler's where it has the plugin: node affinity, inter-pod
 * affinity and topology spread 2; spreading replicas by controller (kube-scheduler's default
 * topology spread, 2) outweighs packing by free share (1).
 */
export function defaultScorePlugins(namespaces?: NamespaceLabels): WeightedScorePlugin[] {
  return [
    { plugin: leastAllocated, weight: 1 },
    { plugin: spread, weight: 2 },
    { plugin: nodeAffinity, weight: 2 },
    { plugin: interPodAffinity(namespaces), weight: 2 },
    { plugin: topologySpread, weight: 2 },
  ];
}
