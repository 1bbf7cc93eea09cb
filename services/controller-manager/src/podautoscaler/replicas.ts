// The replica calculation of one metric, as Kubernetes' HPA computes it (replica_calculator.go):
// pods grouped into ready, unready (CPU only), missing and ignored; the usage ratio within the
// tolerance keeps the count; missing and unready pods are assumed conservatively and can only
// dampen a change, never reverse it. Values are in milli-units (MilliValue), as there.
import { cpuToMilli, memoryToBytes, type Pod } from "@skiff/api";

/** One pod's sampled usage of a resource (milli-units) and when the sample was taken. */
export interface PodMetric {
  value: number;
  timestamp: number;
  windowMs: number;
}

/** Sampled usage by pod name. */
export type PodMetrics = Map<string, PodMetric>;

/** Calculator settings (the controller's flags). */
export interface CalcOptions {
  /** Ratios within 1 ± tolerance change nothing (default 0.1). */
  tolerance: number;
  /** CPU samples of pods younger than this count only once the pod is ready (default 5 min). */
  cpuInitializationPeriodMs: number;
  /** A pod not ready within this long of starting is unready (default 30 s). */
  initialReadinessDelayMs: number;
  now: number;
}

/** A metric the calculation could not use; the message is what conditions and events show. */
export class MetricError extends Error {}

/** How the pods of the target stand for one resource. */
export interface PodGroups {
  readyPodCount: number;
  unready: Set<string>;
  missing: Set<string>;
  ignored: Set<string>;
}

const ms = (t: string | undefined) => (t ? Date.parse(t) : NaN);

