// core/v1 PodSpec, PodTemplateSpec and the Pod kind, with the scheduling parts (affinity,
// tolerations, topology spread) and pod-level security and DNS settings.
import { bool, f, free, int32, int64, listOf, mergeBy, opaque, pkg, ptr, req, str, strMap, struct } from "./dsl.js";
import { kind, LabelSelector, LocalObjectReference, ObjectMeta } from "./meta.js";
import { AppArmorProfile, Container, ResourceRequirements, SeccompProfile, SELinuxOptions, WindowsSecurityContextOptions } from "./containers.js";
import { Volume } from "./volumes.js";

const core = pkg.core;

const PodSecurityContext = struct(
  core,
  "PodSecurityContext",
  "PodSecurityContext holds pod-level security attributes and common container settings. Some fields are also present in container.securityContext. Field values of container.securityContext take precedence over field values of PodSecurityContext.",
  {
    seLinuxOptions: f(SELinuxOptions, 1, "The SELinux context to be applied to all containers."),
    windowsOptions: f(WindowsSecurityContextOptions, 8, "The Windows specific settings applied to all containers."),
    runAsUser: f(int64, 2, "The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified.", ptr),
    runAsGroup: f(int64, 6, "The GID to run the entrypoint of the container process. Uses runtime default if unset.", ptr),
    runAsNonRoot: f(bool, 3, "Indicates that the container must run as a non-root user.", ptr),
    supplementalGroups: f(
      listOf(int64),
      4,
      "A list of groups applied to the first process run in each container, in addition to the container's primary GID and fsGroup (if specified).",
    ),
    supplementalGroupsPolicy: f(str, 12, "Defines how supplemental groups of the first container processes are calculated: Merge or Strict.", ptr),
    fsGroup: f(
      int64,
      5,
      "A special supplemental group that applies to all containers in a pod; volumes that support ownership management are owned by it.",
      ptr,
    ),
    sysctls: f(
      listOf(
        struct(core, "Sysctl", "Sysctl defines a kernel parameter to be set", {
          name: f(str, 1, "Name of a property to set", req),
          value: f(str, 2, "Value of a property to set", req),
        }),
      ),
      7,
      "Sysctls hold a list of namespaced sysctls used for the pod.",
    ),
    fsGroupChangePolicy: f(
      str,
      9,
      "fsGroupChangePolicy defines behavior of changing ownership and permission of the volume before being exposed inside Pod: OnRootMismatch or Always.",
      ptr,
    ),
    seccompProfile: f(SeccompProfile, 10, "The seccomp options to use by the containers in this pod."),
    appArmorProfile: f(AppArmorProfile, 11, "appArmorProfile is the AppArmor options to use by the containers in this pod."),
    seLinuxChangePolicy: f(
      str,
      13,
      "seLinuxChangePolicy defines how the container's SELinux label is applied to all volumes used by the Pod: MountOption or Recursive.",
      ptr,
    ),
  },
);
export const Toleration = opaque(core, "Toleration", {
  key: f(str, 1),
  operator: f(str, 2),
  value: f(str, 3),
  effect: f(str, 4),
  tolerationSeconds: f(int64, 5, undefined, ptr),
});
const HostAlias = opaque(core, "HostAlias", { ip: f(str, 1), hostnames: f(listOf(str), 2) });
const PodDNSConfig = opaque(core, "PodDNSConfig", {
  nameservers: f(listOf(str), 1),
  searches: f(listOf(str), 2),
  options: f(listOf(opaque(core, "PodDNSConfigOption", { name: f(str, 1), value: f(str, 2, undefined, ptr) })), 3),
});
const PodReadinessGate = opaque(core, "PodReadinessGate", { conditionType: f(str, 1) });
const TopologySpreadConstraint = opaque(core, "TopologySpreadConstraint", {
  maxSkew: f(int32, 1),
  topologyKey: f(str, 2),
  whenUnsatisfiable: f(str, 3),
  labelSelector: f(LabelSelector, 4),
  minDomains: f(int32, 5, undefined, ptr),
  nodeAffinityPolicy: f(str, 6, undefined, ptr),
  nodeTaintsPolicy: f(str, 7, undefined, ptr),
  matchLabelKeys: f(listOf(str), 8),
});

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
const NodeAffinity = struct(core, "NodeAffinity", "Node affinity is a group of node affinity scheduling rules.", {
  requiredDuringSchedulingIgnoredDuringExecution: f(
    struct(
      core,
      "NodeSelector",
      "A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms.",
      {
        nodeSelectorTerms: f(listOf(NodeSelectorTerm), 1, "Required. A list of node selector terms. The terms are ORed.", req),
      },
    ),
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
const Affinity = struct(core, "Affinity", "Affinity is a group of affinity scheduling rules.", {
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

export const PodSpec = struct(core, "PodSpec", "PodSpec is a description of a pod.", {
  containers: f(listOf(Container), 2, "List of containers belonging to the pod.", mergeBy("name", req)),
  initContainers: f(listOf(Container), 20, "List of initialization containers belonging to the pod.", mergeBy("name")),
  volumes: f(listOf(Volume), 1, "List of volumes that can be mounted by containers belonging to the pod.", mergeBy("name")),
  restartPolicy: f(str, 3, "Restart policy for all containers within the pod. One of Always, OnFailure, Never."),
  terminationGracePeriodSeconds: f(int64, 4, "Optional duration in seconds the pod needs to terminate gracefully.", ptr),
  activeDeadlineSeconds: f(int64, 5, "Optional duration in seconds the pod may be active on the node relative to StartTime.", ptr),
  dnsPolicy: f(str, 6, "Set DNS policy for the pod."),
  nodeSelector: f(strMap, 7, "NodeSelector is a selector which must be true for the pod to fit on a node."),
  serviceAccountName: f(str, 8, "ServiceAccountName is the name of the ServiceAccount to use to run this pod."),
  serviceAccount: f(str, 9, "DeprecatedServiceAccount is a deprecated alias for ServiceAccountName."),
  automountServiceAccountToken: f(bool, 21, "AutomountServiceAccountToken indicates whether a service account token should be automatically mounted.", ptr),
  nodeName: f(str, 10, "NodeName indicates in which node this pod is scheduled."),
  hostNetwork: f(bool, 11, "Host networking requested for this pod."),
  hostname: f(str, 16, "Specifies the hostname of the Pod."),
  subdomain: f(str, 17, 'If specified, the fully qualified Pod hostname will be "<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>".'),
  affinity: f(Affinity, 18, "If specified, the pod's scheduling constraints."),
  schedulerName: f(str, 19, "If specified, the pod will be dispatched by specified scheduler."),
  tolerations: f(listOf(Toleration), 22, "If specified, the pod's tolerations."),
  priority: f(int32, 25, "The priority value.", ptr),
  priorityClassName: f(str, 24, "If specified, indicates the pod's priority."),
  securityContext: f(PodSecurityContext, 14, "SecurityContext holds pod-level security attributes and common container settings."),
  imagePullSecrets: f(listOf(LocalObjectReference), 15, "ImagePullSecrets is an optional list of references to secrets for pulling images.", mergeBy("name")),
  enableServiceLinks: f(bool, 30, "EnableServiceLinks indicates whether information about services should be injected into pod's environment variables.", ptr),
  shareProcessNamespace: f(bool, 27, "Share a single process namespace between all of the containers in a pod.", ptr),
  readinessGates: f(listOf(PodReadinessGate), 28, "If specified, all readiness gates will be evaluated for pod readiness."),
  topologySpreadConstraints: f(
    listOf(TopologySpreadConstraint),
    33,
    "TopologySpreadConstraints describes how a group of pods ought to spread across topology domains.",
    mergeBy("topologyKey"),
  ),
  hostPID: f(bool, 12, "Use the host's pid namespace."),
  hostIPC: f(bool, 13, "Use the host's ipc namespace."),
  hostUsers: f(bool, 37, "Use the host's user namespace.", ptr),
  runtimeClassName: f(str, 29, "RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group.", ptr),
  dnsConfig: f(PodDNSConfig, 26, "Specifies the DNS parameters of a pod."),
  overhead: f(strMap, undefined, "Overhead represents the resource overhead associated with running a pod for a given RuntimeClass."),
  setHostnameAsFQDN: f(bool, 35, "If true the pod's hostname will be configured as the pod's FQDN.", ptr),
  os: f(free, undefined, "Specifies the OS of the containers in the pod."),
  schedulingGates: f(listOf(free), undefined, "SchedulingGates is an opaque list of values that if specified will block scheduling the pod.", mergeBy("name")),
  resourceClaims: f(
    listOf(free),
    undefined,
    "ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.",
    mergeBy("name"),
  ),
  resources: f(ResourceRequirements, undefined, "Resources is the total amount of CPU and Memory resources required by all containers in the pod."),
  ephemeralContainers: f(listOf(free), undefined, "List of ephemeral containers run in this pod.", mergeBy("name")),
  hostAliases: f(listOf(HostAlias), 23, "HostAliases is an optional list of hosts and IPs that will be injected into the pod's hosts file.", mergeBy("ip")),
  preemptionPolicy: f(str, 31, "PreemptionPolicy is the Policy for preempting pods with lower priority.", ptr),
});

export const PodTemplateSpec = struct(core, "PodTemplateSpec", "PodTemplateSpec describes the data a pod should have when created from a template.", {
  metadata: f(ObjectMeta, 1, "Standard object's metadata."),
  spec: f(PodSpec, 2, "Specification of the desired behavior of the pod."),
});

export const Pod = kind(core, "Pod", { spec: f(PodSpec, 2), status: f(free, undefined) });
