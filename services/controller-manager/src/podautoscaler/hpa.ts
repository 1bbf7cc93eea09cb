// The horizontal pod autoscaler controller: every sync period each HPA reads its target's
// replicas and pods, the pods' CPU/memory from the resource metrics API (metrics.k8s.io),
// computes the replicas each metric asks for (replicas.ts), stabilises and rate-limits them
// (behavior.ts), writes the target's spec.replicas and reports status, conditions and events.
import {
  cpuToMilli,
  formatCpuMilli,
  formatLabelSelector,
  isConflict,
  isNotFound,
  labelSelectorFromStruct,
  matchesLabels,
  memoryToBytes,
  nowRfc3339,
  objectKey,
  splitKey,
  type HorizontalPodAutoscaler,
  type HPACondition,
  type KObject,
  type LabelSelectorStruct,
  type MetricSpec,
  type MetricStatus,
  type Pod,
} from "@skiff/api";
import type { ControllerContext } from "../controller.js";
import { QueueController } from "../common/base.js";
import { averageValueReplicas, MetricError, resourceUtilizationReplicas, type CalcOptions, type MetricResult, type PodMetrics } from "./replicas.js";
import { normalize, recordScale, type ConditionUpdate, type HpaMemory } from "./behavior.js";

/** The kinds an HPA can scale, by group and kind: their resource. */
const scalable: Record<string, string> = {
  "apps/Deployment": "deployments",
  "apps/ReplicaSet": "replicasets",
  "apps/StatefulSet": "statefulsets",
  "/ReplicationController": "replicationcontrollers",
};

/** The resource the HPA's target names, or an error message (Kubernetes' "no matches for kind"). */
function targetResource(h: HorizontalPodAutoscaler): string | { error: string } {
  const ref = h.spec.scaleTargetRef;
  const group = ref.apiVersion?.includes("/") ? ref.apiVersion.split("/")[0] : "";
  return scalable[`${group}/${ref.kind}`] ?? { error: `no matches for kind "${ref.kind}" in group "${group}"` };
}

/** A PodMetrics item of metrics.k8s.io. */
interface PodMetricsItem extends KObject {
  timestamp: string;
  window: string;
  containers: { name: string; usage: { cpu?: string; memory?: string } }[];
}

/** Samples of one resource (milli-units) from PodMetrics, of all containers or one. */
function samples(items: PodMetricsItem[], resource: string, container?: string): PodMetrics {
  const out: PodMetrics = new Map();
  for (const it of items) {
    const cs = it.containers.filter((c) => !container || c.name === container);
    if (!cs.length) continue;
    let sum = 0;
    let found = true;
    for (const c of cs) {
      const q = (c.usage as Record<string, string | undefined>)[resource];
      if (q === undefined) {
        found = false;
        break;
      }
      sum += resource === "cpu" ? cpuToMilli(q) : memoryToBytes(q) * 1000;
    }
    if (!found) continue;
    const window = /^(\d+(?:\.\d+)?)s$/.exec(it.window ?? "");
    out.set(it.metadata.name!, { value: sum, timestamp: Date.parse(it.timestamp) || Date.now(), windowMs: window ? Number(window[1]) * 1000 : 0 });
  }
  return out;
}

/** A quantity from milli-units, as Kubernetes prints it (CPU "250m", memory "104857600" or "1500m"). */
function quantityOfMilli(milli: number, resource: string): string {
  if (resource === "cpu") return formatCpuMilli(milli);
  return milli % 1000 === 0 ? String(milli / 1000) : `${Math.round(milli)}m`;
}

/** How the HPA controller runs (the controller-manager's flags). */
export interface HpaOptions {
  syncPeriodMs: number;
  downscaleStabilizationMs: number;
  tolerance: number;
  cpuInitializationPeriodMs: number;
  initialReadinessDelayMs: number;
}

