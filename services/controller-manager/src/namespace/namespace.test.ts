import { describe, expect, it } from "vitest";
import { ResourceRegistry } from "@skiff/api";
import { deletionOrder } from "./namespace.js";

describe("namespace deletion order", () => {
  it("covers every namespaced resource of the registry: owners first, pods next to last, events last", () => {
    const reg = new ResourceRegistry();
    const order = deletionOrder(reg.all);
    expect(new Set(order)).toEqual(new Set(reg.all.filter((r) => r.namespaced && !r.virtual).map((r) => r.resource)));
    for (const r of ["services", "endpoints", "endpointslices", "configmaps", "secrets", "persistentvolumeclaims"]) expect(order).toContain(r);
    expect(order).not.toContain("namespaces");
    expect(order).not.toContain("nodes");
    expect(order.indexOf("deployments")).toBeLessThan(order.indexOf("replicasets"));
    expect(order.indexOf("replicasets")).toBeLessThan(order.indexOf("services"));
    expect(order.at(-2)).toBe("pods");
    expect(order.at(-1)).toBe("events");
  });
});
