// The node agent's Prometheus metrics under the kubelet's names: engine call latency and errors
// (kubelet_runtime_operations_*), pod start latency (kubelet_pod_start_duration_seconds from the
// agent first seeing the pod, kubelet_pod_start_total_duration_seconds from its creation), probe
// results (prober_probe_total), and pods/containers running. Callers make one call each.
import type { Pod, PodStatus } from "@skiff/api";
import { Counter, Gauge, Histogram, enableProcessMetrics } from "@skiff/metrics";

const opSeconds = new Histogram({
  name: "kubelet_runtime_operations_duration_seconds",
  help: "Duration in seconds of runtime (container engine) operations. Broken down by operation type.",
  labelNames: ["operation_type"],
  buckets: [
    0.005, 0.0125, 0.03125, 0.078125, 0.1953125, 0.48828125, 1.220703125, 3.0517578125, 7.62939453125, 19.073486328125, 47.6837158203125, 119.20928955078125,
  ],
});
const ops = new Counter({
  name: "kubelet_runtime_operations_total",
  help: "Cumulative number of runtime operations by operation type.",
  labelNames: ["operation_type"],
});
const opErrors = new Counter({
  name: "kubelet_runtime_operations_errors_total",
  help: "Cumulative number of runtime operation errors by operation type.",
  labelNames: ["operation_type"],
});
const podStartBuckets = [0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600, 900, 1200, 1800, 2700, 3600];
const podStart = new Histogram({
  name: "kubelet_pod_start_duration_seconds",
  help: "Duration in seconds from the agent seeing a pod for the first time to the pod starting to run.",
  buckets: podStartBuckets,
});
const podStartTotal = new Histogram({
  name: "kubelet_pod_start_total_duration_seconds",
  help: "Duration in seconds to start a pod since creation, including time to pull images and run init containers.",
  buckets: podStartBuckets,
});
const probes = new Counter({
  name: "prober_probe_total",
  help: "Cumulative number of a liveness, readiness or startup probe for a container by result.",
  labelNames: ["probe_type", "result", "container", "pod", "namespace"],
});
const runningPods = new Gauge({ name: "kubelet_running_pods", help: "Number of pods that have a running pod sandbox (as last reported in status)." });
const runningContainers = new Gauge({ name: "kubelet_running_containers", help: "Number of containers currently running.", labelNames: ["container_state"] });

/** The kubelet's operation_type names for the runtime's methods (others keep their own name). */
const opNames: Record<string, string> = {
  create: "create_container",
  start: "start_container",
  stop: "stop_container",
  remove: "remove_container",
  list: "list_containers",
  inspect: "container_status",
  pull: "pull_image",
  imageExists: "image_status",
  exec: "exec_sync",
  openExec: "exec",
  openAttach: "attach",
  logs: "logs",
  stats: "container_stats",
  info: "version",
  ensureNetwork: "ensure_network",
  events: "events",
};

/** Wraps a runtime so every call that returns a promise is counted and timed (one place, no change to the runtime). */
export function instrumentRuntime<T extends object>(runtime: T): T {
  enableProcessMetrics();
  return new Proxy(runtime, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      if (typeof v !== "function" || typeof prop !== "string" || prop === "constructor") return v;
      const op = opNames[prop] ?? prop.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
      return (...args: unknown[]) => {
        const r = (v as (...a: unknown[]) => unknown).apply(target, args);
        if (!(r instanceof Promise)) return r;
        ops.inc({ operation_type: op });
        const end = opSeconds.startTimer({ operation_type: op });
        return r.then(
          (x) => {
            end();
            return x;
          },
          (err: unknown) => {
            end();
            opErrors.inc({ operation_type: op });
            throw err;
          },
        );
      };
    },
  });
}

/** When the agent first computed each pod's status (by uid), until it runs. */
const firstSeen = new Map<string, number>();
/** Pods (by uid) whose last status was Running, and their running containers (kept summed). */
const running = new Map<string, number>();
let containersRunning = 0;
function setRunning(uid: string, n: number | undefined): void {
  containersRunning += (n ?? 0) - (running.get(uid) ?? 0);
  if (n === undefined) running.delete(uid);
  else running.set(uid, n);
  runningPods.set(running.size);
  runningContainers.set({ container_state: "running" }, containersRunning);
}

/** Called with every status the agent computes for a pod: records its start latency once. */
export function observePodStatus(pod: Pod, status: PodStatus): void {
  const uid = pod.metadata.uid ?? "";
  const now = Date.now();
  if (status.phase === "Running") {
    const seen = firstSeen.get(uid);
    if (seen !== undefined && !running.has(uid)) {
      podStart.observe((now - seen) / 1000);
      const created = Date.parse(pod.metadata.creationTimestamp ?? "");
      if (!Number.isNaN(created)) podStartTotal.observe(Math.max(0, now - created) / 1000);
      firstSeen.delete(uid);
    }
    setRunning(uid, (status.containerStatuses ?? []).filter((c) => c.state.running).length);
  } else {
    setRunning(uid, undefined);
    // A pod already past Pending (restarted agent, finished pod) has no start to measure.
    if (!firstSeen.has(uid) && (status.phase ?? "Pending") === "Pending") firstSeen.set(uid, now);
  }
}

/** Forgets a pod whose containers are gone. */
export function forgetPod(uid: string): void {
  firstSeen.delete(uid);
  setRunning(uid, undefined);
}

/** Counts one probe run. */
export function observeProbe(kind: string, ok: boolean, pod: Pod, container: string): void {
  probes.inc({
    probe_type: kind[0].toUpperCase() + kind.slice(1),
    result: ok ? "successful" : "failed",
    container,
    pod: pod.metadata.name ?? "",
    namespace: pod.metadata.namespace ?? "",
  });
}
