// client-go's work-queue metrics (workqueue_depth, _adds_total, _queue_duration_seconds,
// _work_duration_seconds, _retries_total, _unfinished_work_seconds,
// _longest_running_processor_seconds), labelled by queue name: the provider @skiff/client's
// WorkQueue reports through once a process installs it (setWorkQueueMetricsProvider).
import { Counter, Gauge, Histogram } from "prom-client";

const depth = new Gauge({ name: "workqueue_depth", help: "Current depth of workqueue", labelNames: ["name"] });
const adds = new Counter({ name: "workqueue_adds_total", help: "Total number of adds handled by workqueue", labelNames: ["name"] });
const latency = new Histogram({
  name: "workqueue_queue_duration_seconds",
  help: "How long in seconds an item stays in workqueue before being requested.",
  labelNames: ["name"],
  buckets: [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10],
});
const work = new Histogram({
  name: "workqueue_work_duration_seconds",
  help: "How long in seconds processing an item from workqueue takes.",
  labelNames: ["name"],
  buckets: [1e-8, 1e-7, 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10],
});
const retries = new Counter({ name: "workqueue_retries_total", help: "Total number of retries handled by workqueue", labelNames: ["name"] });

/** What one queue reports (the shape @skiff/client's WorkQueueMetrics expects). */
export interface QueueMetrics {
  add(): void;
  depth(n: number): void;
  /** An item left the queue after waiting `seconds`. */
  dequeued(seconds: number): void;
  /** An item's processing took `seconds`. */
  processed(seconds: number): void;
  retry(): void;
  /** The start times (ms since epoch) of the items being processed now, for the stuck-work gauges. */
  inFlight(startsMs: () => Iterable<number>): void;
}

const inFlightSources = new Map<string, () => Iterable<number>>();
// The two "stuck work" gauges are computed when scraped, from each queue's in-flight start times.
function stuck(pick: (total: number, max: number) => number) {
  return function (this: Gauge<"name">) {
    const now = Date.now();
    for (const [name, src] of inFlightSources) {
      let total = 0,
        max = 0;
      for (const s of src()) {
        const d = (now - s) / 1000;
        total += d;
        max = Math.max(max, d);
      }
      this.set({ name }, pick(total, max));
    }
  };
}
new Gauge({
  name: "workqueue_unfinished_work_seconds",
  help: "How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads.",
  labelNames: ["name"],
  collect: stuck((t) => t),
});
new Gauge({
  name: "workqueue_longest_running_processor_seconds",
  help: "How many seconds has the longest running processor for workqueue been running.",
  labelNames: ["name"],
  collect: stuck((_t, m) => m),
});

/** The provider to install with @skiff/client's setWorkQueueMetricsProvider. */
export const workQueueMetricsProvider = {
  queue(name: string): QueueMetrics {
    depth.set({ name }, 0); // every queue shows, empty ones too
    return {
      add: () => adds.inc({ name }),
      depth: (n) => depth.set({ name }, n),
      dequeued: (s) => latency.observe({ name }, s),
      processed: (s) => work.observe({ name }, s),
      retry: () => retries.inc({ name }),
      inFlight: (src) => {
        inFlightSources.set(name, src);
      },
    };
  },
};
