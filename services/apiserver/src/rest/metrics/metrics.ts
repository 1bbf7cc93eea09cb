// The resource metrics API (metrics.k8s.io/v1beta1, what metrics-server serves and `kubectl top`
// reads): PodMetrics from the node agents' PodStats, sampled on request; NodeMetrics as the sum
// of the node's pods (the agents report per-container figures, not whole-machine ones).
import { NotFoundError, type KObject, type Pod } from "@skiff/api";
import type { Logger } from "@skiff/log";
import type { ContainerUsage, NodeConnector } from "../../nodes/connector.js";
import type { Registry } from "../../registry/registry.js";

/** The API group of resource metrics. */
export const metricsGroup = "metrics.k8s.io";
/** Its only version. */
export const metricsVersion = "v1beta1";
const groupVersion = `${metricsGroup}/${metricsVersion}`;
/** The sampling window reported (the engine's CPU rate spans about a second; kubectl only prints it). */
const WINDOW = "1s";

/** The group's entry in GET /apis. */
export function metricsApiGroup() {
  const v = { groupVersion, version: metricsVersion };
  return { name: metricsGroup, versions: [v], preferredVersion: v };
}

/** GET /apis/metrics.k8s.io/v1beta1. */
export function metricsResourceList() {
  return {
    kind: "APIResourceList",
    apiVersion: "v1",
    groupVersion,
    resources: [
      { name: "nodes", singularName: "", namespaced: false, kind: "NodeMetrics", verbs: ["get", "list"] },
      { name: "pods", singularName: "", namespaced: true, kind: "PodMetrics", verbs: ["get", "list"] },
    ],
  };
}

/** Usage as Kubernetes quantities: CPU in nanocores, memory in KiB (metrics-server's units). */
function usage(cpuNanoCores: number, memoryBytes: number): { cpu: string; memory: string } {
  return { cpu: `${Math.round(cpuNanoCores)}n`, memory: `${Math.round(memoryBytes / 1024)}Ki` };
}

export interface MetricsSource {
  registry: Registry;
  connector?: NodeConnector;
  log: Logger;
}

/**
 * Serves GET on metrics paths (segments after /apis/metrics.k8s.io/v1beta1); undefined when
 * the path is not a metrics resource.
 */
export async function metricsGet(src: MetricsSource, segs: string[], q: URLSearchParams): Promise<unknown> {
  const labelSelector = q.get("labelSelector") ?? undefined;
  if (segs[0] === "nodes" && segs.length <= 2) {
    const nodes = segs[1] ? [await src.registry.get("nodes", undefined, segs[1])] : (await src.registry.list("nodes", { labelSelector })).items;
    const pods = await runningPods(src, undefined, undefined);
    const items = await Promise.all(
      nodes.map((n) =>
        nodeMetrics(
          src,
          n,
          pods.filter((p) => p.spec.nodeName === n.metadata.name),
        ),
      ),
    );
    return segs[1] ? items[0] : { kind: "NodeMetricsList", apiVersion: groupVersion, metadata: {}, items };
  }
  const ns = segs[0] === "namespaces" ? segs[1] : undefined;
  const rest = segs[0] === "namespaces" ? segs.slice(2) : segs;
  if (rest[0] !== "pods" || rest.length > 2 || (rest.length === 2 && !ns)) return undefined;
  if (rest[1]) {
    const pod = (await src.registry.get("pods", ns, rest[1])) as Pod;
    const m = pod.status?.phase === "Running" ? await podMetrics(src, pod) : undefined;
    if (!m) throw new NotFoundError("podmetrics", rest[1]);
    return m;
  }
  const pods = await runningPods(src, ns, labelSelector);
  const items = (await Promise.all(pods.map((p) => podMetrics(src, p)))).filter((m): m is NonNullable<typeof m> => !!m);
  return { kind: "PodMetricsList", apiVersion: groupVersion, metadata: {}, items };
}

async function runningPods(src: MetricsSource, namespace: string | undefined, labelSelector: string | undefined): Promise<Pod[]> {
  const pods = (await src.registry.list("pods", { namespace, labelSelector })).items as Pod[];
  return pods.filter((p) => p.status?.phase === "Running" && p.spec.nodeName);
}

/** Samples one pod; undefined when its agent cannot say (the pod is left out, as metrics-server does). */
async function sample(src: MetricsSource, pod: Pod): Promise<ContainerUsage[] | undefined> {
  if (!src.connector?.podStats) return undefined;
  try {
    return await src.connector.podStats(pod);
  } catch (err) {
    src.log.debug({ err, pod: `${pod.metadata.namespace}/${pod.metadata.name}` }, "no stats for pod");
    return undefined;
  }
}

async function podMetrics(src: MetricsSource, pod: Pod) {
  const cs = await sample(src, pod);
  if (!cs) return undefined;
  return {
    kind: "PodMetrics",
    apiVersion: groupVersion,
    metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, labels: pod.metadata.labels, creationTimestamp: new Date().toISOString() },
    timestamp: cs[0]?.timestamp || new Date().toISOString(),
    window: WINDOW,
    containers: cs.map((c) => ({ name: c.name, usage: usage(c.cpuNanoCores, c.memoryBytes) })),
  };
}

async function nodeMetrics(src: MetricsSource, node: KObject, pods: Pod[]) {
  const samples = (await Promise.all(pods.map((p) => sample(src, p)))).flatMap((s) => s ?? []);
  const cpu = samples.reduce((a, c) => a + c.cpuNanoCores, 0);
  const mem = samples.reduce((a, c) => a + c.memoryBytes, 0);
  return {
    kind: "NodeMetrics",
    apiVersion: groupVersion,
    metadata: { name: node.metadata.name, labels: node.metadata.labels, creationTimestamp: new Date().toISOString() },
    timestamp: new Date().toISOString(),
    window: WINDOW,
    usage: usage(cpu, mem),
  };
}
