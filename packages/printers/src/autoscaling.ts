// Table of HorizontalPodAutoscalers (kubectl get hpa): NAME REFERENCE TARGETS MINPODS MAXPODS
// REPLICAS AGE, TARGETS written as Kubernetes' printer writes them ("cpu: 42%/80%").
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus } from "@skiff/api";
import { ageSince } from "./age.js";
import { column, docs, makeTable, type Table, type TableOptions } from "./types.js";

/** At most this many metrics are spelt out; the rest are counted (" + 2 more..."). */
const MAX_LISTED = 2;

const q = (v: unknown): string => (v === undefined || v === null ? "<unknown>" : String(v));

/** One metric as "current/target", by its spec and the status at the same position. */
function formatMetric(spec: MetricSpec, status: MetricStatus | undefined): string | undefined {
  switch (spec.type) {
    case "External": {
      const t = spec.external?.target;
      if (t?.averageValue !== undefined) return `${q(status?.external?.current.averageValue)}/${t.averageValue} (avg)`;
      return `${q(status?.external?.current.value)}/${q(t?.value)}`;
    }
    case "Pods":
      return `${q(status?.pods?.current.averageValue)}/${q(spec.pods?.target.averageValue)}`;
    case "Object": {
      const t = spec.object?.target;
      if (t?.averageValue !== undefined) return `${q(status?.object?.current.averageValue)}/${t.averageValue} (avg)`;
      return `${q(status?.object?.current.value)}/${q(t?.value)}`;
    }
    case "Resource":
    case "ContainerResource": {
      const src = spec.type === "Resource" ? spec.resource : spec.containerResource;
      const cur = spec.type === "Resource" ? status?.resource?.current : status?.containerResource?.current;
      if (!src) return undefined;
      if (src.target?.averageValue !== undefined) return `${src.name}: ${q(cur?.averageValue)}/${src.target.averageValue}`;
      const current = cur?.averageUtilization !== undefined ? `${cur.averageUtilization}%` : "<unknown>";
      const target = src.target?.averageUtilization !== undefined ? `${src.target.averageUtilization}%` : "<auto>";
      return `${src.name}: ${current}/${target}`;
    }
    default:
      return "<unknown type>";
  }
}

/** The TARGETS cell of an HPA. */
export function hpaTargets(h: HorizontalPodAutoscaler): string {
  const specs = h.spec?.metrics ?? [];
  if (!specs.length) return "<none>";
  const list = specs.map((s, i) => formatMetric(s, h.status?.currentMetrics?.[i])).filter((s): s is string => s !== undefined);
  const shown = list.slice(0, MAX_LISTED).join(", ");
  return list.length > MAX_LISTED ? `${shown} + ${list.length - MAX_LISTED} more...` : shown;
}

/** HorizontalPodAutoscalers, Kubernetes' columns. */
export function hpaTable(items: HorizontalPodAutoscaler[], opts: TableOptions = {}): Table {
  const cols = [
    column("Name", docs.name, { format: "name" }),
    column(
      "Reference",
      "reference to scaled resource; horizontal pod autoscaler will learn the current resource consumption and will set the desired number of pods by using its Scale subresource.",
    ),
    column(
      "Targets",
      "metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).",
    ),
    column("MinPods", "minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down. It defaults to 1 pod."),
    column("MaxPods", "maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.", {
      type: "integer",
    }),
    column("Replicas", "currentReplicas is current number of replicas of pods managed by this autoscaler, as last seen by the autoscaler.", {
      type: "integer",
    }),
    column("Age", docs.age),
  ];
  return makeTable(
    cols,
    items.map((h) => ({
      object: h,
      cells: [
        h.metadata.name ?? "",
        `${h.spec?.scaleTargetRef?.kind}/${h.spec?.scaleTargetRef?.name}`,
        hpaTargets(h),
        h.spec?.minReplicas !== undefined ? String(h.spec.minReplicas) : "<unset>",
        h.spec?.maxReplicas ?? 0,
        h.status?.currentReplicas ?? 0,
        ageSince(h.metadata.creationTimestamp, opts.now),
      ],
    })),
  );
}
