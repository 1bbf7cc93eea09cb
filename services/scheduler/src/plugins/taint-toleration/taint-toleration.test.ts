import { describe, it, expect } from "vitest";
import type { Taint, Toleration } from "@skiff/api";
import { NodeInfo } from "../../framework/node-info.js";
import { newCycleContext } from "../../framework/types.js";
import { makeNode, makePod } from "../../testing.js";
import { filter, toleratesTaint } from "./taint-toleration.js";

const gpu: Taint = { key: "dedicated", value: "gpu", effect: "NoSchedule" };

function run(taints: Taint[], tolerations?: Toleration[]) {
  return filter(newCycleContext(), makePod({ name: "p", tolerations }), new NodeInfo("a", makeNode({ name: "a", taints })));
}

describe("taint-toleration filter", () => {
  it("rejects an untolerated NoSchedule taint, naming it", () => {
    expect(run([gpu])).toEqual({ code: "UnschedulableAndUnresolvable", reasons: ["node(s) had untolerated taint {dedicated: gpu}"] });
  });

  it("rejects an untolerated NoExecute taint, with an empty value shown empty", () => {
    expect(run([{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }])).toEqual({
      code: "UnschedulableAndUnresolvable",
      reasons: ["node(s) had untolerated taint {node.kubernetes.io/unreachable: }"],
    });
  });

  it("ignores PreferNoSchedule taints", () => {
    expect(run([{ key: "k", value: "v", effect: "PreferNoSchedule" }]).code).toBe("Success");
  });

  it("accepts a taint tolerated with Equal and the same value", () => {
    expect(run([gpu], [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoSchedule" }]).code).toBe("Success");
    expect(run([gpu], [{ key: "dedicated", value: "gpu" }]).code).toBe("Success"); // operator defaults to Equal
  });

  it("rejects Equal with another value", () => {
    expect(run([gpu], [{ key: "dedicated", operator: "Equal", value: "cpu" }]).code).toBe("UnschedulableAndUnresolvable");
  });

  it("accepts Exists whatever the value", () => {
    expect(run([gpu], [{ key: "dedicated", operator: "Exists" }]).code).toBe("Success");
  });

  it("an empty key with Exists tolerates every taint", () => {
    expect(run([gpu, { key: "x", effect: "NoExecute" }], [{ operator: "Exists" }]).code).toBe("Success");
  });

  it("a toleration for another effect does not tolerate", () => {
    expect(run([gpu], [{ key: "dedicated", operator: "Exists", effect: "NoExecute" }]).code).toBe("UnschedulableAndUnresolvable");
  });

  it("needs every blocking taint tolerated, reporting the first untolerated one", () => {
    const other: Taint = { key: "zone", value: "b", effect: "NoSchedule" };
    expect(run([gpu, other], [{ key: "dedicated", operator: "Exists" }])).toEqual({
      code: "UnschedulableAndUnresolvable",
      reasons: ["node(s) had untolerated taint {zone: b}"],
    });
  });

  it("toleratesTaint follows Kubernetes' matching rules", () => {
    expect(toleratesTaint({ key: "dedicated", operator: "Exists", effect: "" }, gpu)).toBe(true);
    expect(toleratesTaint({ key: "other", operator: "Exists" }, gpu)).toBe(false);
    expect(toleratesTaint({ key: "k", operator: "Equal" }, { key: "k", effect: "NoSchedule" })).toBe(true);
  });
});
