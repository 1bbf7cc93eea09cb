// HorizontalPodAutoscaler validation (Kubernetes' messages), v2 defaulting and the v1 ⇄ v2 conversion.
import { describe, expect, it } from "vitest";
import { defaultHpa, hpaFromV1, hpaToV1, validateHpa, type HorizontalPodAutoscaler } from "./autoscaling.js";

const hpa = (spec: object): HorizontalPodAutoscaler => ({
  apiVersion: "autoscaling/v2",
  kind: "HorizontalPodAutoscaler",
  metadata: { name: "h", namespace: "default" },
  spec: { scaleTargetRef: { kind: "Deployment", name: "web", apiVersion: "apps/v1" }, maxReplicas: 5, ...spec } as never,
});
const fields = (h: HorizontalPodAutoscaler) => validateHpa(h).map((e) => `${e.field}: ${e.message}`);

describe("HorizontalPodAutoscaler validation", () => {
  it("accepts a CPU utilisation HPA with behavior", () => {
    expect(
      fields(
        hpa({
          minReplicas: 1,
          metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }],
          behavior: { scaleDown: { stabilizationWindowSeconds: 30, policies: [{ type: "Pods", value: 1, periodSeconds: 15 }] } },
        }),
      ),
    ).toEqual([]);
  });

  it("rejects bad replica bounds, targets and policies with field paths", () => {
    expect(fields(hpa({ minReplicas: 0 }))).toContain("spec.minReplicas: Invalid value: 0: must be greater than or equal to 1");
    expect(fields(hpa({ minReplicas: 6 }))).toContain("spec.maxReplicas: Invalid value: 5: must be greater than or equal to `minReplicas`");
    expect(fields(hpa({ scaleTargetRef: { kind: "", name: "" } }))).toEqual([
      "spec.scaleTargetRef.kind: Required value",
      "spec.scaleTargetRef.name: Required value",
    ]);
    expect(fields(hpa({ metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization" } } }] }))).toEqual([
      "spec.metrics[0].resource.target.averageUtilization: Required value: must set averageUtilization when type is Utilization",
    ]);
    expect(fields(hpa({ metrics: [{ type: "Resource" }] }))).toEqual([
      "spec.metrics[0].resource: Required value: must populate information for the given metric source",
    ]);
    expect(fields(hpa({ metrics: [{ type: "Cpu" }] }))[0]).toMatch(/^spec.metrics\[0\].type: Unsupported value: "Cpu"/);
    expect(
      fields(
        hpa({ behavior: { scaleUp: { stabilizationWindowSeconds: 4000, selectPolicy: "Fast", policies: [{ type: "Pods", value: 0, periodSeconds: 2000 }] } } }),
      ),
    ).toEqual([
      "spec.behavior.scaleUp.stabilizationWindowSeconds: Invalid value: 4000: must be less than or equal to 3600",
      'spec.behavior.scaleUp.selectPolicy: Unsupported value: "Fast": supported values: "Disabled", "Max", "Min"',
      "spec.behavior.scaleUp.policies[0].value: Invalid value: 0: must be greater than zero",
      "spec.behavior.scaleUp.policies[0].periodSeconds: Invalid value: 2000: must be less than or equal to 1800",
    ]);
  });
});

describe("defaults and conversion", () => {
  it("defaults minReplicas 1, CPU at 80%, and fills behavior's rules when behavior is given", () => {
    const h = hpa({ behavior: { scaleDown: { stabilizationWindowSeconds: 60 } } });
    defaultHpa(h);
    expect(h.spec.minReplicas).toBe(1);
    expect(h.spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 80 } } }]);
    expect(h.spec.behavior).toEqual({
      scaleUp: {
        stabilizationWindowSeconds: 0,
        selectPolicy: "Max",
        policies: [
          { type: "Pods", value: 4, periodSeconds: 15 },
          { type: "Percent", value: 100, periodSeconds: 15 },
        ],
      },
      scaleDown: { stabilizationWindowSeconds: 60, selectPolicy: "Max", policies: [{ type: "Percent", value: 100, periodSeconds: 15 }] },
    });
  });

  it("v1 shows the CPU target; a v1 write keeps what v1 cannot express", () => {
    const stored = hpa({
      minReplicas: 2,
      metrics: [
        { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } },
        { type: "Resource", resource: { name: "memory", target: { type: "AverageValue", averageValue: "100Mi" } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 5 } },
    });
    stored.status = {
      currentReplicas: 2,
      desiredReplicas: 2,
      currentMetrics: [{ type: "Resource", resource: { name: "cpu", current: { averageUtilization: 30, averageValue: "30m" } } }],
    };
    const v1 = hpaToV1(stored);
    expect(v1).toMatchObject({
      apiVersion: "autoscaling/v1",
      spec: { minReplicas: 2, maxReplicas: 5, targetCPUUtilizationPercentage: 50 },
      status: { currentReplicas: 2, currentCPUUtilizationPercentage: 30 },
    });
    expect(v1.spec).not.toHaveProperty("metrics");
    const back = hpaFromV1({ ...v1, spec: { ...v1.spec, targetCPUUtilizationPercentage: 70 } }, stored);
    expect(back.apiVersion).toBe("autoscaling/v2");
    expect(back.spec.metrics).toEqual([
      { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
      stored.spec.metrics![1],
    ]);
    expect(back.spec.behavior).toEqual(stored.spec.behavior);
    expect(hpaFromV1({ ...v1, spec: { scaleTargetRef: v1.spec.scaleTargetRef, maxReplicas: 3 } }).spec).toEqual({
      scaleTargetRef: v1.spec.scaleTargetRef,
      maxReplicas: 3,
    });
  });
});
