// scheduling.k8s.io/v1 PriorityClass: a kind whose data sits beside metadata.
import { bool, f, int32, pkg, ptr, str } from "./dsl.js";
import { kind } from "./meta.js";

export const PriorityClass = kind(pkg.scheduling, "PriorityClass", {
  // Not omitempty in Go: a zero value is sent and kept, as for a pointer.
  value: f(int32, 2, "value represents the integer value of this priority class.", ptr),
  globalDefault: f(
    bool,
    3,
    "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.",
  ),
  description: f(str, 4, "description is an arbitrary string that usually provides guidelines on when this priority class should be used."),
  preemptionPolicy: f(str, 5, "preemptionPolicy is the Policy for preempting pods with lower priority.", ptr),
});
