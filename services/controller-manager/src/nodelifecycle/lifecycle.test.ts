import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Node } from "@skiff/api";
import { FakeCluster } from "../testing.js";
import { NodeLifecycleController } from "./lifecycle.js";

const readyNode = (name: string): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name },
  spec: {},
  status: { conditions: [{ type: "Ready", status: "True", reason: "KubeletReady", lastTransitionTime: new Date().toISOString() }] },
});

describe("node lifecycle", () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-01-01T00:00:00Z"));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  const marked = (fc: FakeCluster, name: string) => fc.actions.some((a) => a.verb === "updateStatus" && a.resource === "nodes" && a.key === name);

  it("gives a node that joins long after the controller started a grace period of its own", async () => {
    const fc = new FakeCluster();
    const c = new NodeLifecycleController(fc.context({ nodeMonitorGraceMs: 10_000 }));
    vi.advanceTimersByTime(60_000);
    // Registered and Ready; its first heartbeat is still on its way.
    fc.seed("nodes", readyNode("joiner"));
    await c.check();
    expect(marked(fc, "joiner")).toBe(false);
    // Silent for longer than the grace period: now it is Unknown.
    vi.advanceTimersByTime(10_001);
    await c.check();
    expect(marked(fc, "joiner")).toBe(true);
    expect(fc.list<Node>("nodes")[0].status?.conditions?.find((x) => x.type === "Ready")?.status).toBe("Unknown");
  });

  it("judges the nodes it starts with one grace period after its start", async () => {
    const fc = new FakeCluster();
    fc.seed("nodes", readyNode("old"));
    const c = new NodeLifecycleController(fc.context({ nodeMonitorGraceMs: 10_000 }));
    await c.check();
    vi.advanceTimersByTime(5_000);
    await c.check();
    expect(marked(fc, "old")).toBe(false);
    vi.advanceTimersByTime(5_001);
    await c.check();
    expect(marked(fc, "old")).toBe(true);
  });
});
