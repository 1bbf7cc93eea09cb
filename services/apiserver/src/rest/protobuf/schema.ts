// A compact description of the Kubernetes protobuf messages typed clients (kubectl create,
// run, expose, drain) send: field numbers and types from Kubernetes' generated.proto files
// (k8s.io/api core/v1, apps/v1, batch/v1, networking/v1, policy/v1; apimachinery meta/v1, runtime, intstr,
// resource), written as one line per message and parsed once.
//
// A field is `jsonName=number[:type][!]`. Types: s string (default), i integer (int32/int64),
// b bool, y bytes (base64 in JSON), T meta/v1 Time (RFC 3339), Q resource.Quantity (string),
// IOS intstr.IntOrString, {x} map<string, x>, [x] repeated x, Name a message, ^Name an embedded
// message whose fields JSON inlines into the parent (VolumeSource in Volume, …).
// `!` marks Go pointer fields: Go sends them only when set, so a zero value (0, false, "") is
// meaningful and kept; any other zero scalar is dropped, as JSON's omitempty would.

const messages: Record<string, string> = {
  // apimachinery meta/v1
  ObjectMeta: "name=1 generateName=2 namespace=3 selfLink=4 uid=5 resourceVersion=6 generation=7:i creationTimestamp=8:T deletionTimestamp=9:T deletionGracePeriodSeconds=10:i! labels=11:{s} annotations=12:{s} ownerReferences=13:[OwnerReference] finalizers=14:[s]",
  OwnerReference: "kind=1 name=3 uid=4 apiVersion=5 controller=6:b! blockOwnerDeletion=7:b!",
  LabelSelector: "matchLabels=1:{s} matchExpressions=2:[LabelSelectorRequirement]",
  LabelSelectorRequirement: "key=1 operator=2 values=3:[s]",
  DeleteOptions: "gracePeriodSeconds=1:i! preconditions=2:Preconditions orphanDependents=3:b! propagationPolicy=4! dryRun=5:[s]",
  Preconditions: "uid=1! resourceVersion=2!",

  // core/v1: objects
  ConfigMap: "metadata=1:ObjectMeta data=2:{s} binaryData=3:{y} immutable=4:b!",
  Secret: "metadata=1:ObjectMeta data=2:{y} type=3 stringData=4:{s} immutable=5:b!",
  Namespace: "metadata=1:ObjectMeta spec=2:NamespaceSpec",
  NamespaceSpec: "finalizers=1:[s]",
  Service: "metadata=1:ObjectMeta spec=2:ServiceSpec",
  ServiceSpec: "ports=1:[ServicePort] selector=2:{s} clusterIP=3 type=4 externalIPs=5:[s] sessionAffinity=7 loadBalancerIP=8 loadBalancerSourceRanges=9:[s] externalName=10 externalTrafficPolicy=11 healthCheckNodePort=12:i publishNotReadyAddresses=13:b sessionAffinityConfig=14:SessionAffinityConfig ipFamilyPolicy=17! clusterIPs=18:[s] ipFamilies=19:[s] allocateLoadBalancerNodePorts=20:b! loadBalancerClass=21! internalTrafficPolicy=22! trafficDistribution=23!",
  ServicePort: "name=1 protocol=2 port=3:i targetPort=4:IOS nodePort=5:i appProtocol=6!",
  SessionAffinityConfig: "clientIP=1:ClientIPConfig",
  ClientIPConfig: "timeoutSeconds=1:i!",
  Pod: "metadata=1:ObjectMeta spec=2:PodSpec",
  PodTemplateSpec: "metadata=1:ObjectMeta spec=2:PodSpec",

  // core/v1: the pod spec
  PodSpec: "volumes=1:[Volume] containers=2:[Container] restartPolicy=3 terminationGracePeriodSeconds=4:i! activeDeadlineSeconds=5:i! dnsPolicy=6 nodeSelector=7:{s} serviceAccountName=8 serviceAccount=9 nodeName=10 hostNetwork=11:b hostPID=12:b hostIPC=13:b securityContext=14:PodSecurityContext imagePullSecrets=15:[LocalObjectReference] hostname=16 subdomain=17 affinity=18:Affinity schedulerName=19 initContainers=20:[Container] automountServiceAccountToken=21:b! tolerations=22:[Toleration] hostAliases=23:[HostAlias] priorityClassName=24 priority=25:i! dnsConfig=26:PodDNSConfig shareProcessNamespace=27:b! readinessGates=28:[PodReadinessGate] runtimeClassName=29! enableServiceLinks=30:b! preemptionPolicy=31! topologySpreadConstraints=33:[TopologySpreadConstraint] setHostnameAsFQDN=35:b! hostUsers=37:b!",
  Container: "name=1 image=2 command=3:[s] args=4:[s] workingDir=5 ports=6:[ContainerPort] env=7:[EnvVar] resources=8:ResourceRequirements volumeMounts=9:[VolumeMount] livenessProbe=10:Probe readinessProbe=11:Probe lifecycle=12:Lifecycle terminationMessagePath=13 imagePullPolicy=14 securityContext=15:SecurityContext stdin=16:b stdinOnce=17:b tty=18:b envFrom=19:[EnvFromSource] terminationMessagePolicy=20 startupProbe=22:Probe restartPolicy=24!",
  ContainerPort: "name=1 hostPort=2:i containerPort=3:i protocol=4 hostIP=5",
  EnvVar: "name=1 value=2 valueFrom=3:EnvVarSource",
  EnvVarSource: "fieldRef=1:ObjectFieldSelector resourceFieldRef=2:ResourceFieldSelector configMapKeyRef=3:ConfigMapKeySelector secretKeyRef=4:SecretKeySelector",
  ObjectFieldSelector: "apiVersion=1 fieldPath=2",
  ResourceFieldSelector: "containerName=1 resource=2 divisor=3:Q",
  ConfigMapKeySelector: "localObjectReference=1:^LocalObjectReference key=2 optional=3:b!",
  SecretKeySelector: "localObjectReference=1:^LocalObjectReference key=2 optional=3:b!",
  LocalObjectReference: "name=1",
  EnvFromSource: "prefix=1 configMapRef=2:ConfigMapEnvSource secretRef=3:SecretEnvSource",
  ConfigMapEnvSource: "localObjectReference=1:^LocalObjectReference optional=2:b!",
  SecretEnvSource: "localObjectReference=1:^LocalObjectReference optional=2:b!",
  ResourceRequirements: "limits=1:{Q} requests=2:{Q} claims=3:[ResourceClaim]",
  ResourceClaim: "name=1 request=2",
  VolumeMount: "name=1 readOnly=2:b mountPath=3 subPath=4 mountPropagation=5! subPathExpr=6 recursiveReadOnly=7!",
  Probe: "handler=1:^ProbeHandler initialDelaySeconds=2:i timeoutSeconds=3:i periodSeconds=4:i successThreshold=5:i failureThreshold=6:i terminationGracePeriodSeconds=7:i!",
  ProbeHandler: "exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction grpc=4:GRPCAction",
  ExecAction: "command=1:[s]",
  HTTPGetAction: "path=1 port=2:IOS! host=3 scheme=4 httpHeaders=5:[HTTPHeader]",
  HTTPHeader: "name=1 value=2",
  TCPSocketAction: "port=1:IOS! host=2",
  GRPCAction: "port=1:i service=2!",
  Lifecycle: "postStart=1:LifecycleHandler preStop=2:LifecycleHandler",
  LifecycleHandler: "exec=1:ExecAction httpGet=2:HTTPGetAction tcpSocket=3:TCPSocketAction sleep=4:SleepAction",
  SleepAction: "seconds=1:i",
  SecurityContext: "capabilities=1:Capabilities privileged=2:b! runAsUser=4:i! runAsNonRoot=5:b! readOnlyRootFilesystem=6:b! allowPrivilegeEscalation=7:b! runAsGroup=8:i! procMount=9! seccompProfile=11:SeccompProfile",
  Capabilities: "add=1:[s] drop=2:[s]",
  SeccompProfile: "type=1 localhostProfile=2!",
  PodSecurityContext: "runAsUser=2:i! runAsNonRoot=3:b! supplementalGroups=4:[i] fsGroup=5:i! runAsGroup=6:i! sysctls=7:[Sysctl] fsGroupChangePolicy=9! seccompProfile=10:SeccompProfile",
  Sysctl: "name=1 value=2",
  Toleration: "key=1 operator=2 value=3 effect=4 tolerationSeconds=5:i!",
  HostAlias: "ip=1 hostnames=2:[s]",
  PodDNSConfig: "nameservers=1:[s] searches=2:[s] options=3:[PodDNSConfigOption]",
  PodDNSConfigOption: "name=1 value=2!",
  PodReadinessGate: "conditionType=1",
  TopologySpreadConstraint: "maxSkew=1:i topologyKey=2 whenUnsatisfiable=3 labelSelector=4:LabelSelector minDomains=5:i! nodeAffinityPolicy=6! nodeTaintsPolicy=7! matchLabelKeys=8:[s]",
  Affinity: "nodeAffinity=1:NodeAffinity podAffinity=2:PodAffinity podAntiAffinity=3:PodAffinity",
  NodeAffinity: "requiredDuringSchedulingIgnoredDuringExecution=1:NodeSelector preferredDuringSchedulingIgnoredDuringExecution=2:[PreferredSchedulingTerm]",
  NodeSelector: "nodeSelectorTerms=1:[NodeSelectorTerm]",
  NodeSelectorTerm: "matchExpressions=1:[NodeSelectorRequirement] matchFields=2:[NodeSelectorRequirement]",
  NodeSelectorRequirement: "key=1 operator=2 values=3:[s]",
  PreferredSchedulingTerm: "weight=1:i preference=2:NodeSelectorTerm",
  PodAffinity: "requiredDuringSchedulingIgnoredDuringExecution=1:[PodAffinityTerm] preferredDuringSchedulingIgnoredDuringExecution=2:[WeightedPodAffinityTerm]",
  PodAffinityTerm: "labelSelector=1:LabelSelector namespaces=2:[s] topologyKey=3 namespaceSelector=4:LabelSelector matchLabelKeys=5:[s] mismatchLabelKeys=6:[s]",
  WeightedPodAffinityTerm: "weight=1:i podAffinityTerm=2:PodAffinityTerm",

  // core/v1: volumes (the common sources)
  Volume: "name=1 volumeSource=2:^VolumeSource",
  VolumeSource: "hostPath=1:HostPathVolumeSource emptyDir=2:EmptyDirVolumeSource secret=6:SecretVolumeSource nfs=7:NFSVolumeSource persistentVolumeClaim=10:PersistentVolumeClaimVolumeSource downwardAPI=16:DownwardAPIVolumeSource configMap=19:ConfigMapVolumeSource projected=26:ProjectedVolumeSource",
  HostPathVolumeSource: "path=1 type=2!",
  EmptyDirVolumeSource: "medium=1 sizeLimit=2:Q",
  SecretVolumeSource: "secretName=1 items=2:[KeyToPath] defaultMode=3:i! optional=4:b!",
  ConfigMapVolumeSource: "localObjectReference=1:^LocalObjectReference items=2:[KeyToPath] defaultMode=3:i! optional=4:b!",
  KeyToPath: "key=1 path=2 mode=3:i!",
  NFSVolumeSource: "server=1 path=2 readOnly=3:b",
  PersistentVolumeClaimVolumeSource: "claimName=1 readOnly=2:b",
  DownwardAPIVolumeSource: "items=1:[DownwardAPIVolumeFile] defaultMode=2:i!",
  DownwardAPIVolumeFile: "path=1 fieldRef=2:ObjectFieldSelector resourceFieldRef=3:ResourceFieldSelector mode=4:i!",
  ProjectedVolumeSource: "sources=1:[VolumeProjection] defaultMode=2:i!",
  VolumeProjection: "secret=1:SecretProjection downwardAPI=2:DownwardAPIProjection configMap=3:ConfigMapProjection serviceAccountToken=4:ServiceAccountTokenProjection",
  SecretProjection: "localObjectReference=1:^LocalObjectReference items=2:[KeyToPath] optional=4:b!",
  ConfigMapProjection: "localObjectReference=1:^LocalObjectReference items=2:[KeyToPath] optional=4:b!",
  DownwardAPIProjection: "items=1:[DownwardAPIVolumeFile]",
  ServiceAccountTokenProjection: "audience=1 expirationSeconds=2:i! path=3",

  // apps/v1
  Deployment: "metadata=1:ObjectMeta spec=2:DeploymentSpec",
  DeploymentSpec: "replicas=1:i! selector=2:LabelSelector template=3:PodTemplateSpec strategy=4:DeploymentStrategy minReadySeconds=5:i revisionHistoryLimit=6:i! paused=7:b progressDeadlineSeconds=9:i!",
  DeploymentStrategy: "type=1 rollingUpdate=2:RollingUpdateDeployment",
  RollingUpdateDeployment: "maxUnavailable=1:IOS! maxSurge=2:IOS!",

  // batch/v1
  Job: "metadata=1:ObjectMeta spec=2:JobSpec",
  JobSpec: "parallelism=1:i! completions=2:i! activeDeadlineSeconds=3:i! selector=4:LabelSelector manualSelector=5:b! template=6:PodTemplateSpec backoffLimit=7:i! ttlSecondsAfterFinished=8:i! completionMode=9! suspend=10:b! backoffLimitPerIndex=12:i! maxFailedIndexes=13:i! podReplacementPolicy=14! managedBy=15!",
  CronJob: "metadata=1:ObjectMeta spec=2:CronJobSpec",
  CronJobSpec: "schedule=1 startingDeadlineSeconds=2:i! concurrencyPolicy=3 suspend=4:b! jobTemplate=5:JobTemplateSpec successfulJobsHistoryLimit=6:i! failedJobsHistoryLimit=7:i! timeZone=8!",
  JobTemplateSpec: "metadata=1:ObjectMeta spec=2:JobSpec",

  // networking/v1
  Ingress: "metadata=1:ObjectMeta spec=2:IngressSpec",
  IngressSpec: "defaultBackend=1:IngressBackend tls=2:[IngressTLS] rules=3:[IngressRule] ingressClassName=4!",
  IngressBackend: "resource=3:TypedLocalObjectReference service=4:IngressServiceBackend",
  TypedLocalObjectReference: "apiGroup=1! kind=2 name=3",
  IngressServiceBackend: "name=1 port=2:ServiceBackendPort",
  ServiceBackendPort: "name=1 number=2:i",
  IngressTLS: "hosts=1:[s] secretName=2",
  IngressRule: "host=1 ingressRuleValue=2:^IngressRuleValue",
  IngressRuleValue: "http=1:HTTPIngressRuleValue",
  HTTPIngressRuleValue: "paths=1:[HTTPIngressPath]",
  HTTPIngressPath: "path=1 backend=2:IngressBackend pathType=3!",

  // policy/v1
  Eviction: "metadata=1:ObjectMeta deleteOptions=2:DeleteOptions",
  PodDisruptionBudget: "metadata=1:ObjectMeta spec=2:PodDisruptionBudgetSpec",
  PodDisruptionBudgetSpec: "minAvailable=1:IOS! selector=2:LabelSelector maxUnavailable=3:IOS! unhealthyPodEvictionPolicy=4!",

  // rbac.authorization.k8s.io/v1
  Role: "metadata=1:ObjectMeta rules=2:[PolicyRule]",
  ClusterRole: "metadata=1:ObjectMeta rules=2:[PolicyRule] aggregationRule=3:AggregationRule",
  PolicyRule: "verbs=1:[s] apiGroups=2:[s] resources=3:[s] resourceNames=4:[s] nonResourceURLs=5:[s]",
  AggregationRule: "clusterRoleSelectors=1:[LabelSelector]",
  RoleBinding: "metadata=1:ObjectMeta subjects=2:[Subject] roleRef=3:RoleRef",
  Subject: "kind=1 apiGroup=2 name=3 namespace=4",
  RoleRef: "apiGroup=1 kind=2 name=3",

  // authorization.k8s.io/v1
  SubjectAccessReview: "metadata=1:ObjectMeta spec=2:SubjectAccessReviewSpec",
  SubjectAccessReviewSpec: "resourceAttributes=1:ResourceAttributes nonResourceAttributes=2:NonResourceAttributes user=3 groups=4:[s] uid=6",
  SelfSubjectAccessReview: "metadata=1:ObjectMeta spec=2:SelfSubjectAccessReviewSpec",
  SelfSubjectAccessReviewSpec: "resourceAttributes=1:ResourceAttributes nonResourceAttributes=2:NonResourceAttributes",
  ResourceAttributes: "namespace=1 verb=2 group=3 version=4 resource=5 subresource=6 name=7",
  NonResourceAttributes: "path=1 verb=2",
  SelfSubjectRulesReview: "metadata=1:ObjectMeta spec=2:SelfSubjectRulesReviewSpec",
  SelfSubjectRulesReviewSpec: "namespace=1",

  // authentication.k8s.io/v1
  TokenReview: "metadata=1:ObjectMeta spec=2:TokenReviewSpec",
  TokenReviewSpec: "token=1 audiences=2:[s]",
  SelfSubjectReview: "metadata=1:ObjectMeta",
  TokenRequest: "metadata=1:ObjectMeta spec=2:TokenRequestSpec",
  TokenRequestSpec: "audiences=1:[s] expirationSeconds=4:i! boundObjectRef=3:BoundObjectReference",
  BoundObjectReference: "kind=1 apiVersion=2 name=3 uid=4",

  // core/v1 ResourceQuota, LimitRange
  ResourceQuota: "metadata=1:ObjectMeta spec=2:ResourceQuotaSpec",
  ResourceQuotaSpec: "hard=1:{Q} scopes=2:[s]",
  LimitRange: "metadata=1:ObjectMeta spec=2:LimitRangeSpec",
  LimitRangeSpec: "limits=1:[LimitRangeItem]",
  LimitRangeItem: "type=1 max=2:{Q} min=3:{Q} default=4:{Q} defaultRequest=5:{Q} maxLimitRequestRatio=6:{Q}",

  // core/v1 ServiceAccount
  ServiceAccount: "metadata=1:ObjectMeta secrets=2:[ObjectReference] imagePullSecrets=3:[LocalObjectReference] automountServiceAccountToken=4:b!",
  ObjectReference: "kind=1 namespace=2 name=3 uid=4 apiVersion=5 resourceVersion=6 fieldPath=7",
};