export class HorizontalPodAutoscalerController extends QueueController {
  private readonly memory = new Map<string, HpaMemory>();
  constructor(
    ctx: ControllerContext,
    private readonly o: HpaOptions = {
      syncPeriodMs: ctx.opts.hpaSyncPeriodMs,
      downscaleStabilizationMs: ctx.opts.hpaDownscaleStabilizationMs,
      tolerance: ctx.opts.hpaTolerance,
      cpuInitializationPeriodMs: ctx.opts.hpaCpuInitializationPeriodMs,
      initialReadinessDelayMs: ctx.opts.hpaInitialReadinessDelayMs,
    },
  ) {
    super(ctx, { workers: 2, baseDelayMs: 1_000, maxDelayMs: o.syncPeriodMs, name: "horizontalpodautoscaler" });
  }

  protected async setup(): Promise<void> {
    const hpas = this.ctx.informers.get<HorizontalPodAutoscaler>("horizontalpodautoscalers");
    const pods = this.ctx.informers.get<Pod>("pods");
    hpas.addHandlers({
      onAdd: (h) => this.queue.add(objectKey(h)),
      onUpdate: (o, h) => {
        if (o.metadata.generation !== h.metadata.generation) this.queue.add(objectKey(h));
      },
      onDelete: (h) => this.memory.delete(objectKey(h)),
    });
    await Promise.all([hpas.waitForSync(), pods.waitForSync()]);
  }

  async reconcile(key: string): Promise<void> {
    const hpa = this.ctx.informers.get<HorizontalPodAutoscaler>("horizontalpodautoscalers").get(key);
    if (!hpa) {
      this.memory.delete(key);
      return;
    }
    try {
      await this.sync(key, structuredClone(hpa));
    } finally {
      // Level-triggered on a clock: every HPA is looked at again each sync period.
      this.queue.addAfter(key, this.o.syncPeriodMs);
    }
  }

