// Per-pod resource figures from the engine (CPU time and rate, memory working set), for
// `kubectl top`-style reports through the NodeService.
import { ContainerLabels as L } from "@skiff/api";
import type { Runtime } from "../runtime/runtime.js";
import type { nodev1 } from "@skiff/proto";

/** Figures of every running app container carrying these labels. */
export async function podStats(runtime: Runtime, labels: Record<string, string>): Promise<nodev1.ContainerStats[]> {
  const cs = (await runtime.list(labels)).filter((c) => c.labels[L.kind] === "container" && c.state === "running");
  return Promise.all(
    cs.map(async (c) => {
      const s = await runtime.stats(c.id);
      return {
        name: c.labels[L.containerName],
        cpuUsageCoreNanoSeconds: s.cpuUsageNanos,
        cpuUsageNanoCores: s.cpuNanoCores,
        memoryWorkingSetBytes: s.memoryWorkingSetBytes,
        timestamp: s.timestamp,
      };
    }),
  );
}
