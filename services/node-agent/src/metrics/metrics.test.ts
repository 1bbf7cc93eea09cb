import { describe, expect, it } from "vitest";
import type { Pod, PodStatus } from "@skiff/api";
import { register } from "@skiff/metrics";
import { forgetPod, instrumentRuntime, observePodStatus } from "./metrics.js";

async function value(name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const m = await register.getSingleMetric(name)?.get();
  return m?.values.find((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))?.value;
}

describe("node agent metrics", () => {
  it("counts and times every engine call, errors apart, and leaves plain values alone", async () => {
    const rt = instrumentRuntime({
      async create() {
        return "id";
      },
      async start(_id: string) {
        throw new Error("engine says no");
      },
      name: "fake",
      sync() {
        return 7;
      },
    });
    expect(await rt.create()).toBe("id");
    await expect(rt.start("id")).rejects.toThrow("engine says no");
    expect(rt.name).toBe("fake");
    expect(rt.sync()).toBe(7);
    expect(await value("kubelet_runtime_operations_total", { operation_type: "create_container" })).toBe(1);
    expect(await value("kubelet_runtime_operations_errors_total", { operation_type: "start_container" })).toBe(1);
    expect(await value("kubelet_runtime_operations_errors_total", { operation_type: "create_container" })).toBeUndefined();
    expect(await value("kubelet_runtime_operations_total", { operation_type: "sync" })).toBeUndefined();
  });

  it("records a pod's start once, from the first status the agent computed, and counts running pods", async () => {
    const pod = {
      metadata: { uid: "u1", name: "p", namespace: "d", creationTimestamp: new Date(Date.now() - 5000).toISOString() },
      spec: { containers: [] },
    } as unknown as Pod;
    const running = { phase: "Running", containerStatuses: [{ name: "c", state: { running: {} } }] } as unknown as PodStatus;
    observePodStatus(pod, { phase: "Pending" } as PodStatus);
    observePodStatus(pod, running);
    observePodStatus(pod, running);
    const starts = (await register.getSingleMetric("kubelet_pod_start_duration_seconds")!.get()).values.find(
      (v) => (v as { metricName?: string }).metricName === "kubelet_pod_start_duration_seconds_count",
    );
    expect(starts?.value).toBe(1);
    const total = (await register.getSingleMetric("kubelet_pod_start_total_duration_seconds")!.get()).values.find(
      (v) => (v as { metricName?: string }).metricName === "kubelet_pod_start_total_duration_seconds_sum",
    );
    expect(total?.value).toBeGreaterThanOrEqual(5);
    expect(await value("kubelet_running_pods")).toBe(1);
    expect(await value("kubelet_running_containers", { container_state: "running" })).toBe(1);
    forgetPod("u1");
    expect(await value("kubelet_running_pods")).toBe(0);
    expect(await value("kubelet_running_containers", { container_state: "running" })).toBe(0);
  });
});