  private async sync(key: string, hpa: HorizontalPodAutoscaler): Promise<void> {
    const original = JSON.stringify(hpa.status ?? null);
    const now = Date.now();
    const conditions = new Map<string, ConditionUpdate>();
    const set = (c: ConditionUpdate) => conditions.set(c.type, c);
    const ref = `${hpa.spec.scaleTargetRef.kind}/${hpa.spec.scaleTargetRef.name}`;
    const resource = targetResource(hpa);
    let target: KObject;
    try {
      if (typeof resource !== "string") throw new Error(resource.error);
      target = await this.ctx.client.get(resource, hpa.spec.scaleTargetRef.name, hpa.metadata.namespace);
    } catch (err) {
      const msg = `the HPA controller was unable to get the target's current scale: ${(err as Error).message}`;
      this.ctx.recorder.record(hpa, "Warning", "FailedGetScale", (err as Error).message);
      set({ type: "AbleToScale", status: "False", reason: "FailedGetScale", message: msg });
      await this.writeStatus(hpa, original, conditions, {
        currentReplicas: hpa.status?.currentReplicas ?? 0,
        desiredReplicas: hpa.status?.desiredReplicas ?? 0,
        currentMetrics: hpa.status?.currentMetrics,
      });
      if (!isNotFound(err) && typeof resource === "string") throw err;
      return;
    }
    const spec = target.spec as { replicas?: number; selector?: LabelSelectorStruct };
    const current = spec.replicas ?? 1;
    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    const mem = this.memory.get(key) ?? { recommendations: [{ replicas: current, at: now }], scaleUpEvents: [], scaleDownEvents: [] };
    this.memory.set(key, mem);
    set({ type: "AbleToScale", status: "True", reason: "SucceededGetScale", message: "the HPA controller was able to get the target's current scale" });

    let desired = 0;
    let reason = "";
    let statuses: MetricStatus[] | undefined = hpa.status?.currentMetrics;
    let rescale = true;
    if (current === 0 && min !== 0) {
      rescale = false;
      set({ type: "ScalingActive", status: "False", reason: "ScalingDisabled", message: "scaling is disabled since the replica count of the target is zero" });
    } else if (current > max) {
      desired = max;
      reason = "Current number of replicas above Spec.MaxReplicas";
    } else if (current < min) {
      desired = min;
      reason = "Current number of replicas below Spec.MinReplicas";
    } else {
      const m = await this.computeMetrics(hpa, target, current, now);
      statuses = m.statuses;
      if (m.error) {
        set(m.condition!);
        this.ctx.recorder.record(hpa, "Warning", m.condition!.reason, m.error);
        this.ctx.recorder.record(hpa, "Warning", "FailedComputeMetricsReplicas", m.error);
        await this.writeStatus(hpa, original, conditions, {
          currentReplicas: current,
          desiredReplicas: hpa.status?.desiredReplicas ?? current,
          currentMetrics: statuses,
        });
        return;
      }
      set({
        type: "ScalingActive",
        status: "True",
        reason: "ValidMetricFound",
        message: `the HPA was able to successfully calculate a replica count from ${m.metric}`,
      });
      desired = m.replicas;
      if (desired > current) reason = `${m.metric} above target`;
      if (desired < current) reason = "All metrics below target";
      const n = normalize(mem, { current, desired, min, max, behavior: hpa.spec.behavior, downscaleWindowMs: this.o.downscaleStabilizationMs, now });
      n.conditions.forEach(set);
      desired = n.replicas;
      rescale = desired !== current;
    }
    if (rescale) {
      try {
        await this.writeReplicas(resource as string, hpa, desired);
      } catch (err) {
        this.ctx.recorder.record(hpa, "Warning", "FailedRescale", `New size: ${desired}; reason: ${reason}; error: ${(err as Error).message}`);
        set({
          type: "AbleToScale",
          status: "False",
          reason: "FailedUpdateScale",
          message: `the HPA controller was unable to update the target scale: ${(err as Error).message}`,
        });
        await this.writeStatus(hpa, original, conditions, {
          currentReplicas: current,
          desiredReplicas: hpa.status?.desiredReplicas ?? current,
          currentMetrics: statuses,
        });
        throw err;
      }
      set({ type: "AbleToScale", status: "True", reason: "SucceededRescale", message: `the HPA controller was able to update the target scale to ${desired}` });
      this.ctx.recorder.record(hpa, "Normal", "SuccessfulRescale", `New size: ${desired}; reason: ${reason}`);
      this.ctx.log.info({ hpa: key, target: ref, from: current, to: desired, reason }, "rescaled");
      recordScale(mem, { behavior: hpa.spec.behavior, now }, current, desired);
    } else desired = current;
    await this.writeStatus(hpa, original, conditions, {
      currentReplicas: current,
      desiredReplicas: desired,
      currentMetrics: statuses,
      ...(rescale ? { lastScaleTime: nowRfc3339(new Date(now)) } : {}),
    });
  }

