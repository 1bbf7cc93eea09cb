// core/v1 PodSpec's scheduling constraints: affinity (node, pod, anti-affinity), tolerations and
// topology spread constraints, spelt out so kubectl explain goes into them and typos inside them
// are unknown fields.
import { f, int32, int64, listOf, pkg, ptr, req, str, struct } from "./dsl.js";
import { LabelSelector } from "./meta.js";

const core = pkg.core;

export const Toleration = struct(
  core,
  "Toleration",
  "The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>.",
  {
    key: f(
      str,
      1,
      "Key is the taint key that the toleration applies to. Empty means match all taint keys; then the operator must be Exists (all values and all keys match).",
    ),
    operator: f(
      str,
      2,
      "Operator represents a key's relationship to the value: Exists or Equal (the default). Exists matches any value, so a pod can tolerate all taints of a particular category.",
    ),
    value: f(str, 3, "Value is the taint value the toleration matches to. Empty when the operator is Exists."),
    effect: f(str, 4, "Effect indicates the taint effect to match: NoSchedule, PreferNoSchedule or NoExecute. Empty means match all taint effects."),
    tolerationSeconds: f(
      int64,
      5,
      "TolerationSeconds is how long a NoExecute taint is tolerated before the pod is evicted (ignored for other effects). Unset means forever; zero and negative values mean evict at once.",
      ptr,
    ),
  },
);

export const TopologySpreadConstraint = struct(
  core,
  "TopologySpreadConstraint",
  "TopologySpreadConstraint specifies how to spread matching pods among the given topology.",
  {
    maxSkew: f(
      int32,
      1,
      "MaxSkew describes the degree to which pods may be unevenly distributed: the largest allowed difference between the number of matching pods in a topology domain and the global minimum. Must be greater than zero.",
      req,
    ),
    topologyKey: f(str, 2, "TopologyKey is the key of node labels. Nodes with a label of this key and identical values are in the same topology domain.", req),
    whenUnsatisfiable: f(
      str,
      3,
      "WhenUnsatisfiable tells the scheduler what to do with a pod that does not satisfy the spread constraint: DoNotSchedule (the default) or ScheduleAnyway (schedule it, preferring the domains that reduce the skew).",
      req,
    ),
    labelSelector: f(LabelSelector, 4, "LabelSelector is used to find matching pods, counted to determine the number of pods in their topology domain."),
    minDomains: f(
      int32,
      5,
      "MinDomains indicates a minimum number of eligible domains: with fewer, the global minimum is taken as 0. Only with whenUnsatisfiable DoNotSchedule.",
      ptr,
    ),
    nodeAffinityPolicy: f(
      str,
      6,
      "NodeAffinityPolicy indicates how the pod's nodeAffinity/nodeSelector is treated when calculating the skew: Honor (the default) or Ignore.",
      ptr,
    ),
    nodeTaintsPolicy: f(str, 7, "NodeTaintsPolicy indicates how node taints are treated when calculating the skew: Honor or Ignore (the default).", ptr),
    matchLabelKeys: f(
      listOf(str),
      8,
      "MatchLabelKeys is a set of pod label keys to select the pods over which spreading is calculated; their values are taken from the incoming pod's labels and ANDed with labelSelector.",
    ),
  },
);

