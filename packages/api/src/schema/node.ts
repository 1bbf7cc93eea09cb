// core/v1 Node: its spec (taints, pod CIDRs, unschedulable) and the status the node agent
// reports (conditions, addresses, capacity/allocatable, nodeInfo, images, daemon endpoints).
// Field numbers as in Kubernetes' generated.proto; the status is left unnumbered (protobuf bodies skip it).
import { bool, f, int32, int64, listOf, mapOf, mergeBy, pkg, quantity, req, str, struct, time } from "./dsl.js";
import { kind } from "./meta.js";

const core = pkg.core;

export const Taint = struct(core, "Taint", 'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.', {
  key: f(str, 1, "Required. The taint key to be applied to a node.", req),
  value: f(str, 2, "The taint value corresponding to the taint key."),
  effect: f(str, 3, "Required. The effect of the taint on pods that do not tolerate the taint: NoSchedule, PreferNoSchedule or NoExecute.", req),
  timeAdded: f(time, 4, "TimeAdded represents the time at which the taint was added (set for NoExecute taints)."),
});

export const NodeSpec = struct(core, "NodeSpec", "NodeSpec describes the attributes that a node is created with.", {
  podCIDR: f(str, 1, "PodCIDR represents the pod IP range assigned to the node."),
  podCIDRs: f(listOf(str), 7, "podCIDRs represents the IP ranges assigned to the node for usage by Pods on that node; the first is podCIDR.", {
    list: { set: true },
  }),
  providerID: f(str, 3, "ID of the node assigned by the cloud provider in the format: <ProviderName>://<ProviderSpecificNodeID>"),
  unschedulable: f(bool, 4, "Unschedulable controls node schedulability of new pods (kubectl cordon sets it). By default, node is schedulable."),
  taints: f(listOf(Taint), 5, "If specified, the node's taints."),
  externalID: f(str, 2, "Deprecated. Not all kubelets will set this field."),
});

export const NodeCondition = struct(core, "NodeCondition", "NodeCondition contains condition information for a node.", {
  type: f(str, 1, "Type of node condition: Ready, MemoryPressure, DiskPressure, PIDPressure or NetworkUnavailable.", req),
  status: f(str, 2, "Status of the condition, one of True, False, Unknown.", req),
  lastHeartbeatTime: f(time, 3, "Last time we got an update on a given condition."),
  lastTransitionTime: f(time, 4, "Last time the condition transit from one status to another."),
  reason: f(str, 5, "(brief) reason for the condition's last transition."),
  message: f(str, 6, "Human readable message indicating details about last transition."),
});

const NodeAddress = struct(core, "NodeAddress", "NodeAddress contains information for the node's address.", {
  type: f(str, 1, "Node address type, one of Hostname, ExternalIP or InternalIP.", req),
  address: f(str, 2, "The node address.", req),
});

const DaemonEndpoint = struct(core, "DaemonEndpoint", "DaemonEndpoint contains information about a single Daemon endpoint.", {
  Port: f(int32, 1, "Port number of the given endpoint.", req),
  // Skiff's own: Kubernetes reaches the kubelet at the node's address; Skiff's agent may listen elsewhere.
  Address: f(str, undefined, "Skiff only: the address the node agent listens on, when it is not the node's InternalIP (such as loopback)."),
});

const NodeSystemInfo = struct(core, "NodeSystemInfo", "NodeSystemInfo is a set of ids/uuids to uniquely identify the node.", {
  machineID: f(str, 1, "MachineID reported by the node (unique machine id from /etc/machine-id).", req),
  systemUUID: f(str, 2, "SystemUUID reported by the node.", req),
  bootID: f(str, 3, "Boot ID reported by the node.", req),
  kernelVersion: f(str, 4, "Kernel Version reported by the node from 'uname -r'.", req),
  osImage: f(str, 5, "OS Image reported by the node from /etc/os-release.", req),
  containerRuntimeVersion: f(str, 6, "ContainerRuntime Version reported by the node through runtime remote API (e.g. docker://24.0.7).", req),
  kubeletVersion: f(str, 7, "Kubelet Version reported by the node.", req),
  kubeProxyVersion: f(str, 8, "Deprecated: KubeProxy Version reported by the node.", req),
  operatingSystem: f(str, 9, "The Operating System reported by the node", req),
  architecture: f(str, 10, "The Architecture reported by the node", req),
  swap: f(
    struct(core, "NodeSwapStatus", "NodeSwapStatus represents swap memory information.", {
      capacity: f(int64, 1, "Total amount of swap memory in bytes."),
    }),
    11,
    "Swap Info reported by the node.",
  ),
});

