// core/v1 Container and what it holds: ports, env and its sources, resources, volume mounts,
// probes, lifecycle hooks, security context.
import { bool, embedded, f, inline, int32, int64, intOrString, listOf, mapOf, mergeBy, pkg, ptr, quantity, req, str, struct } from "./dsl.js";
import { localRef } from "./meta.js";

const core = pkg.core;

export const ContainerPort = struct(core, "ContainerPort", "ContainerPort represents a network port in a single container.", {
  name: f(str, 1, "If specified, this must be an IANA_SVC_NAME and unique within the pod."),
  containerPort: f(int32, 3, "Number of port to expose on the pod's IP address.", req),
  hostPort: f(int32, 2, "Number of port to expose on the host."),
  hostIP: f(str, 5, "What host IP to bind the external port to."),
  protocol: f(str, 4, 'Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".'),
});

export const ObjectFieldSelector = struct(core, "ObjectFieldSelector", "ObjectFieldSelector selects an APIVersioned field of an object.", {
  apiVersion: f(str, 1, 'Version of the schema the FieldPath is written in terms of, defaults to "v1".'),
  fieldPath: f(str, 2, "Path of the field to select in the specified API version.", req),
});
export const ResourceFieldSelector = struct(
  core,
  "ResourceFieldSelector",
  "ResourceFieldSelector represents container resources (cpu, memory) and their output format",
  {
    containerName: f(str, 1, "Container name: required for volumes, optional for env vars"),
    resource: f(str, 2, "Required: resource to select", req),
    divisor: f(quantity, 3, 'Specifies the output format of the exposed resources, defaults to "1"'),
  },
);
const keySelector = (name: string, what: string) =>
  struct(core, name, `Selects a key from a ${what}.`, {
    localObjectReference: localRef,
    key: f(str, 2, `The key to select.`, req),
    optional: f(bool, 3, `Specify whether the ${what} or its key must be defined.`, ptr),
  });
const EnvVarSource = struct(core, "EnvVarSource", "EnvVarSource represents a source for the value of an EnvVar.", {
  fieldRef: f(
    ObjectFieldSelector,
    1,
    "Selects a field of the pod: supports metadata.name, metadata.namespace, `metadata.labels['<KEY>']`, `metadata.annotations['<KEY>']`, spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs.",
  ),
  resourceFieldRef: f(
    ResourceFieldSelector,
    2,
    "Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory and requests.ephemeral-storage) are currently supported.",
  ),
  configMapKeyRef: f(keySelector("ConfigMapKeySelector", "ConfigMap"), 3, "Selects a key of a ConfigMap."),
  secretKeyRef: f(keySelector("SecretKeySelector", "secret in the pod's namespace"), 4, "Selects a key of a secret in the pod's namespace"),
});

export const EnvVar = struct(core, "EnvVar", "EnvVar represents an environment variable present in a Container.", {
  name: f(str, 1, "Name of the environment variable.", req),
  value: f(str, 2, "Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container."),
  valueFrom: f(EnvVarSource, 3, "Source for the environment variable's value. Cannot be used if value is not empty."),
});

const envSource = (name: string, what: string) =>
  struct(core, name, `${name} selects a ${what} to populate the environment variables with: its keys become the variable names.`, {
    localObjectReference: localRef,
    optional: f(bool, 2, `Specify whether the ${what} must be defined`, ptr),
  });
const EnvFromSource = struct(core, "EnvFromSource", "EnvFromSource represents the source of a set of ConfigMaps or Secrets", {
  prefix: f(str, 1, "Optional text to prepend to the name of each environment variable."),
  configMapRef: f(envSource("ConfigMapEnvSource", "ConfigMap"), 2, "The ConfigMap to select from"),
  secretRef: f(envSource("SecretEnvSource", "Secret"), 3, "The Secret to select from"),
});

