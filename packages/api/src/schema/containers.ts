// core/v1 Container and what it holds: ports, env and its sources, resources, volume mounts,
// probes, lifecycle hooks, security context.
import { bool, embedded, f, free, inline, int32, int64, intOrString, listOf, mapOf, mergeBy, opaque, pkg, ptr, quantity, req, str, struct } from "./dsl.js";
import { localRef } from "./meta.js";

const core = pkg.core;

export const ContainerPort = struct(core, "ContainerPort", "ContainerPort represents a network port in a single container.", {
  name: f(str, 1, "If specified, this must be an IANA_SVC_NAME and unique within the pod."),
  containerPort: f(int32, 3, "Number of port to expose on the pod's IP address.", req),
  hostPort: f(int32, 2, "Number of port to expose on the host."),
  hostIP: f(str, 5, "What host IP to bind the external port to."),
  protocol: f(str, 4, "Protocol for port. Must be UDP, TCP, or SCTP. Defaults to \"TCP\"."),
});

export const ObjectFieldSelector = opaque(core, "ObjectFieldSelector", { apiVersion: f(str, 1), fieldPath: f(str, 2) });
export const ResourceFieldSelector = opaque(core, "ResourceFieldSelector", { containerName: f(str, 1), resource: f(str, 2), divisor: f(quantity, 3) });
const keySelector = (name: string) => opaque(core, name, { localObjectReference: localRef, key: f(str, 2), optional: f(bool, 3, undefined, ptr) });
const EnvVarSource = opaque(core, "EnvVarSource", {
  fieldRef: f(ObjectFieldSelector, 1), resourceFieldRef: f(ResourceFieldSelector, 2),
  configMapKeyRef: f(keySelector("ConfigMapKeySelector"), 3), secretKeyRef: f(keySelector("SecretKeySelector"), 4),
});

export const EnvVar = struct(core, "EnvVar", "EnvVar represents an environment variable present in a Container.", {
  name: f(str, 1, "Name of the environment variable.", req),
  value: f(str, 2, "Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container."),
  valueFrom: f(EnvVarSource, 3, "Source for the environment variable's value."),
});

const envSource = (name: string) => opaque(core, name, { localObjectReference: localRef, optional: f(bool, 2, undefined, ptr) });
const EnvFromSource = opaque(core, "EnvFromSource", { prefix: f(str, 1), configMapRef: f(envSource("ConfigMapEnvSource"), 2), secretRef: f(envSource("SecretEnvSource"), 3) });

const ResourceClaim = opaque(core, "ResourceClaim", { name: f(str, 1), request: f(str, 2) });
export const ResourceRequirements = struct(core, "ResourceRequirements", "ResourceRequirements describes the compute resource requirements.", {
  limits: f(mapOf(quantity), 1, "Limits describes the maximum amount of compute resources allowed."),
  requests: f(mapOf(quantity), 2, "Requests describes the minimum amount of compute resources required."),
  // A map-type list, but (as in Kubernetes) without a merge strategy: patches replace it.
  claims: f(listOf(ResourceClaim), 3, "Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.", { list: { mapKeys: ["name"] } }),
});

export const VolumeMount = inline(core, "VolumeMount", "VolumeMount describes a mounting of a Volume within a container.", {
  name: f(str, 1, "This must match the Name of a Volume.", req),
  mountPath: f(str, 3, "Path within the container at which the volume should be mounted.", req),
  readOnly: f(bool, 2, "Mounted read-only if true."),
  subPath: f(str, 4, "Path within the volume from which the container's volume should be mounted."),
  mountPropagation: f(str, 5, "mountPropagation determines how mounts are propagated from the host to container and the other way around.", ptr),
  subPathExpr: f(str, 6, "Expanded path within the volume from which the container's volume should be mounted."),
  recursiveReadOnly: f(str, 7, "RecursiveReadOnly specifies whether read-only mounts should be handled recursively.", ptr),
});

