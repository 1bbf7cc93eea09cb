import { describe, expect, it } from "vitest";
import { age, nodeSummary, podSummary, quantity, workloadSummary } from "./status.js";
import type { KObj } from "./types.js";

const pod = (status: object, spec: object = { nodeName: "n1", containers: [{ name: "main" }] }, metadata: object = {}): KObj => ({
  metadata: { name: "p", namespace: "default", ...metadata },
  spec,
  status,
});

describe("podSummary", () => {
  it("a running, ready pod is Running and says nothing more", () => {
    const s = podSummary(
      pod({ phase: "Running", podIP: "10.0.0.5", containerStatuses: [{ name: "main", ready: true, restartCount: 0, state: { running: {} } }] }),
    );
    expect(s).toMatchObject({ status: "Running", tone: "ok", reason: "", ready: "1/1", ip: "10.0.0.5", node: "n1" });
  });

  it("CrashLoopBackOff carries the back-off message and the last termination (reason, exit code, message)", () => {
    const s = podSummary(
      pod({
        phase: "Running",
        containerStatuses: [
          {
            name: "main",
            ready: false,
            restartCount: 4,
            state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 40s restarting failed container=main" } },
            lastState: { terminated: { reason: "Error", exitCode: 3, message: "config file missing\n" } },
          },
        ],
      }),
    );
    expect(s.status).toBe("CrashLoopBackOff");
    expect(s.tone).toBe("bad");
    expect(s.restarts).toBe(4);
    expect(s.reason).toBe("back-off 40s restarting failed container=main — main last terminated (Error, exit code 3): config file missing");
  });

  it("ImagePullBackOff says which image failed", () => {
    const s = podSummary(
      pod({
        phase: "Pending",
        containerStatuses: [{ name: "main", state: { waiting: { reason: "ImagePullBackOff", message: 'Back-off pulling image "nope:1"' } } }],
      }),
    );
    expect(s).toMatchObject({ status: "ImagePullBackOff", tone: "bad", reason: 'Back-off pulling image "nope:1"' });
  });

  it("an unschedulable pod shows the scheduler's message", () => {
    const s = podSummary(
      pod(
        {
          phase: "Pending",
          conditions: [{ type: "PodScheduled", status: "False", reason: "Unschedulable", message: "0/3 nodes are available: 3 Insufficient cpu." }],
        },
        { containers: [{ name: "main" }] },
      ),
    );
    expect(s).toMatchObject({ status: "Unschedulable", tone: "bad", reason: "0/3 nodes are available: 3 Insufficient cpu." });
  });

  it("Terminating wins over the phase; Evicted shows the kubelet's reason", () => {
    expect(podSummary(pod({ phase: "Running" }, undefined, { deletionTimestamp: "2026-01-01T00:00:00Z" })).status).toBe("Terminating");
    expect(podSummary(pod({ phase: "Failed", reason: "Evicted", message: "The node was low on memory." }))).toMatchObject({
      status: "Evicted",
      reason: "The node was low on memory.",
    });
  });

  it("init containers come first (Init:0/1, Init:CrashLoopBackOff)", () => {
    const spec = { nodeName: "n1", initContainers: [{ name: "init" }], containers: [{ name: "main" }] };
    expect(podSummary(pod({ phase: "Pending", initContainerStatuses: [{ name: "init", state: { running: {} } }] }, spec)).status).toBe("Init:0/1");
    expect(
      podSummary(
        pod(
          {
            phase: "Pending",
            initContainerStatuses: [{ name: "init", state: { waiting: { reason: "CrashLoopBackOff" } }, lastState: { terminated: { exitCode: 1 } } }],
          },
          spec,
        ),
      ).status,
    ).toBe("Init:CrashLoopBackOff");
  });

  it("a running pod whose container is not ready is a warning naming the container", () => {
    const s = podSummary(pod({ phase: "Running", containerStatuses: [{ name: "main", ready: false, state: { running: {} } }] }));
    expect(s).toMatchObject({ status: "Running", tone: "warn", reason: "not ready: main", ready: "0/1" });
  });

  it("a completed pod is ok; a failed container is its exit reason", () => {
    expect(
      podSummary(pod({ phase: "Succeeded", containerStatuses: [{ name: "main", state: { terminated: { reason: "Completed", exitCode: 0 } } }] })),
    ).toMatchObject({ status: "Completed", tone: "ok" });
    expect(
      podSummary(pod({ phase: "Failed", containerStatuses: [{ name: "main", state: { terminated: { reason: "OOMKilled", exitCode: 137 } } }] })),
    ).toMatchObject({ status: "OOMKilled", tone: "bad" });
  });
});

describe("workloads, nodes, quantities, ages", () => {
  it("a Deployment is ok when every replica is ready at the observed generation, bad when progress failed", () => {
    const d = (status: object, generation = 1): KObj => ({ kind: "Deployment", metadata: { name: "d", generation }, spec: { replicas: 3 }, status });
    expect(workloadSummary(d({ readyReplicas: 3, observedGeneration: 1 }))).toMatchObject({ ready: "3/3", tone: "ok" });
    expect(workloadSummary(d({ readyReplicas: 3, observedGeneration: 1 }, 2)).tone).toBe("warn");
    expect(
      workloadSummary(
        d({
          readyReplicas: 1,
          observedGeneration: 1,
          conditions: [{ type: "Progressing", status: "False", reason: "ProgressDeadlineExceeded", message: "took too long" }],
        }),
      ),
    ).toMatchObject({ tone: "bad", message: "ProgressDeadlineExceeded: took too long" });
  });

  it("nodes: Ready, NotReady, cordoned", () => {
    const n = (status: string, unschedulable = false): KObj => ({
      metadata: { name: "n" },
      spec: { unschedulable },
      status: { conditions: [{ type: "Ready", status }] },
    });
    expect(nodeSummary(n("True")).status).toBe("Ready");
    expect(nodeSummary(n("False"))).toMatchObject({ status: "NotReady", tone: "bad" });
    expect(nodeSummary(n("True", true))).toMatchObject({ status: "Ready,SchedulingDisabled", tone: "warn" });
  });

  it("parses quantities and prints ages as kubectl", () => {
    expect(quantity("250m")).toBeCloseTo(0.25);
    expect(quantity("2")).toBe(2);
    expect(quantity("64Mi")).toBe(64 * 1024 * 1024);
    expect(quantity("1G")).toBe(1e9);
    const now = Date.parse("2026-01-02T00:00:00Z");
    expect(age("2026-01-01T23:59:30Z", now)).toBe("30s");
    expect(age("2026-01-01T23:50:00Z", now)).toBe("10m");
    expect(age("2026-01-01T12:00:00Z", now)).toBe("12h");
    expect(age("2025-12-20T00:00:00Z", now)).toBe("13d");
  });
});