const ResourceClaim = struct(core, "ResourceClaim", "ResourceClaim references one entry in PodSpec.ResourceClaims.", {
  name: f(str, 1, "Name must match the name of one entry in pod.spec.resourceClaims of the Pod where this field is used.", req),
  request: f(str, 2, "Request is the name chosen for a request in the referenced claim. If empty, everything from the claim is made available."),
});
export const ResourceRequirements = struct(core, "ResourceRequirements", "ResourceRequirements describes the compute resource requirements.", {
  limits: f(mapOf(quantity), 1, "Limits describes the maximum amount of compute resources allowed."),
  requests: f(
    mapOf(quantity),
    2,
    "Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified.",
  ),
  // A map-type list, but (as in Kubernetes) without a merge strategy: patches replace it.
  claims: f(listOf(ResourceClaim), 3, "Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.", {
    list: { mapKeys: ["name"] },
  }),
});

const VolumeDevice = struct(core, "VolumeDevice", "volumeDevice describes a mapping of a raw block device within a container.", {
  name: f(str, 1, "name must match the name of a persistentVolumeClaim in the pod", req),
  devicePath: f(str, 2, "devicePath is the path inside of the container that the device will be mapped to.", req),
});
const ContainerResizePolicy = struct(core, "ContainerResizePolicy", "ContainerResizePolicy represents resource resize policy for the container.", {
  resourceName: f(str, 1, "Name of the resource to which this resource resize policy applies. Supported values: cpu, memory.", req),
  restartPolicy: f(
    str,
    2,
    "Restart policy to apply when specified resource is resized. If not specified, it defaults to NotRequired (NotRequired or RestartContainer).",
    req,
  ),
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

// Probes and lifecycle handlers (spelt out, so kubectl explain goes into them and typos inside are unknown fields).
export const ExecAction = struct(core, "ExecAction", 'ExecAction describes a "run in container" action.', {
  command: f(
    listOf(str),
    1,
    "Command is the command line to execute inside the container, the working directory for the command  is root ('/') in the container's filesystem. The command is simply exec'd, it is not run inside a shell.",
  ),
});
const HTTPHeader = struct(core, "HTTPHeader", "HTTPHeader describes a custom header to be used in HTTP probes", {
  name: f(str, 1, "The header field name.", req),
  value: f(str, 2, "The header field value", req),
});
export const HTTPGetAction = struct(core, "HTTPGetAction", "HTTPGetAction describes an action based on HTTP Get requests.", {
  path: f(str, 1, "Path to access on the HTTP server."),
  port: f(intOrString, 2, "Name or number of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.", {
    pointer: true,
    required: true,
  }),
  host: f(str, 3, "Host name to connect to, defaults to the pod IP."),
  scheme: f(str, 4, "Scheme to use for connecting to the host. Defaults to HTTP."),
  httpHeaders: f(listOf(HTTPHeader), 5, "Custom headers to set in the request. HTTP allows repeated headers."),
});
export const TCPSocketAction = struct(core, "TCPSocketAction", "TCPSocketAction describes an action based on opening a socket", {
  port: f(intOrString, 1, "Number or name of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.", {
    pointer: true,
    required: true,
  }),
  host: f(str, 2, "Optional: Host name to connect to, defaults to the pod IP."),
});
const GRPCAction = struct(core, "GRPCAction", "GRPCAction specifies an action involving a GRPC service.", {
  port: f(int32, 1, "Port number of the gRPC service. Number must be in the range 1 to 65535.", req),
  service: f(
    str,
    2,
    "Service is the name of the service to place in the gRPC HealthCheckRequest. If this is not specified, the default behavior is defined by gRPC.",
    ptr,
  ),
});
const ProbeHandler = struct(
  core,
  "ProbeHandler",
  "ProbeHandler defines a specific action that should be taken in a probe. One and only one of the fields must be specified.",
  {
    exec: f(ExecAction, 1, "Exec specifies a command to execute in the container."),
    httpGet: f(HTTPGetAction, 2, "HTTPGet specifies an HTTP GET request to perform."),
    tcpSocket: f(TCPSocketAction, 3, "TCPSocket specifies a connection to a TCP port."),
    grpc: f(GRPCAction, 4, "GRPC specifies a GRPC HealthCheckRequest."),
  },
);
export const Probe = struct(
  core,
  "Probe",
  "Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic.",
  {
    handler: f(ProbeHandler, 1, undefined, embedded),
    initialDelaySeconds: f(int32, 2, "Number of seconds after the container has started before liveness probes are initiated."),
    timeoutSeconds: f(int32, 3, "Number of seconds after which the probe times out. Defaults to 1 second. Minimum value is 1."),
    periodSeconds: f(int32, 4, "How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1."),
    successThreshold: f(
      int32,
      5,
      "Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1. Must be 1 for liveness and startup. Minimum value is 1.",
    ),
    failureThreshold: f(
      int32,
      6,
      "Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3. Minimum value is 1.",
    ),
    terminationGracePeriodSeconds: f(
      int64,
      7,
      "Optional duration in seconds the pod needs to terminate gracefully upon probe failure. If this value is nil, the pod's terminationGracePeriodSeconds will be used.",
      ptr,
    ),
  },
);
const SleepAction = struct(core, "SleepAction", 'SleepAction describes a "sleep" action.', {
  seconds: f(int64, 1, "Seconds is the number of seconds to sleep.", req),
});
const LifecycleHandler = struct(
  core,
  "LifecycleHandler",
  "LifecycleHandler defines a specific action that should be taken in a lifecycle hook. One and only one of the fields, except TCPSocket must be specified.",
  {
    exec: f(ExecAction, 1, "Exec specifies a command to execute in the container."),
    httpGet: f(HTTPGetAction, 2, "HTTPGet specifies an HTTP GET request to perform."),
    tcpSocket: f(TCPSocketAction, 3, "Deprecated. TCPSocket is NOT supported as a LifecycleHandler and kept for backward compatibility."),
    sleep: f(SleepAction, 4, "Sleep represents a duration that the container should sleep."),
  },
);
export const Lifecycle = struct(
  core,
  "Lifecycle",
  "Lifecycle describes actions that the management system should take in response to container lifecycle events.",
  {
    postStart: f(
      LifecycleHandler,
      1,
      "PostStart is called immediately after a container is created. If the handler fails, the container is terminated and restarted according to its restart policy.",
    ),
    preStop: f(
      LifecycleHandler,
      2,
      "PreStop is called immediately before a container is terminated due to an API request or management event such as liveness/startup probe failure, preemption, resource contention, etc.",
    ),
  },
);

// Security contexts.
const Capabilities = struct(core, "Capabilities", "Adds and removes POSIX capabilities from running containers.", {
  add: f(listOf(str), 1, "Added capabilities"),
  drop: f(listOf(str), 2, "Removed capabilities"),
});
export const SeccompProfile = struct(
  core,
  "SeccompProfile",
  "SeccompProfile defines a pod/container's seccomp profile settings. Only one profile source may be set.",
  {
    type: f(str, 1, "type indicates which kind of seccomp profile will be applied: Localhost, RuntimeDefault or Unconfined.", req),
    localhostProfile: f(str, 2, 'localhostProfile indicates a profile defined in a file on the node should be used. Must be set if type is "Localhost".', ptr),
  },
);
export const SELinuxOptions = struct(core, "SELinuxOptions", "SELinuxOptions are the labels to be applied to the container", {
  user: f(str, 1, "User is a SELinux user label that applies to the container."),
  role: f(str, 2, "Role is a SELinux role label that applies to the container."),
  type: f(str, 3, "Type is a SELinux type label that applies to the container."),
  level: f(str, 4, "Level is SELinux level label that applies to the container."),
});
export const WindowsSecurityContextOptions = struct(
  core,
  "WindowsSecurityContextOptions",
  "WindowsSecurityContextOptions contain Windows-specific options and credentials.",
  {
    gmsaCredentialSpecName: f(str, 1, "GMSACredentialSpecName is the name of the GMSA credential spec to use.", ptr),
    gmsaCredentialSpec: f(
      str,
      2,
      "GMSACredentialSpec is where the GMSA admission webhook inlines the contents of the GMSA credential spec named by the GMSACredentialSpecName field.",
      ptr,
    ),
    runAsUserName: f(str, 3, "The UserName in Windows to run the entrypoint of the container process.", ptr),
    hostProcess: f(bool, 4, "HostProcess determines if a container should be run as a 'Host Process' container.", ptr),
  },
);
export const AppArmorProfile = struct(core, "AppArmorProfile", "AppArmorProfile defines a pod or container's AppArmor settings.", {
  type: f(str, 1, "type indicates which kind of AppArmor profile will be applied: Localhost, RuntimeDefault or Unconfined.", req),
  localhostProfile: f(
    str,
    2,
    'localhostProfile indicates a profile loaded on the node that should be used. Must be set if and only if type is "Localhost".',
    ptr,
  ),
});
export const SecurityContext = struct(
  core,
  "SecurityContext",
  "SecurityContext holds security configuration that will be applied to a container. Some fields are present in both SecurityContext and PodSecurityContext. When both are set, the values in SecurityContext take precedence.",
  {
    capabilities: f(
      Capabilities,
      1,
      "The capabilities to add/drop when running containers. Defaults to the default set of capabilities granted by the container runtime.",
    ),
    privileged: f(
      bool,
      2,
      "Run container in privileged mode. Processes in privileged containers are essentially equivalent to root on the host. Defaults to false.",
      ptr,
    ),
    seLinuxOptions: f(SELinuxOptions, 3, "The SELinux context to be applied to the container."),
    windowsOptions: f(WindowsSecurityContextOptions, 10, "The Windows specific settings applied to all containers."),
    runAsUser: f(int64, 4, "The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified.", ptr),
    runAsGroup: f(int64, 8, "The GID to run the entrypoint of the container process. Uses runtime default if unset.", ptr),
    runAsNonRoot: f(
      bool,
      5,
      "Indicates that the container must run as a non-root user. If true, the Kubelet will validate the image at runtime to ensure that it does not run as UID 0 (root) and fail to start the container if it does.",
      ptr,
    ),
    readOnlyRootFilesystem: f(bool, 6, "Whether this container has a read-only root filesystem. Default is false.", ptr),
    allowPrivilegeEscalation: f(bool, 7, "AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process.", ptr),
    procMount: f(
      str,
      9,
      "procMount denotes the type of proc mount to use for the containers. The default value is Default which uses the container runtime defaults for readonly paths and masked paths.",
      ptr,
    ),
    seccompProfile: f(
      SeccompProfile,
      11,
      "The seccomp options to use by this container. If seccomp options are provided at both the pod & container level, the container options override the pod options.",
    ),
    appArmorProfile: f(
      AppArmorProfile,
      12,
      "appArmorProfile is the AppArmor options to use by this container. If set, this profile overrides the pod's appArmorProfile.",
    ),
  },
);

/** The fields of a container (a pod's containers and init containers, and ephemeral containers' common part). */
const containerFields = {
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
  restartPolicy: f(
    str,
    24,
    "RestartPolicy defines the restart behavior of individual containers in a pod (init containers only: Always makes a sidecar).",
    ptr,
  ),
  stdin: f(bool, 16, "Whether this container should allocate a buffer for stdin in the container runtime."),
  stdinOnce: f(bool, 17, "Whether the container runtime should close the stdin channel after it has been opened by a single attach."),
  tty: f(bool, 18, "Whether this container should allocate a TTY for itself."),
  volumeDevices: f(listOf(VolumeDevice), 21, "volumeDevices is the list of block devices to be used by the container.", mergeBy("devicePath")),
  resizePolicy: f(listOf(ContainerResizePolicy), 23, "Resources resize policy for the container."),
  terminationMessagePath: f(str, 13, "Path at which the file to which the container's termination message will be written is mounted."),
  terminationMessagePolicy: f(str, 20, "Indicate how the termination message should be populated."),
};

export const Container = struct(core, "Container", "A single application container that you want to run within a pod.", containerFields);

/** An ephemeral container (kubectl debug): a container's fields (EphemeralContainerCommon, embedded) and the container it targets. */
export const EphemeralContainer = struct(
  core,
  "EphemeralContainer",
  "An EphemeralContainer is a temporary container that you may add to an existing Pod for user-initiated activities such as debugging.",
  {
    common: f(
      struct(
        core,
        "EphemeralContainerCommon",
        "EphemeralContainerCommon is a copy of all fields in Container to be inlined in EphemeralContainer.",
        containerFields,
      ),
      1,
      undefined,
      embedded,
    ),
    targetContainerName: f(
      str,
      2,
      "If set, the name of the container from PodSpec that this ephemeral container targets: it is run in the namespaces (IPC, PID, etc) of this container.",
    ),
  },
);
