// HorizontalPodAutoscaler end to end with the real kubectl: `kubectl autoscale` (autoscaling/v1)
// on a Deployment whose containers burn CPU scales it up from the metrics API within 2 minutes,
// `kubectl get hpa` shows TARGETS, and once the load stops it scales back down after the
// (shortened) scale-down stabilisation window.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Deployment, Event, HorizontalPodAutoscaler, Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

const run = promisify(execFile);

// Each pod spins until /tmp/stop exists; its 100m limit keeps the load at 100% of its request.
const manifest = `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: burn
spec:
  replicas: 1
  selector:
    matchLabels: {app: burn}
  template:
    metadata:
      labels: {app: burn}
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: skiff/busybox:1.35
        command: ["sh", "-c", "while [ ! -f /tmp/stop ]; do i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; done; trap 'exit 0' TERM; sleep 3600 & wait"]
        resources:
          requests: {cpu: 100m, memory: 16Mi}
          limits: {cpu: 100m, memory: 64Mi}
`;

describe("HorizontalPodAutoscaler", () => {
  // A short sync period and scale-down window keep the test to a few minutes (defaults: 15 s and 5 min).
  const cluster = new TestCluster({
    nodes: 1,
    controllerManagerFlags: ["--horizontal-pod-autoscaler-sync-period-ms=3000", "--horizontal-pod-autoscaler-downscale-stabilization-ms=20000"],
  });
  let kubeconfig = "";
  beforeAll(async () => {
    await cluster.start();
    kubeconfig = await cluster.kubeconfigPath();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  const k = async (args: string[], input?: string): Promise<string> => {
    const p = run("kubectl", ["--kubeconfig", kubeconfig, "-n", "default", ...args], { timeout: 60_000 });
    if (input !== undefined) {
      p.child.stdin!.write(input);
      p.child.stdin!.end();
    }
    try {
      return (await p).stdout;
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`kubectl ${args.join(" ")} failed: ${e.stderr || e.message}`);
    }
  };
  const replicas = async () => (await cluster.client.get<Deployment>("deployments", "burn", "default")).spec.replicas;
  const hpa = () => cluster.client.get<HorizontalPodAutoscaler>("horizontalpodautoscalers", "burn", "default");

  it("rejects an invalid HPA with Kubernetes' field errors", async () => {
    const bad = `{"apiVersion":"autoscaling/v2","kind":"HorizontalPodAutoscaler","metadata":{"name":"bad"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"burn"},"minReplicas":3,"maxReplicas":2}}`;
    await expect(k(["create", "-f", "-"], bad)).rejects.toThrow(/spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`/);
  });

  it("scales a CPU-burning Deployment up within 2 minutes and back down after the stabilisation window", async () => {
    await k(["apply", "-f", "-"], manifest);
    expect(await k(["autoscale", "deployment", "burn", "--cpu-percent=50", "--min=1", "--max=3"])).toContain(
      "horizontalpodautoscaler.autoscaling/burn autoscaled",
    );
    // Served at both versions: v1 shows the CPU target, v2 (preferred) the metric and conditions.
    const v1 = JSON.parse(await k(["get", "horizontalpodautoscalers.v1.autoscaling", "burn", "-o", "json"]));
    expect(v1).toMatchObject({
      apiVersion: "autoscaling/v1",
      spec: { scaleTargetRef: { kind: "Deployment", name: "burn" }, minReplicas: 1, maxReplicas: 3, targetCPUUtilizationPercentage: 50 },
    });
    expect((await hpa()).spec.metrics).toEqual([{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 50 } } }]);

    const started = Date.now();
    await waitFor(async () => (await replicas()) === 3, 120_000, "the HPA to scale burn to 3 replicas");
    const upAfter = (Date.now() - started) / 1000;
    // The controller scales the target, then writes the HPA's status: wait for that second write.
    const h = await waitFor(async () => ((await hpa()).status?.desiredReplicas === 3 ? hpa() : undefined), 15_000, "the HPA's status after the rescale");
    expect(h.status?.conditions?.find((c) => c.type === "ScalingActive")).toMatchObject({ status: "True", reason: "ValidMetricFound" });
    expect(h.status?.currentMetrics?.[0].resource?.current.averageUtilization).toBeGreaterThan(50);
    const table = await k(["get", "hpa"]);
    expect(table.split("\n")[0]).toMatch(/^NAME\s+REFERENCE\s+TARGETS\s+MINPODS\s+MAXPODS\s+REPLICAS\s+AGE/);
    expect(table).toMatch(/burn\s+Deployment\/burn\s+cpu: \d+%\/50%\s+1\s+3\s+\d/);
    const events = (await cluster.client.list<Event>("events", { namespace: "default" })).items.filter(
      (e) => e.involvedObject.name === "burn" && e.reason === "SuccessfulRescale",
    );
    expect(events.map((e) => e.message).join("\n")).toMatch(/New size: [23]; reason: cpu resource utilization \(percentage of request\) above target/);
    console.log(`scaled up to 3 in ${upAfter.toFixed(1)} s`);

    // Stop the load in every pod; at max replicas no new (burning) pod is started meanwhile.
    const running = async () =>
      (await cluster.client.list<Pod>("pods", { namespace: "default", labelSelector: "app=burn" })).items.filter(
        (p) => !p.metadata.deletionTimestamp && p.status?.phase === "Running" && p.status.containerStatuses?.[0]?.state?.running,
      );
    await waitFor(async () => (await running()).length === 3, 60_000, "the 3 burn pods running");
    const pods = await running();
    const stopped = Date.now();
    for (const p of pods) await k(["exec", p.metadata.name!, "--", "touch", "/tmp/stop"]);
    await waitFor(async () => (await replicas()) === 1, 120_000, "the HPA to scale burn back to 1 replica");
    const downAfter = (Date.now() - stopped) / 1000;
    console.log(`scaled down to 1 in ${downAfter.toFixed(1)} s after the load began to stop (window 20 s)`);
    // Not before the window: every recommendation of the last 20 s must be lower. The last one of 3
    // was made at most one sync (3 s) before the first pod stopped, hence 17 s; 15 s leaves a margin.
    expect(downAfter).toBeGreaterThanOrEqual(15);
    // As on the way up, the target is scaled first and the HPA's status written after (its
    // Event is recorded asynchronously): wait for both rather than read them at once.
    const after = await waitFor(async () => ((await hpa()).status?.desiredReplicas === 1 ? hpa() : undefined), 15_000, "the HPA's status after scaling down");
    expect(after.status).toMatchObject({ desiredReplicas: 1 });
    const rescales = async () =>
      (await cluster.client.list<Event>("events", { namespace: "default" })).items
        .filter((e) => e.involvedObject.name === "burn" && e.reason === "SuccessfulRescale")
        .map((e) => e.message)
        .join("\n");
    const down = await waitFor(async () => ((await rescales()).includes("New size: 1;") ? rescales() : undefined), 15_000, "the scale-down Event");
    expect(down).toContain("New size: 1; reason: All metrics below target");
  }, 300_000);
});