const ContainerImage = struct(core, "ContainerImage", "Describe a container image", {
  names: f(listOf(str), 1, 'Names by which this image is known, e.g. ["docker.io/library/nginx@sha256:…", "docker.io/library/nginx:1.25"].'),
  sizeBytes: f(int64, 2, "The size of the image in bytes."),
});

export const NodeStatus = struct(core, "NodeStatus", "NodeStatus is information about the current status of a node.", {
  capacity: f(mapOf(quantity), 1, "Capacity represents the total resources of a node."),
  allocatable: f(mapOf(quantity), 2, "Allocatable represents the resources of a node that are available for scheduling. Defaults to Capacity."),
  phase: f(str, 3, "NodePhase is the recently observed lifecycle phase of the node. Deprecated: never populated."),
  conditions: f(listOf(NodeCondition), 4, "Conditions is an array of current observed node conditions.", mergeBy("type")),
  addresses: f(listOf(NodeAddress), 5, "List of addresses reachable to the node.", mergeBy("type")),
  daemonEndpoints: f(
    struct(core, "NodeDaemonEndpoints", "NodeDaemonEndpoints lists ports opened by daemons running on the Node.", {
      kubeletEndpoint: f(DaemonEndpoint, 1, "Endpoint on which the node agent (Kubernetes: the kubelet) is listening."),
    }),
    6,
    "Endpoints of daemons running on the Node.",
  ),
  nodeInfo: f(NodeSystemInfo, 7, "Set of ids/uuids to uniquely identify the node."),
  images: f(listOf(ContainerImage), 8, "List of container images on this node"),
  volumesInUse: f(listOf(str), 9, "List of attachable volumes in use (mounted) by the node."),
  volumesAttached: f(
    listOf(
      struct(core, "AttachedVolume", "AttachedVolume describes a volume attached to a node", {
        name: f(str, 1, "Name of the attached volume", req),
        devicePath: f(str, 2, "DevicePath represents the device path where the volume should be available", req),
      }),
    ),
    10,
    "List of volumes that are attached to the node.",
  ),
  runtimeHandlers: f(
    listOf(
      struct(core, "NodeRuntimeHandler", "NodeRuntimeHandler is a set of runtime handler information.", {
        name: f(str, 1, "Runtime handler name. Empty for the default runtime handler."),
        features: f(
          struct(core, "NodeRuntimeHandlerFeatures", "NodeRuntimeHandlerFeatures is a set of features implemented by the runtime handler.", {
            recursiveReadOnlyMounts: f(bool, 1, "RecursiveReadOnlyMounts is set to true if the runtime handler supports RecursiveReadOnlyMounts."),
            userNamespaces: f(bool, 2, "UserNamespaces is set to true if the runtime handler supports UserNamespaces, including for volumes."),
          }),
          2,
          "Supported features.",
        ),
      }),
    ),
    12,
    "The available runtime handlers.",
  ),
  features: f(
    struct(core, "NodeFeatures", "NodeFeatures describes the set of features implemented by the CRI implementation.", {
      supplementalGroupsPolicy: f(bool, 1, "SupplementalGroupsPolicy is set to true if the runtime supports SupplementalGroupsPolicy and ContainerUser."),
    }),
    13,
    "Features describes the set of features implemented by the CRI implementation.",
  ),
});

export const Node = kind(core, "Node", { spec: f(NodeSpec, 2), status: f(NodeStatus, undefined) });