  /** Sets spec.replicas of the target (what the scale subresource writes), retrying on conflicts. */
  private async writeReplicas(resource: string, hpa: HorizontalPodAutoscaler, replicas: number): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.ctx.client.get(resource, hpa.spec.scaleTargetRef.name, hpa.metadata.namespace);
      (cur.spec as { replicas?: number }).replicas = replicas;
      try {
        await this.ctx.client.update(resource, cur);
        return;
      } catch (err) {
        if (!isConflict(err) || attempt >= 4) throw err;
      }
    }
  }

  /** Every metric's proposal; the highest wins (computeReplicasForMetrics). */
  private async computeMetrics(
    hpa: HorizontalPodAutoscaler,
    target: KObject,
    current: number,
    now: number,
  ): Promise<{ replicas: number; metric: string; statuses: MetricStatus[]; error?: string; condition?: ConditionUpdate }> {
    const specs = hpa.spec.metrics ?? [];
    const selector = (target.spec as { selector?: LabelSelectorStruct }).selector;
    const sel = labelSelectorFromStruct(selector);
    const pods = this.ctx.informers
      .get<Pod>("pods")
      .list()
      .filter((p) => p.metadata.namespace === hpa.metadata.namespace && matchesLabels(sel, p.metadata.labels));
    let items: PodMetricsItem[] | undefined;
    let metricsError: string | undefined;
    const podMetrics = async (): Promise<PodMetricsItem[]> => {
      if (items) return items;
      if (metricsError) throw new MetricError(metricsError);
      try {
        items = (
          await this.ctx.client.list<PodMetricsItem>("pods.metrics.k8s.io", { namespace: hpa.metadata.namespace, labelSelector: formatLabelSelector(sel) })
        ).items;
        return items;
      } catch (err) {
        metricsError = `unable to fetch metrics from resource metrics API: ${(err as Error).message}`;
        throw new MetricError(metricsError);
      }
    };
    const calc: CalcOptions = {
      tolerance: this.o.tolerance,
      cpuInitializationPeriodMs: this.o.cpuInitializationPeriodMs,
      initialReadinessDelayMs: this.o.initialReadinessDelayMs,
      now,
    };
    let replicas = 0;
    let metric = "";
    let invalid = 0;
    let first: { error: string; condition: ConditionUpdate } | undefined;
    const statuses: MetricStatus[] = [];
    for (const [i, spec] of specs.entries()) {
      try {
        const r = await this.computeMetric(spec, current, pods, podMetrics, calc);
        statuses.push(r.status);
        if (replicas === 0 || r.result.replicas > replicas) {
          replicas = r.result.replicas;
          metric = r.name;
        }
      } catch (err) {
        invalid++;
        statuses.push({ type: spec.type } as MetricStatus);
        if (!first)
          first = {
            error: (err as Error).message,
            condition: {
              type: "ScalingActive",
              status: "False",
              reason: failedReason(spec),
              message: `the HPA was unable to compute the replica count: ${(err as Error).message}`,
            },
          };
        if (!(err instanceof MetricError)) this.ctx.log.warn({ err, hpa: objectKey(hpa), metric: i }, "metric failed");
      }
    }
    // All metrics invalid, or some invalid while the others would scale down: do not act on partial data.
    if (first && (invalid >= specs.length || replicas < current)) {
      return {
        replicas: -1,
        metric,
        statuses,
        error: `invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.error}`,
        condition: first.condition,
      };
    }
    return { replicas, metric, statuses };
  }

  private async computeMetric(
    spec: MetricSpec,
    current: number,
    pods: Pod[],
    podMetrics: () => Promise<PodMetricsItem[]>,
    calc: CalcOptions,
  ): Promise<{ result: MetricResult; status: MetricStatus; name: string }> {
    if (spec.type === "Resource" || spec.type === "ContainerResource") {
      const src = spec.type === "Resource" ? spec.resource! : spec.containerResource!;
      const container = spec.type === "ContainerResource" ? spec.containerResource!.container : undefined;
      const what = container ? `${src.name} container resource` : `${src.name} resource`;
      if (src.name !== "cpu" && src.name !== "memory")
        throw new MetricError(
          `failed to get ${src.name} utilization: unable to get metrics for resource ${src.name}: the resource metrics API serves cpu and memory only`,
        );
      let m: PodMetrics;
      try {
        m = samples(await podMetrics(), src.name, container);
      } catch (err) {
        throw new MetricError(`failed to get ${what} metric value: ${(err as Error).message}`);
      }
      if (m.size === 0)
        throw new MetricError(
          `failed to get ${what} utilization: unable to get metrics for resource ${src.name}: no metrics returned from resource metrics API`,
        );
      const current_ = (c: { averageUtilization?: number; averageValue?: string }) =>
        (container
          ? { type: "ContainerResource", containerResource: { name: src.name, container, current: c } }
          : { type: "Resource", resource: { name: src.name, current: c } }) as MetricStatus;
      if (src.target.type === "Utilization") {
        const r = resourceUtilizationReplicas(current, src.target.averageUtilization!, src.name, pods, m, calc, container);
        return {
          result: r,
          name: `${what} utilization (percentage of request)`,
          status: current_({ averageUtilization: r.utilization, averageValue: quantityOfMilli(r.averageMilli, src.name) }),
        };
      }
      const targetMilli =
        src.name === "cpu"
          ? cpuToMilli(String(src.target.averageValue ?? src.target.value))
          : memoryToBytes(String(src.target.averageValue ?? src.target.value)) * 1000;
      const r = averageValueReplicas(current, targetMilli, src.name, pods, m, calc);
      return { result: r, name: what, status: current_({ averageValue: quantityOfMilli(r.averageMilli, src.name) }) };
    }
    // Pods, Object and External metrics come from the custom and external metrics APIs, which Skiff does not serve.
    const api = spec.type === "External" ? "external.metrics.k8s.io" : "custom.metrics.k8s.io";
    const name = spec.pods?.metric.name ?? spec.object?.metric.name ?? spec.external?.metric.name ?? "";
    throw new MetricError(`unable to get metric ${name}: no ${api} API is served in this cluster`);
  }

  /** Writes status when it changed; conditions keep their transition time while their status holds. */
  private async writeStatus(
    hpa: HorizontalPodAutoscaler,
    original: string,
    updates: Map<string, ConditionUpdate>,
    s: { currentReplicas: number; desiredReplicas: number; currentMetrics?: MetricStatus[]; lastScaleTime?: string },
  ): Promise<void> {
    const prev = hpa.status?.conditions ?? [];
    const conditions: HPACondition[] = [...prev];
    for (const u of updates.values()) {
      const i = conditions.findIndex((c) => c.type === u.type);
      const old = conditions[i];
      const c: HPACondition = {
        type: u.type as HPACondition["type"],
        status: u.status,
        lastTransitionTime: old && old.status === u.status ? old.lastTransitionTime : nowRfc3339(),
        reason: u.reason,
        message: u.message,
      };
      if (i >= 0) conditions[i] = c;
      else conditions.push(c);
    }
    hpa.status = {
      ...(hpa.metadata.generation !== undefined ? { observedGeneration: hpa.metadata.generation } : {}),
      ...((s.lastScaleTime ?? hpa.status?.lastScaleTime) ? { lastScaleTime: s.lastScaleTime ?? hpa.status?.lastScaleTime } : {}),
      currentReplicas: s.currentReplicas,
      desiredReplicas: s.desiredReplicas,
      ...(s.currentMetrics?.length ? { currentMetrics: s.currentMetrics } : {}),
      conditions,
    };
    if (JSON.stringify(hpa.status) === original) return;
    try {
      await this.ctx.client.updateStatus("horizontalpodautoscalers", hpa);
    } catch (err) {
      if (isNotFound(err)) return;
      if (isConflict(err)) {
        // A newer HPA: the next sync (soon, via its update) writes status again.
        const { namespace, name } = splitKey(objectKey(hpa));
        this.ctx.log.debug({ hpa: `${namespace}/${name}` }, "status conflict; will retry next sync");
        return;
      }
      throw err;
    }
  }
}

/** The condition reason of a metric that could not be read, per metric type. */
function failedReason(spec: MetricSpec): string {
  switch (spec.type) {
    case "Resource":
      return "FailedGetResourceMetric";
    case "ContainerResource":
      return "FailedGetContainerResourceMetric";
    case "Pods":
      return "FailedGetPodsMetric";
    case "Object":
      return "FailedGetObjectMetric";
    case "External":
      return "FailedGetExternalMetric";
    default:
      return "InvalidMetricSourceType";
  }
}
