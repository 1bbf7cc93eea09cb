import { describe, expect, it } from "vitest";
import { priorityClassTable } from "./scheduling.js";

describe("priorityclasses table", () => {
  it("has kubectl's columns", () => {
    const t = priorityClassTable(
      [
        {
          apiVersion: "scheduling.k8s.io/v1",
          kind: "PriorityClass",
          metadata: { name: "high", creationTimestamp: "2026-01-01T00:00:00Z" },
          value: 1000,
          globalDefault: false,
          preemptionPolicy: "PreemptLowerPriority",
        },
      ],
      { now: new Date("2026-01-01T00:05:00Z") },
    );
    expect(t.columnDefinitions.map((c) => c.name)).toEqual(["Name", "Value", "Global-Default", "Age", "PreemptionPolicy"]);
    expect(t.rows[0].cells).toEqual(["high", 1000, false, "5m", "PreemptLowerPriority"]);
  });
});
