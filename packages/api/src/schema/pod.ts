// core/v1 PodSpec, PodTemplateSpec and the Pod kind, with pod-level security and DNS settings
// (scheduling constraints in pod-scheduling.ts, the status in pod-status.ts).
import { bool, f, int32, int64, listOf, mapOf, mergeBy, pkg, ptr, quantity, req, str, strMap, struct } from "./dsl.js";
import { kind, LocalObjectReference, ObjectMeta } from "./meta.js";
import {
  AppArmorProfile,
  Container,
  EphemeralContainer,
  ResourceRequirements,
  SeccompProfile,
  SELinuxOptions,
  WindowsSecurityContextOptions,
} from "./containers.js";
import { Affinity, Toleration, TopologySpreadConstraint } from "./pod-scheduling.js";
import { PodStatus } from "./pod-status.js";
import { Volume } from "./volumes.js";

export { Toleration } from "./pod-scheduling.js";

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
const HostAlias = struct(core, "HostAlias", "HostAlias holds the mapping between IP and hostnames that will be injected as an entry in the pod's hosts file.", {
  ip: f(str, 1, "IP address of the host file entry.", req),
  hostnames: f(listOf(str), 2, "Hostnames for the above IP address."),
});
const PodDNSConfig = struct(core, "PodDNSConfig", "PodDNSConfig defines the DNS parameters of a pod in addition to those generated from DNSPolicy.", {
  nameservers: f(listOf(str), 1, "A list of DNS name server IP addresses, appended to the base nameservers generated from DNSPolicy (duplicates removed)."),
  searches: f(
    listOf(str),
    2,
    "A list of DNS search domains for host-name lookup, appended to the base search paths generated from DNSPolicy (duplicates removed).",
  ),
  options: f(
    listOf(
      struct(core, "PodDNSConfigOption", "PodDNSConfigOption defines DNS resolver options of a pod.", {
        name: f(str, 1, "Name is this DNS resolver option's name (required)."),
        value: f(str, 2, "Value is this DNS resolver option's value.", ptr),
      }),
    ),
    3,
    "A list of DNS resolver options, merged with the base options generated from DNSPolicy (an option named here replaces the base one).",
  ),
});
const PodReadinessGate = struct(core, "PodReadinessGate", "PodReadinessGate contains the reference to a pod condition", {
  conditionType: f(str, 1, "ConditionType refers to a condition in the pod's condition list with matching type.", req),
});
const PodOS = struct(core, "PodOS", "PodOS defines the OS parameters of a pod.", {
  name: f(str, 1, "Name is the name of the operating system: linux or windows.", req),
});
const PodSchedulingGate = struct(core, "PodSchedulingGate", "PodSchedulingGate is associated to a Pod to guard its scheduling.", {
  name: f(str, 1, "Name of the scheduling gate. Each scheduling gate must have a unique name field.", req),
});
const PodResourceClaim = struct(
  core,
  "PodResourceClaim",
  "PodResourceClaim references exactly one ResourceClaim, either directly or by naming a ResourceClaimTemplate which is then turned into a ResourceClaim for the pod.",
  {
    name: f(str, 1, "Name uniquely identifies this resource claim inside the pod.", req),
    resourceClaimName: f(str, 3, "ResourceClaimName is the name of a ResourceClaim object in the same namespace as this pod.", ptr),
    resourceClaimTemplateName: f(
      str,
      4,
      "ResourceClaimTemplateName is the name of a ResourceClaimTemplate object in the same namespace as this pod; a ResourceClaim is made from it for the pod.",
      ptr,
    ),
  },
);

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
  overhead: f(mapOf(quantity), 32, "Overhead represents the resource overhead associated with running a pod for a given RuntimeClass."),
  setHostnameAsFQDN: f(bool, 35, "If true the pod's hostname will be configured as the pod's FQDN.", ptr),
  os: f(PodOS, 36, "Specifies the OS of the containers in the pod."),
  schedulingGates: f(
    listOf(PodSchedulingGate),
    38,
    "SchedulingGates is an opaque list of values that if specified will block scheduling the pod.",
    mergeBy("name"),
  ),
  resourceClaims: f(
    listOf(PodResourceClaim),
    39,
    "ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.",
    mergeBy("name"),
  ),
  resources: f(ResourceRequirements, 40, "Resources is the total amount of CPU and Memory resources required by all containers in the pod."),
  ephemeralContainers: f(listOf(EphemeralContainer), 34, "List of ephemeral containers run in this pod.", mergeBy("name")),
  hostAliases: f(listOf(HostAlias), 23, "HostAliases is an optional list of hosts and IPs that will be injected into the pod's hosts file.", mergeBy("ip")),
  preemptionPolicy: f(str, 31, "PreemptionPolicy is the Policy for preempting pods with lower priority.", ptr),
});

export const PodTemplateSpec = struct(core, "PodTemplateSpec", "PodTemplateSpec describes the data a pod should have when created from a template.", {
  metadata: f(ObjectMeta, 1, "Standard object's metadata."),
  spec: f(PodSpec, 2, "Specification of the desired behavior of the pod."),
});

// The status has no protobuf number: the protobuf bodies clients send carry none worth reading (as before).
export const Pod = kind(core, "Pod", { spec: f(PodSpec, 2), status: f(PodStatus, undefined) });
