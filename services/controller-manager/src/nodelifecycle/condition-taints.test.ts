import { describe, expect, it } from "vitest";
import type { Node, Taint } from "@skiff/api";
import { conditionTaints, sameTaints } from "./lifecycle.js";

const node = (conds: Record<string, "True" | "False" | "Unknown">): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name: "n" },
  spec: {},
  status: { conditions: Object.entries(conds).map(([type, status]) => ({ type, status })) },
});

describe("taints by condition", () => {
  it("NotReady → not-ready NoSchedule+NoExecute; pressure → *-pressure:NoSchedule; user taints untouched", () => {
    const user: Taint = { key: "dedicated", value: "db", effect: "NoSchedule" };
    const t = conditionTaints(node({ Ready: "False", DiskPressure: "True", MemoryPressure: "False" }), [user]);
    expect(t.map((x) => `${x.key}:${x.effect}`).sort()).toEqual([
      "dedicated:NoSchedule",
      "node.kubernetes.io/disk-pressure:NoSchedule",
      "node.kubernetes.io/not-ready:NoExecute",
      "node.kubernetes.io/not-ready:NoSchedule",
    ]);
  });

  it("Ready again clears them, keeping timeAdded of those that stay", () => {
    const old: Taint[] = [
      { key: "node.kubernetes.io/memory-pressure", effect: "NoSchedule", timeAdded: "2024-01-01T00:00:00Z" },
      { key: "node.kubernetes.io/not-ready", effect: "NoExecute", timeAdded: "x" },
    ];
    const t = conditionTaints(node({ Ready: "True", MemoryPressure: "True" }), old);
    expect(t).toEqual([old[0]]);
    expect(sameTaints(conditionTaints(node({ Ready: "True" }), []), [])).toBe(true);
    expect(conditionTaints(node({ Ready: "Unknown" }), []).map((x) => `${x.key}:${x.effect}`)).toEqual([
      "node.kubernetes.io/unreachable:NoSchedule",
      "node.kubernetes.io/unreachable:NoExecute",
    ]);
  });
});
