// core/v1 LimitRange and ResourceQuota: their specs, and a quota's status (hard and used), as the
// quota admission writes it. Field numbers as in Kubernetes' generated.proto.
import { f, listOf, mapOf, pkg, quantity, req, str, struct } from "./dsl.js";
import { kind } from "./meta.js";

const core = pkg.core;
const quantities = mapOf(quantity);

const LimitRangeItem = struct(core, "LimitRangeItem", "LimitRangeItem defines a min/max usage limit for any resource that matches on kind.", {
  type: f(str, 1, "Type of resource that this limit applies to: Container, Pod or PersistentVolumeClaim.", req),
  max: f(quantities, 2, "Max usage constraints on this kind by resource name."),
  min: f(quantities, 3, "Min usage constraints on this kind by resource name."),
  default: f(quantities, 4, "Default resource requirement limit value by resource name if resource limit is omitted."),
  defaultRequest: f(quantities, 5, "DefaultRequest is the default resource requirement request value by resource name if resource request is omitted."),
  maxLimitRequestRatio: f(
    quantities,
    6,
    "MaxLimitRequestRatio if specified, the named resource must have a request and limit that are both non-zero where limit divided by request is less than or equal to the enumerated value.",
  ),
});

export const LimitRange = kind(core, "LimitRange", {
  spec: f(
    struct(core, "LimitRangeSpec", "LimitRangeSpec defines a min/max usage limit for resources that match on kind.", {
      limits: f(listOf(LimitRangeItem), 1, "Limits is the list of LimitRangeItem objects that are enforced.", req),
    }),
    2,
  ),
});

export const ResourceQuota = kind(core, "ResourceQuota", {
  spec: f(
    struct(core, "ResourceQuotaSpec", "ResourceQuotaSpec defines the desired hard limits to enforce for Quota.", {
      hard: f(quantities, 1, "hard is the set of desired hard limits for each named resource."),
      scopes: f(
        listOf(str),
        2,
        "A collection of filters that must match each object tracked by a quota (Terminating, NotTerminating, BestEffort, NotBestEffort, PriorityClass, …).",
      ),
      scopeSelector: f(
        struct(core, "ScopeSelector", "A scope selector represents the AND of the selectors represented by the scoped-resource selector requirements.", {
          matchExpressions: f(
            listOf(
              struct(
                core,
                "ScopedResourceSelectorRequirement",
                "A scoped-resource selector requirement is a selector that contains values, a scope name, and an operator that relates the scope name and values.",
                {
                  scopeName: f(str, 1, "The name of the scope that the selector applies to.", req),
                  operator: f(str, 2, "Represents a scope's relationship to a set of values: In, NotIn, Exists, DoesNotExist.", req),
                  values: f(listOf(str), 3, "An array of string values (non-empty for In and NotIn, empty for Exists and DoesNotExist)."),
                },
              ),
            ),
            1,
            "A list of scope selector requirements by scope of the resources.",
          ),
        }),
        3,
        "scopeSelector is also a collection of filters like scopes that must match each object tracked by a quota but expressed using ScopeSelectorOperator in combination with possible values.",
      ),
    }),
    2,
  ),
  status: f(
    struct(core, "ResourceQuotaStatus", "ResourceQuotaStatus defines the enforced hard limits and observed use.", {
      hard: f(quantities, 1, "Hard is the set of enforced hard limits for each named resource."),
      used: f(quantities, 2, "Used is the current observed total usage of the resource in the namespace."),
    }),
    undefined,
  ),
});