// Probes and lifecycle handlers.
export const ExecAction = opaque(core, "ExecAction", { command: f(listOf(str), 1) });
const HTTPHeader = opaque(core, "HTTPHeader", { name: f(str, 1), value: f(str, 2) });
export const HTTPGetAction = opaque(core, "HTTPGetAction", { path: f(str, 1), port: f(intOrString, 2, undefined, ptr), host: f(str, 3), scheme: f(str, 4), httpHeaders: f(listOf(HTTPHeader), 5) });
export const TCPSocketAction = opaque(core, "TCPSocketAction", { port: f(intOrString, 1, undefined, ptr), host: f(str, 2) });
const GRPCAction = opaque(core, "GRPCAction", { port: f(int32, 1), service: f(str, 2, undefined, ptr) });
const ProbeHandler = opaque(core, "ProbeHandler", { exec: f(ExecAction, 1), httpGet: f(HTTPGetAction, 2), tcpSocket: f(TCPSocketAction, 3), grpc: f(GRPCAction, 4) });
export const Probe = opaque(core, "Probe", {
  handler: f(ProbeHandler, 1, undefined, embedded), initialDelaySeconds: f(int32, 2), timeoutSeconds: f(int32, 3), periodSeconds: f(int32, 4),
  successThreshold: f(int32, 5), failureThreshold: f(int32, 6), terminationGracePeriodSeconds: f(int64, 7, undefined, ptr),
});
const SleepAction = opaque(core, "SleepAction", { seconds: f(int64, 1) });
const LifecycleHandler = opaque(core, "LifecycleHandler", { exec: f(ExecAction, 1), httpGet: f(HTTPGetAction, 2), tcpSocket: f(TCPSocketAction, 3), sleep: f(SleepAction, 4) });
export const Lifecycle = opaque(core, "Lifecycle", { postStart: f(LifecycleHandler, 1), preStop: f(LifecycleHandler, 2) });

// Security contexts.
const Capabilities = opaque(core, "Capabilities", { add: f(listOf(str), 1), drop: f(listOf(str), 2) });
export const SeccompProfile = opaque(core, "SeccompProfile", { type: f(str, 1), localhostProfile: f(str, 2, undefined, ptr) });
export const SecurityContext = opaque(core, "SecurityContext", {
  capabilities: f(Capabilities, 1), privileged: f(bool, 2, undefined, ptr), runAsUser: f(int64, 4, undefined, ptr), runAsNonRoot: f(bool, 5, undefined, ptr),
  readOnlyRootFilesystem: f(bool, 6, undefined, ptr), allowPrivilegeEscalation: f(bool, 7, undefined, ptr), runAsGroup: f(int64, 8, undefined, ptr),
  procMount: f(str, 9, undefined, ptr), seccompProfile: f(SeccompProfile, 11),
});

export const Container = struct(core, "Container", "A single application container that you want to run within a pod.", {
  name: f(str, 1, "Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated.", req),
  image: f(str, 2, "Container image name."),
  imagePullPolicy: f(str, 14, "Image pull policy. One of Always, Never, IfNotPresent."),
  command: f(listOf(str), 3, "Entrypoint array. Not executed within a shell."),
  args: f(listOf(str), 4, "Arguments to the entrypoint."),
  workingDir: f(str, 5, "Container's working directory."),
  ports: f(listOf(ContainerPort), 6, "List of ports to expose from the container.", mergeBy("containerPort")),
  env: f(listOf(EnvVar), 7, "List of environment variables to set in the container.", mergeBy("name")),
  envFrom: f(listOf(EnvFromSource), 19, "List of sources to populate environment variables in the container."),
  resources: f(ResourceRequirements, 8, "Compute Resources required by this container."),
  volumeMounts: f(listOf(VolumeMount), 9, "Pod volumes to mount into the container's filesystem.", mergeBy("mountPath")),
  livenessProbe: f(Probe, 10, "Periodic probe of container liveness."),
  readinessProbe: f(Probe, 11, "Periodic probe of container service readiness."),
  startupProbe: f(Probe, 22, "StartupProbe indicates that the Pod has successfully initialized."),
  lifecycle: f(Lifecycle, 12, "Actions that the management system should take in response to container lifecycle events."),
  securityContext: f(SecurityContext, 15, "SecurityContext defines the security options the container should be run with."),
  restartPolicy: f(str, 24, "RestartPolicy defines the restart behavior of individual containers in a pod (init containers only: Always makes a sidecar).", ptr),
  stdin: f(bool, 16, "Whether this container should allocate a buffer for stdin in the container runtime."),
  stdinOnce: f(bool, 17, "Whether the container runtime should close the stdin channel after it has been opened by a single attach."),
  tty: f(bool, 18, "Whether this container should allocate a TTY for itself."),
  volumeDevices: f(listOf(free), undefined, "volumeDevices is the list of block devices to be used by the container.", mergeBy("devicePath")),
  resizePolicy: f(listOf(free), undefined, "Resources resize policy for the container."),
  terminationMessagePath: f(str, 13, "Path at which the file to which the container's termination message will be written is mounted."),
  terminationMessagePolicy: f(str, 20, "Indicate how the termination message should be populated."),
});
