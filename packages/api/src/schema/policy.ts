// policy/v1: Eviction (the body of a pod's eviction subresource, not a resource of its own) and
// PodDisruptionBudget (protobuf knows its spec; the OpenAPI documents keep it free-form).
import { f, free, intOrString, opaque, pkg, ptr, str } from "./dsl.js";
import { DeleteOptions, kind, LabelSelector } from "./meta.js";

export const Eviction = kind(pkg.policy, "Eviction", { deleteOptions: f(DeleteOptions, 2, "DeleteOptions may be provided.") });

export const PodDisruptionBudget = kind(pkg.policy, "PodDisruptionBudget", {
  spec: f(
    opaque(pkg.policy, "PodDisruptionBudgetSpec", {
      minAvailable: f(intOrString, 1, undefined, ptr),
      selector: f(LabelSelector, 2),
      maxUnavailable: f(intOrString, 3, undefined, ptr),
      unhealthyPodEvictionPolicy: f(str, 4, undefined, ptr),
    }),
    2,
  ),
  status: f(free, undefined),
});
