import { describe, expect, it } from "vitest";
import { WorkQueue, setWorkQueueMetricsProvider, type WorkQueueMetrics } from "./workqueue.js";

describe("work-queue metrics", () => {
  it("reports adds once per waiting key, depth, wait and work times, retries and in-flight work", async () => {
    const seen: string[] = [];
    let inFlight: () => Iterable<number> = () => [];
    const m: WorkQueueMetrics = {
      add: () => seen.push("add"),
      depth: (n) => seen.push(`depth ${n}`),
      dequeued: (s) => seen.push(s >= 0 ? "dequeued" : "bad"),
      processed: (s) => seen.push(s >= 0 ? "processed" : "bad"),
      retry: () => seen.push("retry"),
      inFlight: (f) => {
        inFlight = f;
      },
    };
    setWorkQueueMetricsProvider({
      queue: (name) => {
        expect(name).toBe("things");
        return m;
      },
    });
    const q = new WorkQueue({ name: "things", baseDelayMs: 1 });
    q.add("a");
    q.add("a"); // de-duplicated: not a second add
    expect(seen).toEqual(["add", "depth 1"]);
    const k = await q.get();
    expect([...inFlight()]).toHaveLength(1);
    q.add("a"); // added while processing: counted, queued again by done()
    q.addRateLimited("a");
    q.done(k!);
    expect(seen).toEqual(["add", "depth 1", "dequeued", "depth 0", "add", "retry", "processed", "depth 1"]);
    expect([...inFlight()]).toHaveLength(0);
    q.shutdown();
    const unnamed = new WorkQueue();
    unnamed.add("b");
    expect(seen.filter((s) => s === "add")).toHaveLength(2); // unnamed queues report nothing
  });
});
