import { describe, expect, it } from "vitest";
import { NodeInfo } from "../../framework/node-info.js";
import { newCycleContext } from "../../framework/types.js";
import { makeNode, makePod } from "../../testing.js";
import { filter } from "./node-ports.js";

const withPort = (name: string, hostPort: number, extra: { protocol?: "TCP" | "UDP"; hostIP?: string; nodeName?: string } = {}) => {
  const p = makePod({ name, nodeName: extra.nodeName });
  p.spec.containers[0].ports = [
    { containerPort: 80, hostPort, ...(extra.protocol ? { protocol: extra.protocol } : {}), ...(extra.hostIP ? { hostIP: extra.hostIP } : {}) },
  ];
  return p;
};

describe("NodePorts", () => {
  it("two pods with the same hostPort and protocol never share a node", () => {
    const taken = new NodeInfo("a", makeNode({ name: "a" }), [withPort("web-1", 8080, { nodeName: "a" })]);
    const free = new NodeInfo("b", makeNode({ name: "b" }));
    const ctx = newCycleContext();
    expect(filter(ctx, withPort("web-2", 8080), taken)).toEqual({
      code: "Unschedulable",
      reasons: ["node(s) didn't have free ports for the requested pod ports"],
    });
    expect(filter(ctx, withPort("web-2", 8080), free).code).toBe("Success");
  });

  it("another protocol, another port or disjoint host IPs do not conflict; 0.0.0.0 conflicts with every IP", () => {
    const ctx = newCycleContext();
    const on = (p: ReturnType<typeof withPort>) => new NodeInfo("a", makeNode({ name: "a" }), [{ ...p, spec: { ...p.spec, nodeName: "a" } }]);
    expect(filter(ctx, withPort("x", 53, { protocol: "UDP" }), on(withPort("dns", 53))).code).toBe("Success");
    expect(filter(ctx, withPort("x", 81), on(withPort("web", 80))).code).toBe("Success");
    expect(filter(ctx, withPort("x", 80, { hostIP: "10.0.0.2" }), on(withPort("web", 80, { hostIP: "10.0.0.1" }))).code).toBe("Success");
    expect(filter(ctx, withPort("x", 80, { hostIP: "10.0.0.2" }), on(withPort("web", 80))).code).toBe("Unschedulable");
  });
});