// Affinity (spelt out, so kubectl explain goes into it and typos inside are unknown fields).
const NodeSelectorRequirement = struct(
  core,
  "NodeSelectorRequirement",
  "A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values.",
  {
    key: f(str, 1, "The label key that the selector applies to.", req),
    operator: f(str, 2, "Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt.", req),
    values: f(
      listOf(str),
      3,
      "An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. If the operator is Gt or Lt, the values array must have a single element, which will be interpreted as an integer.",
    ),
  },
);
const NodeSelectorTerm = struct(core, "NodeSelectorTerm", "A null or empty node selector term matches no objects. The requirements of them are ANDed.", {
  matchExpressions: f(listOf(NodeSelectorRequirement), 1, "A list of node selector requirements by node's labels."),
  matchFields: f(listOf(NodeSelectorRequirement), 2, "A list of node selector requirements by node's fields."),
});
/** A node selector (node affinity's required terms; a PersistentVolume's node affinity). */
export const NodeSelector = struct(
  core,
  "NodeSelector",
  "A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms.",
  {
    nodeSelectorTerms: f(listOf(NodeSelectorTerm), 1, "Required. A list of node selector terms. The terms are ORed.", req),
  },
);
const NodeAffinity = struct(core, "NodeAffinity", "Node affinity is a group of node affinity scheduling rules.", {
  requiredDuringSchedulingIgnoredDuringExecution: f(
    NodeSelector,
    1,
    "If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.",
  ),
  preferredDuringSchedulingIgnoredDuringExecution: f(
    listOf(
      struct(
        core,
        "PreferredSchedulingTerm",
        "An empty preferred scheduling term matches all objects with implicit weight 0 (i.e. it's a no-op). A null preferred scheduling term matches no objects (i.e. is also a no-op).",
        {
          weight: f(int32, 1, "Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.", req),
          preference: f(NodeSelectorTerm, 2, "A node selector term, associated with the corresponding weight.", req),
        },
      ),
    ),
    2,
    "The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions.",
  ),
});
const PodAffinityTerm = struct(
  core,
  "PodAffinityTerm",
  "Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with, where co-located is defined as running on a node whose value of the label with key <topologyKey> matches that of any node on which a pod of the set of pods is running",
  {
    labelSelector: f(LabelSelector, 1, "A label query over a set of resources, in this case pods. If it's null, this PodAffinityTerm matches with no Pods."),
    namespaces: f(
      listOf(str),
      2,
      'namespaces specifies a static list of namespace names that the term applies to. null or empty namespaces list and null namespaceSelector means "this pod\'s namespace".',
    ),
    topologyKey: f(
      str,
      3,
      "This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces, where co-located is defined as running on a node whose value of the label with key topologyKey matches that of any node on which any of the selected pods is running. Empty topologyKey is not allowed.",
      req,
    ),
    namespaceSelector: f(LabelSelector, 4, "A label query over the set of namespaces that the term applies to. An empty selector ({}) matches all namespaces."),
    matchLabelKeys: f(
      listOf(str),
      5,
      "MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration; their values are taken from the incoming pod's labels.",
    ),
    mismatchLabelKeys: f(
      listOf(str),
      6,
      "MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration; pods whose values differ from the incoming pod's are selected.",
    ),
  },
);
const WeightedPodAffinityTerm = struct(
  core,
  "WeightedPodAffinityTerm",
  "The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s)",
  {
    weight: f(int32, 1, "weight associated with matching the corresponding podAffinityTerm, in the range 1-100.", req),
    podAffinityTerm: f(PodAffinityTerm, 2, "Required. A pod affinity term, associated with the corresponding weight.", req),
  },
);
const podAffinity = (name: string, what: string) =>
  struct(core, name, `Pod ${what} is a group of inter pod ${what} scheduling rules.`, {
    requiredDuringSchedulingIgnoredDuringExecution: f(
      listOf(PodAffinityTerm),
      1,
      `If the ${what} requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node.`,
    ),
    preferredDuringSchedulingIgnoredDuringExecution: f(
      listOf(WeightedPodAffinityTerm),
      2,
      `The scheduler will prefer to schedule pods to nodes that satisfy the ${what} expressions specified by this field, but it may choose a node that violates one or more of the expressions.`,
    ),
  });
export const Affinity = struct(core, "Affinity", "Affinity is a group of affinity scheduling rules.", {
  nodeAffinity: f(NodeAffinity, 1, "Describes node affinity scheduling rules for the pod."),
  podAffinity: f(
    podAffinity("PodAffinity", "affinity"),
    2,
    "Describes pod affinity scheduling rules (e.g. co-locate this pod in the same node, zone, etc. as some other pod(s)).",
  ),
  podAntiAffinity: f(
    podAffinity("PodAntiAffinity", "anti-affinity"),
    3,
    "Describes pod anti-affinity scheduling rules (e.g. avoid putting this pod in the same node, zone, etc. as some other pod(s)).",
  ),
});
