import { describe, expect, it } from "vitest";
import { ProbeWorker } from "./worker.js";

const ok = { ok: true, message: "" };
const bad = { ok: false, message: "x" };

describe("ProbeWorker thresholds", () => {
  it("liveness starts healthy and fails only after failureThreshold consecutive failures", () => {
    const changes: boolean[] = [];
    const w = new ProbeWorker(
      "liveness",
      { failureThreshold: 3, successThreshold: 1 },
      async () => ok,
      (r, changed) => {
        if (changed) changes.push(r);
      },
    );
    expect(w.result).toBe(true);
    w.observe(bad);
    w.observe(bad);
    w.observe(ok);
    w.observe(bad);
    w.observe(bad);
    expect(w.result).toBe(true);
    w.observe(bad);
    expect(w.result).toBe(false);
    expect(changes).toEqual([false]);
  });

  it("readiness starts unready and needs successThreshold successes", () => {
    const w = new ProbeWorker(
      "readiness",
      { successThreshold: 2, failureThreshold: 1 },
      async () => ok,
      () => undefined,
    );
    expect(w.result).toBe(false);
    w.observe(ok);
    expect(w.result).toBe(false);
    w.observe(ok);
    expect(w.result).toBe(true);
    w.observe(bad);
    expect(w.result).toBe(false);
  });

  it("startup probe fails out at failureThreshold; stop() is idempotent", () => {
    const w = new ProbeWorker(
      "startup",
      { failureThreshold: 2 },
      async () => ok,
      () => undefined,
    );
    w.observe(bad);
    expect(w.failedOut).toBe(false);
    w.observe(bad);
    expect(w.failedOut).toBe(true);
    w.observe(ok);
    expect(w.result).toBe(true);
    w.stop();
    w.stop();
    expect(w.isStopped).toBe(true);
  });
});