/** The top-level message of each kind a protobuf body may carry, by "group/Kind" ("" = core). */
export const kindMessages: Record<string, string> = {
  "/ConfigMap": "ConfigMap", "/Secret": "Secret", "/Namespace": "Namespace", "/Service": "Service", "/Pod": "Pod",
  "apps/Deployment": "Deployment", "batch/Job": "Job", "batch/CronJob": "CronJob", "policy/Eviction": "Eviction",
  "networking.k8s.io/Ingress": "Ingress",
  "rbac.authorization.k8s.io/Role": "Role", "rbac.authorization.k8s.io/ClusterRole": "ClusterRole",
  "rbac.authorization.k8s.io/RoleBinding": "RoleBinding", "rbac.authorization.k8s.io/ClusterRoleBinding": "RoleBinding",
  "authorization.k8s.io/SubjectAccessReview": "SubjectAccessReview", "authorization.k8s.io/LocalSubjectAccessReview": "SubjectAccessReview",
  "authorization.k8s.io/SelfSubjectAccessReview": "SelfSubjectAccessReview", "authorization.k8s.io/SelfSubjectRulesReview": "SelfSubjectRulesReview",
  "authentication.k8s.io/TokenReview": "TokenReview", "authentication.k8s.io/SelfSubjectReview": "SelfSubjectReview",
  "authentication.k8s.io/TokenRequest": "TokenRequest", "/ServiceAccount": "ServiceAccount",
  "/ResourceQuota": "ResourceQuota", "/LimitRange": "LimitRange", "policy/PodDisruptionBudget": "PodDisruptionBudget",
};

