// policy/v1: Eviction (the body of a pod's eviction subresource, not a resource of its own) and
// PodDisruptionBudget (spec and the status the disruption controller and evictions write).
import { f, int32, int64, intOrString, listOf, mapOf, mergeBy, pkg, ptr, str, struct, time } from "./dsl.js";
import { Condition, DeleteOptions, kind, LabelSelector } from "./meta.js";

const policy = pkg.policy;

export const Eviction = kind(policy, "Eviction", { deleteOptions: f(DeleteOptions, 2, "DeleteOptions may be provided.") });

const PodDisruptionBudgetSpec = struct(policy, "PodDisruptionBudgetSpec", "PodDisruptionBudgetSpec is a description of a PodDisruptionBudget.", {
  minAvailable: f(
    intOrString,
    1,
    'An eviction is allowed if at least "minAvailable" pods selected by "selector" will still be available after the eviction (a number or a percentage such as "50%").',
    ptr,
  ),
  selector: f(LabelSelector, 2, "Label query over pods whose evictions are managed by the disruption budget. An empty selector selects all pods."),
  maxUnavailable: f(
    intOrString,
    3,
    'An eviction is allowed if at most "maxUnavailable" pods selected by "selector" are unavailable after the eviction. Mutually exclusive with minAvailable.',
    ptr,
  ),
  unhealthyPodEvictionPolicy: f(
    str,
    4,
    "UnhealthyPodEvictionPolicy defines the criteria for when unhealthy pods should be considered for eviction: IfHealthyBudget (the default) or AlwaysAllow.",
    ptr,
  ),
});

const PodDisruptionBudgetStatus = struct(
  policy,
  "PodDisruptionBudgetStatus",
  "PodDisruptionBudgetStatus represents information about the status of a PodDisruptionBudget. Status may trail the actual state of a system.",
  {
    observedGeneration: f(int64, 1, "Most recent generation observed when updating this PDB status."),
    disruptedPods: f(
      mapOf(time),
      2,
      "DisruptedPods contains information about pods whose eviction was processed by the API server eviction subresource but not yet observed by the controller; the value is the time of the eviction.",
    ),
    disruptionsAllowed: f(int32, 3, "Number of pod disruptions that are currently allowed.", { required: true }),
    currentHealthy: f(int32, 4, "current number of healthy pods", { required: true }),
    desiredHealthy: f(int32, 5, "minimum desired number of healthy pods", { required: true }),
    expectedPods: f(int32, 6, "total number of pods counted by this disruption budget", { required: true }),
    conditions: f(
      listOf(Condition),
      7,
      "Conditions contain conditions for PDB. The disruption controller sets DisruptionAllowed: True when disruptionsAllowed > 0, else False with a reason.",
      mergeBy("type"),
    ),
  },
);

export const PodDisruptionBudget = kind(policy, "PodDisruptionBudget", {
  spec: f(PodDisruptionBudgetSpec, 2),
  status: f(PodDisruptionBudgetStatus, undefined),
});
