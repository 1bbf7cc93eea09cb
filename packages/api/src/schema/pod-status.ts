// core/v1 PodStatus: phase, conditions, addresses and each container's state, as the node agent
// writes them (field numbers as in Kubernetes' generated.proto; the Pod kind leaves its status
// unnumbered, so protobuf bodies skip it as before).
import { bool, f, int32, int64, listOf, mapOf, mergeBy, pkg, ptr, quantity, req, str, struct, time } from "./dsl.js";
import { ResourceRequirements } from "./containers.js";

const core = pkg.core;

export const PodCondition = struct(core, "PodCondition", "PodCondition contains details for the current condition of this pod.", {
  type: f(str, 1, "Type is the type of the condition: PodScheduled, Initialized, ContainersReady, Ready, or a readiness gate's condition type.", req),
  observedGeneration: f(int64, 7, "The .metadata.generation of the pod this condition was set from."),
  status: f(str, 2, "Status is the status of the condition: True, False or Unknown.", req),
  lastProbeTime: f(time, 3, "Last time we probed the condition."),
  lastTransitionTime: f(time, 4, "Last time the condition transitioned from one status to another."),
  reason: f(str, 5, "Unique, one-word, CamelCase reason for the condition's last transition."),
  message: f(str, 6, "Human-readable message indicating details about the last transition."),
});

const ContainerStateWaiting = struct(core, "ContainerStateWaiting", "ContainerStateWaiting is a waiting state of a container.", {
  reason: f(str, 1, "(brief) reason the container is not yet running: ContainerCreating, ErrImagePull, ImagePullBackOff, CrashLoopBackOff, …"),
  message: f(str, 2, "Message regarding why the container is not yet running."),
});
const ContainerStateRunning = struct(core, "ContainerStateRunning", "ContainerStateRunning is a running state of a container.", {
  startedAt: f(time, 1, "Time at which the container was last (re-)started"),
});
const ContainerStateTerminated = struct(core, "ContainerStateTerminated", "ContainerStateTerminated is a terminated state of a container.", {
  exitCode: f(int32, 1, "Exit status from the last termination of the container", req),
  signal: f(int32, 2, "Signal from the last termination of the container"),
  reason: f(str, 3, "(brief) reason from the last termination of the container: Completed, Error, OOMKilled, …"),
  message: f(str, 4, "Message regarding the last termination of the container"),
  startedAt: f(time, 5, "Time at which previous execution of the container started"),
  finishedAt: f(time, 6, "Time at which the container last terminated"),
  containerID: f(str, 7, "Container's ID in the format '<type>://<container_id>'"),
});
export const ContainerState = struct(
  core,
  "ContainerState",
  "ContainerState holds a possible state of container. Only one of its members may be specified. If none of them is specified, the default one is ContainerStateWaiting.",
  {
    waiting: f(ContainerStateWaiting, 1, "Details about a waiting container"),
    running: f(ContainerStateRunning, 2, "Details about a running container"),
    terminated: f(ContainerStateTerminated, 3, "Details about a terminated container"),
  },
);

const VolumeMountStatus = struct(core, "VolumeMountStatus", "VolumeMountStatus shows status of volume mounts.", {
  name: f(str, 1, "Name corresponds to the name of the original VolumeMount.", req),
  mountPath: f(str, 2, "MountPath corresponds to the original VolumeMount.", req),
  readOnly: f(bool, 3, "ReadOnly corresponds to the original VolumeMount."),
  recursiveReadOnly: f(str, 4, "RecursiveReadOnly must be set to Disabled, Enabled, or unspecified (for non-readonly mounts).", ptr),
});
const LinuxContainerUser = struct(core, "LinuxContainerUser", "LinuxContainerUser represents user identity information in Linux containers", {
  uid: f(int64, 1, "UID is the primary uid initially attached to the first process in the container", req),
  gid: f(int64, 2, "GID is the primary gid initially attached to the first process in the container", req),
  supplementalGroups: f(listOf(int64), 3, "SupplementalGroups are the supplemental groups initially attached to the first process in the container"),
});
const ResourceHealth = struct(core, "ResourceHealth", "ResourceHealth represents the health of a resource (a device) allocated to a container.", {
  resourceID: f(str, 1, "ResourceID is the unique identifier of the resource.", req),
  health: f(str, 2, "Health of the resource: Healthy, Unhealthy or Unknown."),
});
const ResourceStatus = struct(core, "ResourceStatus", "ResourceStatus represents the status of a single resource allocated to a Pod.", {
  name: f(str, 1, "Name of the resource: the same as the name in pod.spec.containers[*].resources.requests or .claims.", req),
  // Kubernetes merges these by resourceID; not declared here, since merge keys apply by field name and RBAC rules have "resources" lists too.
  resources: f(listOf(ResourceHealth), 2, "List of unique resources health."),
});

