// The parts of the Pod spec the node agent acts on that the core types leave open (probes, hooks,
// env sources, volume mounts, volumes): typed views over the same JSON, as in core/v1.
import type { Container, Pod } from "./types.js";

export interface HTTPGetAction {
  path?: string;
  port: number | string;
  host?: string;
  scheme?: "HTTP" | "HTTPS";
  httpHeaders?: { name: string; value: string }[];
}
export interface TCPSocketAction {
  port: number | string;
  host?: string;
}
export interface ExecAction {
  command?: string[];
}

/** A probe or lifecycle handler: exactly one action. */
export interface Handler {
  exec?: ExecAction;
  httpGet?: HTTPGetAction;
  tcpSocket?: TCPSocketAction;
  /** Probes only: the gRPC health check on the pod IP. */
  grpc?: { port: number; service?: string };
}

export interface Probe extends Handler {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface KeyRef {
  name?: string;
  key: string;
  optional?: boolean;
}
export interface EnvVarSource {
  configMapKeyRef?: KeyRef;
  secretKeyRef?: KeyRef;
  fieldRef?: { fieldPath: string; apiVersion?: string };
  resourceFieldRef?: { resource: string; containerName?: string; divisor?: string };
}
export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}
export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}

/** A container with the fields the runtime acts on. */
export interface RuntimeContainerSpec extends Container {
  env?: { name: string; value?: string; valueFrom?: EnvVarSource }[];
  envFrom?: EnvFromSource[];
  volumeMounts?: VolumeMount[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { postStart?: Handler; preStop?: Handler };
  terminationMessagePath?: string;
  terminationMessagePolicy?: "File" | "FallbackToLogsOnError";
  tty?: boolean;
  stdin?: boolean;
  stdinOnce?: boolean;
}

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}
export interface DownwardAPIFile {
  path: string;
  fieldRef?: { fieldPath: string };
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: string };
  mode?: number;
}
export interface Volume {
  name: string;
  emptyDir?: { medium?: "" | "Memory"; sizeLimit?: string };
  hostPath?: { path: string; type?: string };
  configMap?: { name: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  secret?: { secretName: string; items?: KeyToPath[]; defaultMode?: number; optional?: boolean };
  downwardAPI?: { items?: DownwardAPIFile[]; defaultMode?: number };
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
}

/** The pod's containers and volumes as the runtime reads them. */
export function containersOf(pod: Pod): RuntimeContainerSpec[] {
  return pod.spec.containers as RuntimeContainerSpec[];
}
export function initContainersOf(pod: Pod): RuntimeContainerSpec[] {
  return (pod.spec.initContainers ?? []) as RuntimeContainerSpec[];
}
export function volumesOf(pod: Pod): Volume[] {
  return (pod.spec.volumes ?? []) as Volume[];
}
