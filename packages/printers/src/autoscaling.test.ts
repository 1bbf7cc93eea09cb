// kubectl get hpa: the TARGETS column as Kubernetes prints it.
import { describe, expect, it } from "vitest";
import type { HorizontalPodAutoscaler } from "@skiff/api";
import { hpaTable, hpaTargets } from "./autoscaling.js";

const cpu = (u: number) => ({ type: "Resource" as const, resource: { name: "cpu", target: { type: "Utilization" as const, averageUtilization: u } } });
const mem = { type: "Resource" as const, resource: { name: "memory", target: { type: "AverageValue" as const, averageValue: "100Mi" } } };
const h = (metrics: object[], status?: object): HorizontalPodAutoscaler => ({
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name: "web", creationTimestamp: "2026-01-01T00:00:00Z" },
  spec: { scaleTargetRef: { kind: "Deployment", name: "web" }, minReplicas: 1, maxReplicas: 5, metrics } as never,
  status: status as never,
});

describe("hpa TARGETS", () => {
  it("shows <unknown> until measured, then current/target per metric", () => {
    expect(hpaTargets(h([cpu(50)]))).toBe("cpu: <unknown>/50%");
    expect(
      hpaTargets(
        h([cpu(50), mem], {
          desiredReplicas: 1,
          currentMetrics: [
            { type: "Resource", resource: { name: "cpu", current: { averageUtilization: 12, averageValue: "12m" } } },
            { type: "Resource", resource: { name: "memory", current: { averageValue: "50Mi" } } },
          ],
        }),
      ),
    ).toBe("cpu: 12%/50%, memory: 50Mi/100Mi");
    expect(hpaTargets(h([cpu(50), mem, cpu(60)]))).toBe("cpu: <unknown>/50%, memory: <unknown>/100Mi + 1 more...");
    expect(hpaTargets(h([]))).toBe("<none>");
  });

  it("has Kubernetes' columns", () => {
    const t = hpaTable([h([cpu(80)], { currentReplicas: 3, desiredReplicas: 3 })], { now: new Date("2026-01-01T00:05:00Z") });
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"]);
    expect(t.rows[0].cells).toEqual(["web", "Deployment/web", "cpu: <unknown>/80%", "1", 5, 3, "5m"]);
  });
});
