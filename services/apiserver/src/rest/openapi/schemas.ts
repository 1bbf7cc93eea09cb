// A compact, hand-written description of Skiff's kinds for the OpenAPI documents: the types
// kubectl users explain and edit most are spelled out (with Kubernetes' patch merge keys);
// the rest keep free-form spec/status. Refs are written "#REF/<name>" and resolved per version.
import { apiVersionOf, type ResourceInfo } from "@skiff/api";

/** An OpenAPI schema object (the subset used here). */
export type Schema = Record<string, unknown>;

const REF = "#REF/";
const t = (type: string, description?: string, format?: string): Schema => ({ type, ...(format ? { format } : {}), ...(description ? { description } : {}) });
const str = (d?: string) => t("string", d);
const int = (d?: string) => t("integer", d, "int32");
const bool = (d?: string) => t("boolean", d);
const strMap = (d?: string): Schema => ({ type: "object", additionalProperties: { type: "string" }, ...(d ? { description: d } : {}) });
const free = (d?: string): Schema => ({ type: "object", "x-kubernetes-preserve-unknown-fields": true, ...(d ? { description: d } : {}) });
/** A reference to another definition, with a field description (allOf keeps the description in v3). */
const ref = (name: string, d?: string): Schema => (d ? { description: d, allOf: [{ $ref: REF + name }] } : { $ref: REF + name });
/** Kubernetes' IntOrString type, as its OpenAPI names it (kubectl explain prints <IntOrString>). */
const intOrStringType = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const intOrString = (d?: string): Schema => ref(intOrStringType, d);
const arr = (items: Schema, d?: string, mergeKey?: string): Schema => ({
  type: "array", items, ...(d ? { description: d } : {}),
  ...(mergeKey ? { "x-kubernetes-patch-merge-key": mergeKey, "x-kubernetes-patch-strategy": "merge", "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": [mergeKey] } : {}),
});
const obj = (description: string, properties: Record<string, Schema>, required?: string[]): Schema => ({ type: "object", description, properties, ...(required ? { required } : {}) });

const core = "io.k8s.api.core.v1.";
/** Every volume source of a Volume (free-form: their details are not spelled out). */
const volumeSources: Record<string, Schema> = Object.fromEntries([
  "hostPath", "emptyDir", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "secret", "nfs", "iscsi", "glusterfs", "persistentVolumeClaim", "rbd", "flexVolume", "cinder", "cephfs",
  "flocker", "downwardAPI", "fc", "azureFile", "configMap", "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume", "scaleIO", "projected", "storageos", "csi", "ephemeral", "image",
].map((k) => [k, free(`The ${k} volume source.`)]));
const meta = "io.k8s.apimachinery.pkg.apis.meta.v1.";
const apps = "io.k8s.api.apps.v1.";
const batch = "io.k8s.api.batch.v1.";

