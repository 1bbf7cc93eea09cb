// core/v1 PodSpec, PodTemplateSpec and the Pod kind, with the scheduling parts (affinity,
// tolerations, topology spread) and pod-level security and DNS settings.
import { bool, f, free, int32, int64, listOf, mergeBy, opaque, pkg, ptr, req, str, strMap, struct } from "./dsl.js";
import { kind, LabelSelector, LocalObjectReference, ObjectMeta } from "./meta.js";
import { Container, ResourceRequirements, SeccompProfile } from "./containers.js";
import { Volume } from "./volumes.js";

const core = pkg.core;

const PodSecurityContext = opaque(core, "PodSecurityContext", {
  runAsUser: f(int64, 2, undefined, ptr), runAsNonRoot: f(bool, 3, undefined, ptr), supplementalGroups: f(listOf(int64), 4), fsGroup: f(int64, 5, undefined, ptr),
  runAsGroup: f(int64, 6, undefined, ptr), sysctls: f(listOf(opaque(core, "Sysctl", { name: f(str, 1), value: f(str, 2) })), 7),
  fsGroupChangePolicy: f(str, 9, undefined, ptr), seccompProfile: f(SeccompProfile, 10),
});
export const Toleration = opaque(core, "Toleration", { key: f(str, 1), operator: f(str, 2), value: f(str, 3), effect: f(str, 4), tolerationSeconds: f(int64, 5, undefined, ptr) });
const HostAlias = opaque(core, "HostAlias", { ip: f(str, 1), hostnames: f(listOf(str), 2) });
const PodDNSConfig = opaque(core, "PodDNSConfig", {
  nameservers: f(listOf(str), 1), searches: f(listOf(str), 2),
  options: f(listOf(opaque(core, "PodDNSConfigOption", { name: f(str, 1), value: f(str, 2, undefined, ptr) })), 3),
});
const PodReadinessGate = opaque(core, "PodReadinessGate", { conditionType: f(str, 1) });
const TopologySpreadConstraint = opaque(core, "TopologySpreadConstraint", {
  maxSkew: f(int32, 1), topologyKey: f(str, 2), whenUnsatisfiable: f(str, 3), labelSelector: f(LabelSelector, 4), minDomains: f(int32, 5, undefined, ptr),
  nodeAffinityPolicy: f(str, 6, undefined, ptr), nodeTaintsPolicy: f(str, 7, undefined, ptr), matchLabelKeys: f(listOf(str), 8),
});

// Affinity.
const NodeSelectorRequirement = opaque(core, "NodeSelectorRequirement", { key: f(str, 1), operator: f(str, 2), values: f(listOf(str), 3) });
const NodeSelectorTerm = opaque(core, "NodeSelectorTerm", { matchExpressions: f(listOf(NodeSelectorRequirement), 1), matchFields: f(listOf(NodeSelectorRequirement), 2) });
const NodeAffinity = opaque(core, "NodeAffinity", {
  requiredDuringSchedulingIgnoredDuringExecution: f(opaque(core, "NodeSelector", { nodeSelectorTerms: f(listOf(NodeSelectorTerm), 1) }), 1),
  preferredDuringSchedulingIgnoredDuringExecution: f(listOf(opaque(core, "PreferredSchedulingTerm", { weight: f(int32, 1), preference: f(NodeSelectorTerm, 2) })), 2),
});
const PodAffinityTerm = opaque(core, "PodAffinityTerm", {
  labelSelector: f(LabelSelector, 1), namespaces: f(listOf(str), 2), topologyKey: f(str, 3), namespaceSelector: f(LabelSelector, 4),
  matchLabelKeys: f(listOf(str), 5), mismatchLabelKeys: f(listOf(str), 6),
});
const PodAffinity = opaque(core, "PodAffinity", {
  requiredDuringSchedulingIgnoredDuringExecution: f(listOf(PodAffinityTerm), 1),
  preferredDuringSchedulingIgnoredDuringExecution: f(listOf(opaque(core, "WeightedPodAffinityTerm", { weight: f(int32, 1), podAffinityTerm: f(PodAffinityTerm, 2) })), 2),
});
const Affinity = opaque(core, "Affinity", { nodeAffinity: f(NodeAffinity, 1), podAffinity: f(PodAffinity, 2), podAntiAffinity: f(PodAffinity, 3) });

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
  subdomain: f(str, 17, "If specified, the fully qualified Pod hostname will be \"<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>\"."),
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
  topologySpreadConstraints: f(listOf(TopologySpreadConstraint), 33, "TopologySpreadConstraints describes how a group of pods ought to spread across topology domains.", mergeBy("topologyKey")),
  hostPID: f(bool, 12, "Use the host's pid namespace."),
  hostIPC: f(bool, 13, "Use the host's ipc namespace."),
  hostUsers: f(bool, 37, "Use the host's user namespace.", ptr),
  runtimeClassName: f(str, 29, "RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group.", ptr),
  dnsConfig: f(PodDNSConfig, 26, "Specifies the DNS parameters of a pod."),
  overhead: f(strMap, undefined, "Overhead represents the resource overhead associated with running a pod for a given RuntimeClass."),
  setHostnameAsFQDN: f(bool, 35, "If true the pod's hostname will be configured as the pod's FQDN.", ptr),
  os: f(free, undefined, "Specifies the OS of the containers in the pod."),
  schedulingGates: f(listOf(free), undefined, "SchedulingGates is an opaque list of values that if specified will block scheduling the pod.", mergeBy("name")),
  resourceClaims: f(listOf(free), undefined, "ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.", mergeBy("name")),
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