/** Groups pods as groupPods does: deleting, failed and succeeded pods are ignored, pending ones unready. */
export function groupPods(pods: Pod[], metrics: PodMetrics, resource: string, o: CalcOptions): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unready: new Set(), missing: new Set(), ignored: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name!;
    const phase = pod.status?.phase;
    if (pod.metadata.deletionTimestamp || phase === "Failed" || phase === "Succeeded") {
      g.ignored.add(name);
      continue;
    }
    if (phase === "Pending" || !phase) {
      g.unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missing.add(name);
      continue;
    }
    if (resource === "cpu") {
      const ready = pod.status?.conditions?.find((c) => c.type === "Ready");
      const start = ms(pod.status?.startTime);
      let unready: boolean;
      if (!ready || Number.isNaN(start)) unready = true;
      else if (start + o.cpuInitializationPeriodMs > o.now) {
        // Still initialising: a sample counts once the pod is ready and a full window was taken since.
        const since = ms(ready.lastTransitionTime);
        unready = ready.status === "False" || (!Number.isNaN(since) && metric.timestamp < since + metric.windowMs);
      } else {
        // Past initialisation: only a pod that never became ready is left out.
        const since = ms(ready.lastTransitionTime);
        unready = ready.status === "False" && !Number.isNaN(since) && start + o.initialReadinessDelayMs > since;
      }
      if (unready) {
        g.unready.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/** Each pod's request of the resource (milli-units), summed over its containers or of one container. */
export function podRequests(pods: Pod[], resource: string, container?: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    for (const c of pod.spec.containers) {
      if (container && c.name !== container) continue;
      const q = c.resources?.requests?.[resource];
      if (q === undefined) throw new MetricError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += resource === "cpu" ? cpuToMilli(q) : memoryToBytes(q) * 1000;
    }
    out.set(pod.metadata.name!, sum);
  }
  return out;
}

/** Utilisation (integer percent of requests, truncated as Kubernetes' int32 division) and its ratio to the target. */
export function utilizationRatio(
  metrics: PodMetrics,
  requests: Map<string, number>,
  target: number,
): { ratio: number; utilization: number; rawAverage: number } {
  let used = 0;
  let requested = 0;
  let n = 0;
  for (const [pod, m] of metrics) {
    const r = requests.get(pod);
    if (r === undefined) continue; // a metric of a pod we do not know is extraneous
    used += m.value;
    requested += r;
    n++;
  }
  if (requested === 0) throw new MetricError("no metrics returned matched known pods");
  const utilization = Math.trunc((used * 100) / requested);
  return { ratio: utilization / target, utilization, rawAverage: Math.trunc(used / n) };
}

/** Average usage per pod and its ratio to an average-value target. */
export function usageRatio(metrics: PodMetrics, target: number): { ratio: number; usage: number } {
  let used = 0;
  for (const m of metrics.values()) used += m.value;
  const usage = Math.trunc(used / metrics.size);
  return { ratio: usage / target, usage };
}

/** The result of one metric: the replicas it asks for and what it measured. */
export interface MetricResult {
  replicas: number;
  /** Percent of requests (Utilization targets). */
  utilization?: number;
  /** Average per pod in milli-units. */
  averageMilli: number;
  timestamp: number;
}

function prepare(pods: Pod[], metrics: PodMetrics, resource: string, o: CalcOptions): { m: PodMetrics; g: PodGroups; timestamp: number } {
  if (pods.length === 0) throw new MetricError("no pods returned by selector while calculating replica count");
  const m = new Map(metrics);
  const g = groupPods(pods, m, resource, o);
  for (const p of [...g.ignored, ...g.unready]) m.delete(p);
  // Metrics of pods that are not the target's are no concern of it.
  const known = new Set(pods.map((p) => p.metadata.name!));
  for (const p of [...m.keys()]) if (!known.has(p)) m.delete(p);
  if (m.size === 0) throw new MetricError(`did not receive metrics for targeted pods (pods might be unready)`);
  return { m, g, timestamp: Math.min(...[...m.values()].map((x) => x.timestamp)) };
}

/**
 * Replicas for a Utilization target (GetResourceReplicas). `target` is a percent of requests;
 * `container` limits the metric to one container (ContainerResource).
 */
export function resourceUtilizationReplicas(
  current: number,
  target: number,
  resource: string,
  pods: Pod[],
  metrics: PodMetrics,
  o: CalcOptions,
  container?: string,
): MetricResult {
  const { m, g, timestamp } = prepare(pods, metrics, resource, o);
  const requests = podRequests(pods, resource, container);
  const first = utilizationRatio(m, requests, target);
  const result = (replicas: number): MetricResult => ({ replicas, utilization: first.utilization, averageMilli: first.rawAverage, timestamp });
  const scaleUpWithUnready = g.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= o.tolerance) return result(current);
    return result(Math.ceil(first.ratio * g.readyPodCount));
  }
  if (g.missing.size > 0) {
    // Scaling down: a pod without a sample is taken to use its whole request (or the target, when above 100%);
    // scaling up: nothing. Either way it can only hold the change back.
    const fallback = Math.max(100, target);
    for (const p of g.missing) m.set(p, { value: first.ratio < 1 ? ((requests.get(p) ?? 0) * fallback) / 100 : 0, timestamp, windowMs: 0 });
  }
  if (scaleUpWithUnready) for (const p of g.unready) m.set(p, { value: 0, timestamp, windowMs: 0 });
  const next = utilizationRatio(m, requests, target).ratio;
  if (Math.abs(1 - next) <= o.tolerance || (first.ratio < 1 && next > 1) || (first.ratio > 1 && next < 1)) return result(current);
  const replicas = Math.ceil(next * m.size);
  if ((next < 1 && replicas > current) || (next > 1 && replicas < current)) return result(current);
  return result(replicas);
}

/** Replicas for an AverageValue target of a resource (calcPlainMetricReplicas); `target` in milli-units. */
export function averageValueReplicas(current: number, target: number, resource: string, pods: Pod[], metrics: PodMetrics, o: CalcOptions): MetricResult {
  const { m, g, timestamp } = prepare(pods, metrics, resource, o);
  const first = usageRatio(m, target);
  const result = (replicas: number): MetricResult => ({ replicas, averageMilli: first.usage, timestamp });
  const scaleUpWithUnready = g.unready.size > 0 && first.ratio > 1;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1 - first.ratio) <= o.tolerance) return result(current);
    return result(Math.ceil(first.ratio * g.readyPodCount));
  }
  for (const p of g.missing) m.set(p, { value: first.ratio < 1 ? target : 0, timestamp, windowMs: 0 });
  if (scaleUpWithUnready) for (const p of g.unready) m.set(p, { value: 0, timestamp, windowMs: 0 });
  const next = usageRatio(m, target).ratio;
  if (Math.abs(1 - next) <= o.tolerance || (first.ratio < 1 && next > 1) || (first.ratio > 1 && next < 1)) return result(current);
  const replicas = Math.ceil(next * m.size);
  if ((next < 1 && replicas > current) || (next > 1 && replicas < current)) return result(current);
  return result(replicas);
}