export const ContainerStatus = struct(core, "ContainerStatus", "ContainerStatus contains details for the current status of this container.", {
  name: f(str, 1, "Name is a DNS_LABEL representing the unique name of the container.", req),
  state: f(ContainerState, 2, "State holds details about the container's current condition."),
  lastState: f(ContainerState, 3, "LastTerminationState holds the last termination state of the container, to help debug crashes and restarts."),
  ready: f(bool, 4, "Ready specifies whether the container is currently passing its readiness check.", req),
  restartCount: f(int32, 5, "RestartCount holds the number of times the container has been restarted.", req),
  image: f(str, 6, "Image is the name of container image that the container is running.", req),
  imageID: f(str, 7, "ImageID is the image ID of the container's image.", req),
  containerID: f(str, 8, "ContainerID is the ID of the container in the format '<type>://<container_id>'."),
  started: f(bool, 9, "Started indicates whether the container has finished its postStart lifecycle hook and passed its startup probe.", ptr),
  allocatedResources: f(mapOf(quantity), 10, "AllocatedResources represents the compute resources allocated for this container by the node."),
  resources: f(
    ResourceRequirements,
    11,
    "Resources represents the compute resource requests and limits that have been successfully enacted on the running container.",
  ),
  volumeMounts: f(listOf(VolumeMountStatus), 12, "Status of volume mounts.", mergeBy("mountPath")),
  user: f(
    struct(core, "ContainerUser", "ContainerUser represents user identity information", {
      linux: f(LinuxContainerUser, 1, "Linux holds user identity information initially attached to the first process of the containers in Linux."),
    }),
    13,
    "User represents user identity information initially attached to the first process of the container",
  ),
  allocatedResourcesStatus: f(
    listOf(ResourceStatus),
    14,
    "AllocatedResourcesStatus represents the status of various resources allocated for this Pod.",
    mergeBy("name"),
  ),
  stopSignal: f(str, 15, "StopSignal reports the effective stop signal for this container", ptr),
});

const ipOf = (name: string, what: string) =>
  struct(core, name, `${name} represents a single IP address allocated to the ${what}.`, {
    ip: f(str, 1, `IP is the IP address assigned to the ${what}`, req),
  });

export const PodStatus = struct(
  core,
  "PodStatus",
  "PodStatus represents information about the status of a pod. Status may trail the actual state of a system, especially if the node that hosts the pod cannot contact the control plane.",
  {
    observedGeneration: f(int64, 17, "The .metadata.generation of the pod this status was set from."),
    phase: f(
      str,
      1,
      "The phase of a Pod is a simple, high-level summary of where the Pod is in its lifecycle: Pending, Running, Succeeded, Failed or Unknown.",
    ),
    conditions: f(listOf(PodCondition), 2, "Current service state of pod.", mergeBy("type")),
    message: f(str, 3, "A human readable message indicating details about why the pod is in this condition."),
    reason: f(str, 4, "A brief CamelCase message indicating details about why the pod is in this state, e.g. 'Evicted'"),
    nominatedNodeName: f(str, 11, "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away."),
    hostIP: f(str, 5, "hostIP holds the IP address of the host to which the pod is assigned. Empty if the pod has not started yet."),
    hostIPs: f(listOf(ipOf("HostIP", "host")), 16, "hostIPs holds the IP addresses allocated to the host; the first is hostIP.", mergeBy("ip")),
    podIP: f(str, 6, "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated."),
    podIPs: f(listOf(ipOf("PodIP", "pod")), 12, "podIPs holds the IP addresses allocated to the pod; the first is podIP.", mergeBy("ip")),
    startTime: f(
      time,
      7,
      "RFC 3339 date and time at which the object was acknowledged by the Kubelet, before the Kubelet pulled the container image(s) for the pod.",
    ),
    initContainerStatuses: f(listOf(ContainerStatus), 10, "Statuses of init containers in this pod, one per init container in the manifest."),
    containerStatuses: f(listOf(ContainerStatus), 8, "Statuses of containers in this pod, one per container in the manifest."),
    qosClass: f(str, 9, "The Quality of Service (QOS) classification assigned to the pod based on resource requirements: Guaranteed, Burstable or BestEffort."),
    ephemeralContainerStatuses: f(listOf(ContainerStatus), 13, "Statuses for any ephemeral containers that have run in this pod."),
    resize: f(str, 14, "Status of resources resize desired for pod's containers (deprecated: see the PodResizePending and PodResizeInProgress conditions)."),
    resourceClaimStatuses: f(
      listOf(
        struct(
          core,
          "PodResourceClaimStatus",
          "PodResourceClaimStatus is stored in the PodStatus for each PodResourceClaim which references a ResourceClaimTemplate.",
          {
            name: f(str, 1, "Name uniquely identifies this resource claim inside the pod; it matches an entry in pod.spec.resourceClaims.", req),
            resourceClaimName: f(str, 2, "ResourceClaimName is the name of the ResourceClaim that was generated for the Pod.", ptr),
          },
        ),
      ),
      15,
      "Status of resource claims.",
      mergeBy("name"),
    ),
  },
);