/** The type of a field's value. */
export type FieldType =
  | { t: "s" | "i" | "b" | "y" | "T" | "Q" | "IOS" }
  | { t: "msg"; name: string; embedded: boolean }
  | { t: "map"; value: FieldType }
  | { t: "list"; item: FieldType };

/** One field of a message. */
export interface FieldDef {
  json: string;
  num: number;
  type: FieldType;
  /** A Go pointer: zero values were sent on purpose and are kept. */
  pointer: boolean;
}

/** A message's fields by number. */
export type MessageDef = Map<number, FieldDef>;

function parseType(s: string): FieldType {
  if (s.startsWith("[") && s.endsWith("]")) return { t: "list", item: parseType(s.slice(1, -1)) };
  if (s.startsWith("{") && s.endsWith("}")) return { t: "map", value: parseType(s.slice(1, -1)) };
  if (["s", "i", "b", "y", "T", "Q", "IOS"].includes(s)) return { t: s as "s" };
  const embedded = s.startsWith("^");
  const name = embedded ? s.slice(1) : s;
  if (!messages[name]) throw new Error(`protobuf schema: unknown message ${name}`);
  return { t: "msg", name, embedded };
}

function parseMessage(line: string): MessageDef {
  const def: MessageDef = new Map();
  for (const spec of line.split(/\s+/).filter(Boolean)) {
    const m = /^(\w+)=(\d+)(?::([^!]+))?(!)?$/.exec(spec);
    if (!m) throw new Error(`protobuf schema: bad field ${spec}`);
    def.set(Number(m[2]), { json: m[1], num: Number(m[2]), type: parseType(m[3] ?? "s"), pointer: !!m[4] });
  }
  return def;
}

/** Every message, parsed (at module load, so a typo in the table fails fast). */
export const schema: ReadonlyMap<string, MessageDef> = new Map(Object.entries(messages).map(([name, line]) => [name, parseMessage(line)]));