/** Definitions of the detailed types (names as in Kubernetes' own OpenAPI). */
const detailed: Record<string, Schema> = {
  // No "type": either is valid, and kubectl explain names an untyped reference by its type name.
  [intOrStringType]: { "x-kubernetes-int-or-string": true, format: "int-or-string", description: "IntOrString is a type that can hold an int32 or a string." },
  [meta + "ObjectMeta"]: obj("ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.", {
    name: str("Name must be unique within a namespace."), generateName: str("GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
    namespace: str("Namespace defines the space within which each name must be unique."), uid: str("UID is the unique in time and space value for this object."),
    resourceVersion: str("An opaque value that represents the internal version of this object."), selfLink: str("Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."), generation: t("integer", "A sequence number representing a specific generation of the desired state.", "int64"),
    creationTimestamp: t("string", "CreationTimestamp is a timestamp representing the server time when this object was created.", "date-time"),
    deletionTimestamp: t("string", "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted.", "date-time"),
    deletionGracePeriodSeconds: t("integer", "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.", "int64"),
    labels: strMap("Map of string keys and values that can be used to organize and categorize (scope and select) objects."),
    annotations: strMap("Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata."),
    ownerReferences: arr(ref(meta + "OwnerReference"), "List of objects depended by this object.", "uid"),
    finalizers: { ...arr(str()), description: "Must be empty before the object is deleted from the registry.", "x-kubernetes-patch-strategy": "merge", "x-kubernetes-list-type": "set" },
    managedFields: arr(free(), "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow."),
  }),
  [meta + "OwnerReference"]: obj("OwnerReference contains enough information to let you identify an owning object.", {
    apiVersion: str("API version of the referent."), kind: str("Kind of the referent."), name: str("Name of the referent."), uid: str("UID of the referent."),
    controller: bool("If true, this reference points to the managing controller."), blockOwnerDeletion: bool("If true, AND if the owner has the \"foregroundDeletion\" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed."),
  }, ["apiVersion", "kind", "name", "uid"]),
  [meta + "LabelSelector"]: obj("A label selector is a label query over a set of resources.", {
    matchLabels: strMap("matchLabels is a map of {key,value} pairs."),
    matchExpressions: arr(obj("A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.", { key: str("key is the label key that the selector applies to."), operator: str("operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist."), values: arr(str(), "values is an array of string values.") }, ["key", "operator"]), "matchExpressions is a list of label selector requirements."),
  }),
  [core + "Container"]: obj("A single application container that you want to run within a pod.", {
    name: str("Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated."),
    image: str("Container image name."), imagePullPolicy: str("Image pull policy. One of Always, Never, IfNotPresent."),
    command: arr(str(), "Entrypoint array. Not executed within a shell."), args: arr(str(), "Arguments to the entrypoint."), workingDir: str("Container's working directory."),
    ports: arr(ref(core + "ContainerPort"), "List of ports to expose from the container.", "containerPort"),
    env: arr(ref(core + "EnvVar"), "List of environment variables to set in the container.", "name"),
    envFrom: arr(free(), "List of sources to populate environment variables in the container."),
    resources: ref(core + "ResourceRequirements", "Compute Resources required by this container."),
    volumeMounts: arr(obj("VolumeMount describes a mounting of a Volume within a container.", { name: str("This must match the Name of a Volume."), mountPath: str("Path within the container at which the volume should be mounted."), readOnly: bool("Mounted read-only if true."), subPath: str("Path within the volume from which the container's volume should be mounted."), mountPropagation: str("mountPropagation determines how mounts are propagated from the host to container and the other way around."), subPathExpr: str("Expanded path within the volume from which the container's volume should be mounted."), recursiveReadOnly: str("RecursiveReadOnly specifies whether read-only mounts should be handled recursively.") }, ["name", "mountPath"]), "Pod volumes to mount into the container's filesystem.", "mountPath"),
    livenessProbe: free("Periodic probe of container liveness."), readinessProbe: free("Periodic probe of container service readiness."), startupProbe: free("StartupProbe indicates that the Pod has successfully initialized."),
    lifecycle: free("Actions that the management system should take in response to container lifecycle events."), securityContext: free("SecurityContext defines the security options the container should be run with."),
    restartPolicy: str("RestartPolicy defines the restart behavior of individual containers in a pod (init containers only: Always makes a sidecar)."),
    stdin: bool("Whether this container should allocate a buffer for stdin in the container runtime."), stdinOnce: bool("Whether the container runtime should close the stdin channel after it has been opened by a single attach."), tty: bool("Whether this container should allocate a TTY for itself."),
    volumeDevices: arr(free(), "volumeDevices is the list of block devices to be used by the container.", "devicePath"), resizePolicy: arr(free(), "Resources resize policy for the container."),
    terminationMessagePath: str("Path at which the file to which the container's termination message will be written is mounted."), terminationMessagePolicy: str("Indicate how the termination message should be populated."),
  }, ["name"]),
  [core + "ContainerPort"]: obj("ContainerPort represents a network port in a single container.", { name: str("If specified, this must be an IANA_SVC_NAME and unique within the pod."), containerPort: int("Number of port to expose on the pod's IP address."), hostPort: int("Number of port to expose on the host."), hostIP: str("What host IP to bind the external port to."), protocol: str("Protocol for port. Must be UDP, TCP, or SCTP. Defaults to \"TCP\".") }, ["containerPort"]),
  [core + "EnvVar"]: obj("EnvVar represents an environment variable present in a Container.", { name: str("Name of the environment variable."), value: str("Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container."), valueFrom: free("Source for the environment variable's value.") }, ["name"]),
  [core + "ResourceRequirements"]: obj("ResourceRequirements describes the compute resource requirements.", { limits: strMap("Limits describes the maximum amount of compute resources allowed."), requests: strMap("Requests describes the minimum amount of compute resources required."), claims: arr(free(), "Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.", "name") }),
  [core + "PodSpec"]: obj("PodSpec is a description of a pod.", {
    containers: arr(ref(core + "Container"), "List of containers belonging to the pod.", "name"),
    initContainers: arr(ref(core + "Container"), "List of initialization containers belonging to the pod.", "name"),
    volumes: arr(obj("Volume represents a named volume in a pod that may be accessed by any container in the pod.", { name: str("name of the volume."), ...volumeSources }, ["name"]), "List of volumes that can be mounted by containers belonging to the pod.", "name"),
    restartPolicy: str("Restart policy for all containers within the pod. One of Always, OnFailure, Never."), terminationGracePeriodSeconds: t("integer", "Optional duration in seconds the pod needs to terminate gracefully.", "int64"),
    activeDeadlineSeconds: t("integer", "Optional duration in seconds the pod may be active on the node relative to StartTime.", "int64"),
    dnsPolicy: str("Set DNS policy for the pod."), nodeSelector: strMap("NodeSelector is a selector which must be true for the pod to fit on a node."),
    serviceAccountName: str("ServiceAccountName is the name of the ServiceAccount to use to run this pod."), serviceAccount: str("DeprecatedServiceAccount is a deprecated alias for ServiceAccountName."), automountServiceAccountToken: bool("AutomountServiceAccountToken indicates whether a service account token should be automatically mounted."),
    nodeName: str("NodeName indicates in which node this pod is scheduled."), hostNetwork: bool("Host networking requested for this pod."), hostname: str("Specifies the hostname of the Pod."), subdomain: str("If specified, the fully qualified Pod hostname will be \"<hostname>.<subdomain>.<pod namespace>.svc.<cluster domain>\"."),
    affinity: free("If specified, the pod's scheduling constraints."), schedulerName: str("If specified, the pod will be dispatched by specified scheduler."),
    tolerations: arr(free(), "If specified, the pod's tolerations."), priority: int("The priority value."), priorityClassName: str("If specified, indicates the pod's priority."),
    securityContext: free("SecurityContext holds pod-level security attributes and common container settings."), imagePullSecrets: arr(free(), "ImagePullSecrets is an optional list of references to secrets for pulling images.", "name"),
    enableServiceLinks: bool("EnableServiceLinks indicates whether information about services should be injected into pod's environment variables."), shareProcessNamespace: bool("Share a single process namespace between all of the containers in a pod."),
    readinessGates: arr(free(), "If specified, all readiness gates will be evaluated for pod readiness."), topologySpreadConstraints: arr(free(), "TopologySpreadConstraints describes how a group of pods ought to spread across topology domains.", "topologyKey"),
    hostPID: bool("Use the host's pid namespace."), hostIPC: bool("Use the host's ipc namespace."), hostUsers: bool("Use the host's user namespace."), runtimeClassName: str("RuntimeClassName refers to a RuntimeClass object in the node.k8s.io group."),
    dnsConfig: free("Specifies the DNS parameters of a pod."), overhead: strMap("Overhead represents the resource overhead associated with running a pod for a given RuntimeClass."), setHostnameAsFQDN: bool("If true the pod's hostname will be configured as the pod's FQDN."),
    os: free("Specifies the OS of the containers in the pod."), schedulingGates: arr(free(), "SchedulingGates is an opaque list of values that if specified will block scheduling the pod.", "name"), resourceClaims: arr(free(), "ResourceClaims defines which ResourceClaims must be allocated and reserved before the Pod is allowed to start.", "name"),
    resources: ref(core + "ResourceRequirements", "Resources is the total amount of CPU and Memory resources required by all containers in the pod."), ephemeralContainers: arr(free(), "List of ephemeral containers run in this pod.", "name"),
    hostAliases: arr(free(), "HostAliases is an optional list of hosts and IPs that will be injected into the pod's hosts file.", "ip"), preemptionPolicy: str("PreemptionPolicy is the Policy for preempting pods with lower priority."),
  }, ["containers"]),
  [core + "PodTemplateSpec"]: obj("PodTemplateSpec describes the data a pod should have when created from a template.", { metadata: ref(meta + "ObjectMeta", "Standard object's metadata."), spec: ref(core + "PodSpec", "Specification of the desired behavior of the pod.") }),
  [core + "ServicePort"]: obj("ServicePort contains information on service's port.", { name: str("The name of this port within the service."), protocol: str("The IP protocol for this port. Supports \"TCP\", \"UDP\", and \"SCTP\"."), port: int("The port that will be exposed by this service."), targetPort: intOrString("Number or name of the port to access on the pods targeted by the service."), nodePort: int("The port on each node on which this service is exposed when type is NodePort or LoadBalancer."), appProtocol: str("The application protocol for this port.") }, ["port"]),
  [core + "ServiceSpec"]: obj("ServiceSpec describes the attributes that a user creates on a service.", {
    type: str("type determines how the Service is exposed. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."), selector: strMap("Route service traffic to pods with label keys and values matching this selector."),
    ports: arr(ref(core + "ServicePort"), "The list of ports that are exposed by this service.", "port"), clusterIP: str("clusterIP is the IP address of the service."), clusterIPs: arr(str(), "ClusterIPs is a list of IP addresses assigned to this service."),
    externalName: str("externalName is the external reference that discovery mechanisms will return as an alias for this service."), sessionAffinity: str("Supports \"ClientIP\" and \"None\"."), sessionAffinityConfig: free("sessionAffinityConfig contains the configurations of session affinity."),
    externalTrafficPolicy: str("externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service's \"externally-facing\" addresses."), internalTrafficPolicy: str("InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP."),
    publishNotReadyAddresses: bool("publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready."),
    ipFamilies: arr(str(), "IPFamilies is a list of IP families assigned to this service."), ipFamilyPolicy: str("IPFamilyPolicy represents the dual-stack-ness requested or required by this Service."), externalIPs: arr(str(), "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."), loadBalancerIP: str("Only applies to Service Type: LoadBalancer."), loadBalancerSourceRanges: arr(str(), "If specified and supported by the platform, traffic through the load balancer will be restricted to the specified client IPs."),
    healthCheckNodePort: int("healthCheckNodePort specifies the healthcheck nodePort for the service."), allocateLoadBalancerNodePorts: bool("allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer."), loadBalancerClass: str("loadBalancerClass is the class of the load balancer implementation this Service belongs to."), trafficDistribution: str("TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints."),
  }),
  [apps + "DeploymentSpec"]: obj("DeploymentSpec is the specification of the desired behavior of the Deployment.", {
    replicas: int("Number of desired pods. Defaults to 1."), selector: ref(meta + "LabelSelector", "Label selector for pods."), template: ref(core + "PodTemplateSpec", "Template describes the pods that will be created."),
    strategy: ref(apps + "DeploymentStrategy", "The deployment strategy to use to replace existing pods with new ones."), minReadySeconds: int("Minimum number of seconds for which a newly created pod should be ready without any of its container crashing, for it to be considered available."),
    revisionHistoryLimit: int("The number of old ReplicaSets to retain to allow rollback."), paused: bool("Indicates that the deployment is paused."), progressDeadlineSeconds: int("The maximum time in seconds for a deployment to make progress before it is considered to be failed."),
  }, ["selector", "template"]),
  [apps + "ReplicaSetSpec"]: obj("ReplicaSetSpec is the specification of a ReplicaSet.", { replicas: int("Replicas is the number of desired replicas."), minReadySeconds: int("Minimum number of seconds for which a newly created pod should be ready."), selector: ref(meta + "LabelSelector", "Selector is a label query over pods that should match the replica count."), template: ref(core + "PodTemplateSpec", "Template is the object that describes the pod that will be created if insufficient replicas are detected.") }, ["selector"]),
  [apps + "DeploymentStrategy"]: obj("DeploymentStrategy describes how to replace existing pods with new ones.", {
    type: str("Type of deployment. Can be \"Recreate\" or \"RollingUpdate\". Default is RollingUpdate."),
    rollingUpdate: obj("Spec to control the desired behavior of rolling update.", { maxUnavailable: intOrString("The maximum number of pods that can be unavailable during the update (a number or a percentage)."), maxSurge: intOrString("The maximum number of pods that can be scheduled above the desired number of pods (a number or a percentage).") }),
  }),
  [apps + "StatefulSetSpec"]: obj("A StatefulSetSpec is the specification of a StatefulSet.", {
    replicas: int("replicas is the desired number of replicas of the given Template."), selector: ref(meta + "LabelSelector", "selector is a label query over pods that should match the replica count."),
    template: ref(core + "PodTemplateSpec", "template is the object that describes the pod that will be created if insufficient replicas are detected."),
    serviceName: str("serviceName is the name of the service that governs this StatefulSet (its pods get DNS names under it)."),
    // The PersistentVolumeClaim definition is the resource's own (definitions() adds it).
    volumeClaimTemplates: arr(ref(core + "PersistentVolumeClaim"), "volumeClaimTemplates is a list of claims that pods are allowed to reference; each pod gets its own claim from each template."),
    podManagementPolicy: str("podManagementPolicy controls how pods are created during initial scale up, replacement and scale down: OrderedReady (default) or Parallel."),
    updateStrategy: obj("updateStrategy indicates the StatefulSetUpdateStrategy used to update pods when the template changes.", { type: str("Type indicates the type of the StatefulSetUpdateStrategy: RollingUpdate (default) or OnDelete."), rollingUpdate: obj("RollingUpdate is used to communicate parameters when Type is RollingUpdate.", { partition: int("Partition indicates the ordinal at which the StatefulSet should be partitioned for updates."), maxUnavailable: intOrString("The maximum number of pods that can be unavailable during the update.") }) }),
    revisionHistoryLimit: int("revisionHistoryLimit is the maximum number of revisions kept in the StatefulSet's revision history."), minReadySeconds: int("Minimum number of seconds for which a newly created pod should be ready without any of its containers crashing to be considered available."),
    persistentVolumeClaimRetentionPolicy: obj("persistentVolumeClaimRetentionPolicy describes the lifecycle of claims created from volumeClaimTemplates.", { whenDeleted: str("What happens to claims when the StatefulSet is deleted: Retain (default) or Delete."), whenScaled: str("What happens to claims when the StatefulSet is scaled down: Retain (default) or Delete.") }),
    ordinals: obj("ordinals controls the numbering of replica indices in a StatefulSet.", { start: int("start is the number representing the first replica's index.") }),
  }, ["selector", "template"]),
  [apps + "DaemonSetSpec"]: obj("DaemonSetSpec is the specification of a daemon set.", {
    selector: ref(meta + "LabelSelector", "A label query over pods that are managed by the daemon set."), template: ref(core + "PodTemplateSpec", "An object that describes the pod that will be created on every eligible node."),
    updateStrategy: obj("An update strategy to replace existing DaemonSet pods with new pods.", { type: str("Type of daemon set update: RollingUpdate (default) or OnDelete."), rollingUpdate: obj("Rolling update config params.", { maxUnavailable: intOrString("The maximum number of DaemonSet pods that can be unavailable during the update."), maxSurge: intOrString("The maximum number of nodes with an existing available DaemonSet pod that can have an updated DaemonSet pod during the update.") }) }),
    minReadySeconds: int("The minimum number of seconds for which a newly created DaemonSet pod should be ready without any of its containers crashing to be considered available."),
    revisionHistoryLimit: int("The number of old history to retain to allow rollback."),
  }, ["selector", "template"]),
  [batch + "JobSpec"]: obj("JobSpec describes how the job execution will look like.", {
    parallelism: int("Specifies the maximum desired number of pods the job should run at any given time."), completions: int("Specifies the desired number of successfully finished pods the job should be run with."),
    completionMode: str("completionMode specifies how Pod completions are tracked: NonIndexed (default) or Indexed."), activeDeadlineSeconds: t("integer", "Specifies the duration in seconds relative to the startTime that the job may be continuously active before the system tries to terminate it.", "int64"),
    backoffLimit: int("Specifies the number of retries before marking this job failed. Defaults to 6."), selector: ref(meta + "LabelSelector", "A label query over pods that should match the pod count."), manualSelector: bool("manualSelector controls generation of pod labels and pod selectors."),
    template: ref(core + "PodTemplateSpec", "Describes the pod that will be created when executing a job (restartPolicy Never or OnFailure)."), ttlSecondsAfterFinished: int("ttlSecondsAfterFinished limits the lifetime of a Job that has finished execution (Complete or Failed)."),
    suspend: bool("suspend specifies whether the Job controller should create Pods or not."), podFailurePolicy: free("Specifies the policy of handling failed pods."), backoffLimitPerIndex: int("Specifies the limit for the number of retries within an index before marking this index as failed."),
    podReplacementPolicy: str("podReplacementPolicy specifies when to create replacement Pods."), successPolicy: free("successPolicy specifies the policy when the Job can be declared as succeeded."),
    maxFailedIndexes: int("Specifies the maximal number of failed indexes before marking the Job as failed, when backoffLimitPerIndex is set."), managedBy: str("ManagedBy field indicates the controller that manages a Job."),
  }, ["template"]),
  [batch + "JobTemplateSpec"]: obj("JobTemplateSpec describes the data a Job should have when created from a template.", { metadata: ref(meta + "ObjectMeta", "Standard object's metadata of the jobs created from this template."), spec: ref(batch + "JobSpec", "Specification of the desired behavior of the job.") }),
  [batch + "CronJobSpec"]: obj("CronJobSpec describes how the job execution will look like and when it will actually run.", {
    schedule: str("The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."), timeZone: str("The time zone name for the given schedule; the controller's local time zone when not set."),
    startingDeadlineSeconds: t("integer", "Optional deadline in seconds for starting the job if it misses scheduled time for any reason.", "int64"),
    concurrencyPolicy: str("Specifies how to treat concurrent executions of a Job: Allow (default), Forbid or Replace."), suspend: bool("This flag tells the controller to suspend subsequent executions."),
    jobTemplate: ref(batch + "JobTemplateSpec", "Specifies the job that will be created when executing a CronJob."),
    successfulJobsHistoryLimit: int("The number of successful finished jobs to retain. Defaults to 3."), failedJobsHistoryLimit: int("The number of failed finished jobs to retain. Defaults to 1."),
  }, ["schedule", "jobTemplate"]),
  [core + "ReplicationControllerSpec"]: obj("ReplicationControllerSpec is the specification of a replication controller.", {
    replicas: int("Replicas is the number of desired replicas."), minReadySeconds: int("Minimum number of seconds for which a newly created pod should be ready without any of its containers crashing to be considered available."),
    selector: strMap("Selector is a label query over pods that should match the Replicas count."), template: ref(core + "PodTemplateSpec", "Template is the object that describes the pod that will be created if insufficient replicas are detected."),
  }),
  [core + "PersistentVolumeClaimSpec"]: obj("PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes.", {
    accessModes: arr(str(), "accessModes contains the desired access modes the volume should have (ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod)."),
    resources: obj("resources represents the minimum resources the volume should have.", { requests: strMap("Requests describes the minimum amount of storage required (e.g. storage: 1Gi)."), limits: strMap("Limits describes the maximum amount of storage allowed.") }),
    storageClassName: str("storageClassName is the name of the StorageClass required by the claim."), volumeName: str("volumeName is the binding reference to the PersistentVolume backing this claim."),
    volumeMode: str("volumeMode defines what type of volume is required by the claim: Filesystem (default) or Block."), selector: ref(meta + "LabelSelector", "selector is a label query over volumes to consider for binding."),
    dataSource: free("dataSource field can be used to specify an existing VolumeSnapshot or PersistentVolumeClaim."), dataSourceRef: free("dataSourceRef specifies the object from which to populate the volume with data."), volumeAttributesClassName: str("volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim."),
  }),
};

/** Detailed spec definitions per resource (the rest get a free-form spec). */
const specOf: Record<string, string> = {
  "/pods": core + "PodSpec", "/services": core + "ServiceSpec", "/replicationcontrollers": core + "ReplicationControllerSpec", "/persistentvolumeclaims": core + "PersistentVolumeClaimSpec",
  "apps/deployments": apps + "DeploymentSpec", "apps/replicasets": apps + "ReplicaSetSpec", "apps/statefulsets": apps + "StatefulSetSpec", "apps/daemonsets": apps + "DaemonSetSpec",
  "batch/jobs": batch + "JobSpec", "batch/cronjobs": batch + "CronJobSpec",
};

/** Kubernetes' package of a group ("io.k8s.api.apps.v1."). */
function packageOf(r: Pick<ResourceInfo, "group" | "version">): string {
  const g = r.group === "" ? "core" : r.group.replace(/\.k8s\.io$/, "").replace(/\./g, "");
  return `io.k8s.api.${g}.${r.version}.`;
}

/** The definition name of a resource's kind ("io.k8s.api.core.v1.Pod"). */
export function definitionName(r: Pick<ResourceInfo, "group" | "version" | "kind">): string {
  return packageOf(r) + r.kind;
}

/** Every definition: the detailed types plus one top-level schema per resource. */
export function definitions(resources: ResourceInfo[]): Record<string, Schema> {
  const defs: Record<string, Schema> = { ...detailed };
  for (const r of resources) {
    const props: Record<string, Schema> = {
      apiVersion: str("APIVersion defines the versioned schema of this representation of an object."),
      kind: str("Kind is a string value representing the REST resource this object represents."),
      metadata: ref(meta + "ObjectMeta", "Standard object's metadata."),
    };
    const specDef = specOf[`${r.group}/${r.resource}`];
    const body = bodyFields[r.kind];
    if (body) Object.assign(props, body);
    else {
      props.spec = specDef ? ref(specDef, `Specification of the desired behavior of the ${r.kind}.`) : free(`Specification of the desired behavior of the ${r.kind}.`);
      if (r.hasStatus) props.status = free(`Most recently observed status of the ${r.kind}. Populated by the system. Read-only.`);
    }
    defs[definitionName(r)] = {
      type: "object", description: `${r.kind} (${apiVersionOf(r)}) as served by Skiff.`, properties: props,
      "x-kubernetes-group-version-kind": [{ group: r.group, version: r.version, kind: r.kind }],
    };
  }
  return defs;
}

/** Kinds whose data lives beside metadata rather than in spec/status. */
const bodyFields: Record<string, Record<string, Schema>> = {
  ConfigMap: { data: strMap("Data contains the configuration data."), binaryData: strMap("BinaryData contains the binary data."), immutable: bool("Immutable, if set to true, ensures that data stored in the ConfigMap cannot be updated.") },
  Secret: { data: strMap("Data contains the secret data (base64)."), stringData: strMap("stringData allows specifying non-binary secret data in string form."), type: str("Used to facilitate programmatic handling of secret data."), immutable: bool("Immutable, if set to true, ensures that data stored in the Secret cannot be updated.") },
  Endpoints: { subsets: arr(free(), "The set of all endpoints is the union of all subsets.") },
  EndpointSlice: { addressType: str("addressType specifies the type of address carried by this EndpointSlice."), endpoints: arr(free(), "endpoints is a list of unique endpoints in this slice."), ports: arr(free(), "ports specifies the list of network ports exposed by each endpoint in this slice.") },
  Event: {
    involvedObject: free("The object that this event is about."), reason: str("This should be a short, machine understandable string that gives the reason for the transition into the object's current status."), message: str("A human-readable description of the status of this operation."),
    type: str("Type of this event (Normal, Warning)."), source: free("The component reporting this event."), firstTimestamp: t("string", "The time at which the event was first recorded.", "date-time"), lastTimestamp: t("string", "The time at which the most recent occurrence of this event was recorded.", "date-time"),
    eventTime: t("string", "Time when this Event was first observed.", "date-time"), count: int("The number of times this event has occurred."), reportingComponent: str("Name of the controller that emitted this Event."), reportingInstance: str("ID of the controller instance."),
    action: str("What action was taken/failed regarding to the Regarding object."), related: free("Optional secondary object for more complex actions."), series: free("Data about the Event series this event represents."),
  },
  ControllerRevision: { data: free("Data is the serialized representation of the state."), revision: t("integer", "Revision indicates the revision of the state represented by Data.", "int64") },
  PriorityClass: { value: int("value represents the integer value of this priority class."), globalDefault: bool("globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class."), description: str("description is an arbitrary string that usually provides guidelines on when this priority class should be used."), preemptionPolicy: str("preemptionPolicy is the Policy for preempting pods with lower priority.") },
  StorageClass: { provisioner: str("provisioner indicates the type of the provisioner."), parameters: strMap("parameters holds the parameters for the provisioner."), reclaimPolicy: str("reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes."), volumeBindingMode: str("volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound."), allowVolumeExpansion: bool("allowVolumeExpansion shows whether the storage class allow volume expand."), mountOptions: arr(str(), "mountOptions controls the mountOptions for dynamically provisioned PersistentVolumes."), allowedTopologies: arr(free(), "allowedTopologies restrict the node topologies where volumes can be dynamically provisioned.") },
};

/** Replaces "#REF/<name>" with the version's reference prefix. */
export function resolveRefs<T>(doc: T, prefix: string): T {
  return JSON.parse(JSON.stringify(doc).replaceAll(`"${REF}`, `"${prefix}`));
}
