// Builders of Node and Pod objects for unit tests and hollow-node benchmarks (plain objects,
// shaped like what the apiserver stores; no I/O).
import type { Node, OwnerReference, Pod, Taint, Toleration } from "@skiff/api";

/** What makeNode needs; everything but the name has a roomy default. */
export interface NodeSpecInput {
  name: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  ready?: boolean;
  unschedulable?: boolean;
}

/** A Ready node with the given allocatable (default 4 cpu, 8Gi, 110 pods). */
export function makeNode(n: NodeSpecInput): Node {
  const allocatable = { cpu: n.cpu ?? "4", memory: n.memory ?? "8Gi", pods: n.pods ?? "110" };
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: n.name, uid: `uid-${n.name}`, resourceVersion: "1", labels: { "kubernetes.io/hostname": n.name, ...n.labels } },
    spec: { ...(n.unschedulable ? { unschedulable: true } : {}), ...(n.taints ? { taints: n.taints } : {}) },
    status: {
      capacity: { ...allocatable },
      allocatable,
      conditions: [{ type: "Ready", status: n.ready === false ? "False" : "True" }],
    },
  };
}

/** What makePod needs; a pod with one container requesting cpu/memory when given. */
export interface PodSpecInput {
  name: string;
  namespace?: string;
  cpu?: string;
  memory?: string;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  /** uid of the controlling owner (a ReplicaSet), if any. */
  ownerUid?: string;
  schedulerName?: string;
  phase?: "Pending" | "Running" | "Succeeded" | "Failed";
}

/** A pod as the apiserver stores it after defaulting (uid, resourceVersion, phase). */
export function makePod(p: PodSpecInput): Pod {
  const requests: Record<string, string> = {};
  if (p.cpu) requests.cpu = p.cpu;
  if (p.memory) requests.memory = p.memory;
  const owner: OwnerReference | undefined = p.ownerUid
    ? { apiVersion: "apps/v1", kind: "ReplicaSet", name: `rs-${p.ownerUid}`, uid: p.ownerUid, controller: true }
    : undefined;
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: p.name,
      namespace: p.namespace ?? "default",
      uid: `uid-${p.name}`,
      resourceVersion: "1",
      ...(owner ? { ownerReferences: [owner] } : {}),
    },
    spec: {
      containers: [{ name: "c", image: "busybox", ...(Object.keys(requests).length ? { resources: { requests } } : {}) }],
      schedulerName: p.schedulerName ?? "default-scheduler",
      ...(p.nodeName ? { nodeName: p.nodeName } : {}),
      ...(p.nodeSelector ? { nodeSelector: p.nodeSelector } : {}),
      ...(p.tolerations ? { tolerations: p.tolerations } : {}),
    },
    status: { phase: p.phase ?? "Pending" },
  };
}
