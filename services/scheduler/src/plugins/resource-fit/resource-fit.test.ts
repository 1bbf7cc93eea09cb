import { describe, it, expect } from "vitest";
import { NodeInfo } from "../../framework/node-info.js";
import { newCycleContext } from "../../framework/types.js";
import { makeNode, makePod } from "../../testing.js";
import { filter, REASON_INSUFFICIENT_CPU, REASON_INSUFFICIENT_MEMORY, REASON_TOO_MANY_PODS } from "./resource-fit.js";

function nodeWith(alloc: { cpu?: string; memory?: string; pods?: string }, existing: { cpu?: string; memory?: string }[] = []) {
  const pods = existing.map((r, i) => makePod({ name: `old-${i}`, nodeName: "a", phase: "Running", ...r }));
  return new NodeInfo("a", makeNode({ name: "a", ...alloc }), pods);
}

const fit = (pod: { cpu?: string; memory?: string }, ni: NodeInfo) => filter(newCycleContext(), makePod({ name: "p", ...pod }), ni);

describe("resource-fit filter", () => {
  it("sums existing requests: 500m fits next to 500m on 1 cpu", () => {
    const ni = nodeWith({ cpu: "1" }, [{ cpu: "500m" }]);
    expect(ni.requested.milliCpu).toBe(500);
    expect(fit({ cpu: "500m" }, ni).code).toBe("Success");
  });

  it("rejects 500m next to 600m on 1 cpu", () => {
    expect(fit({ cpu: "500m" }, nodeWith({ cpu: "1" }, [{ cpu: "600m" }]))).toEqual({ code: "Unschedulable", reasons: [REASON_INSUFFICIENT_CPU] });
  });

  it("compares memory in bytes across suffixes (1Gi vs 512Mi + 600M)", () => {
    const ni = nodeWith({ memory: "1Gi" }, [{ memory: "512Mi" }]);
    expect(fit({ memory: "512Mi" }, ni).code).toBe("Success");
    expect(fit({ memory: "600M" }, ni)).toEqual({ code: "Unschedulable", reasons: [REASON_INSUFFICIENT_MEMORY] });
  });

  it("reports every insufficient resource at once", () => {
    expect(fit({ cpu: "2", memory: "2Gi" }, nodeWith({ cpu: "1", memory: "1Gi" }))).toEqual({
      code: "Unschedulable",
      reasons: ["Insufficient cpu", "Insufficient memory"],
    });
  });

  it("rejects a node at its pod limit", () => {
    const ni = nodeWith({ pods: "2" }, [{}, {}]);
    expect(fit({}, ni)).toEqual({ code: "Unschedulable", reasons: [REASON_TOO_MANY_PODS] });
    expect(fit({}, nodeWith({ pods: "3" }, [{}, {}])).code).toBe("Success");
  });

  it("lets a pod without requests onto a fully requested node", () => {
    expect(fit({}, nodeWith({ cpu: "1", memory: "1Gi" }, [{ cpu: "1", memory: "1Gi" }])).code).toBe("Success");
  });

  it("counts a decimal cpu like '0.25' as 250m", () => {
    expect(fit({ cpu: "0.25" }, nodeWith({ cpu: "1" }, [{ cpu: "750m" }])).code).toBe("Success");
    expect(fit({ cpu: "0.251" }, nodeWith({ cpu: "1" }, [{ cpu: "750m" }])).code).toBe("Unschedulable");
  });
});
