import { describe, it, expect } from "vitest";
import type { Node } from "@skiff/api";
import { nodeRow, nodeStatus, nodeTable } from "./nodes.js";
import { renderTable } from "./render.js";

const now = new Date("2024-05-01T12:00:00Z");

function node(ready: "True" | "False" | "Unknown" | undefined, extra: Partial<Node> = {}): Node {
  return {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node-1", creationTimestamp: "2024-04-29T09:00:00Z" },
    spec: {},
    status: {
      conditions: ready ? [{ type: "Ready", status: ready }] : [],
      addresses: [
        { type: "InternalIP", address: "172.18.0.2" },
        { type: "Hostname", address: "node-1" },
      ],
      nodeInfo: { kubeletVersion: "v1.30.0-skiff", osImage: "Debian GNU/Linux 12", kernelVersion: "6.1.0", containerRuntimeVersion: "docker://24.0.5" },
    },
    ...extra,
  };
}

describe("node rows", () => {
  it("derives STATUS from the Ready condition", () => {
    expect(nodeStatus(node("True"))).toBe("Ready");
    expect(nodeStatus(node("False"))).toBe("NotReady");
    expect(nodeStatus(node("Unknown"))).toBe("NotReady");
    expect(nodeStatus(node(undefined))).toBe("Unknown");
  });

  it("adds SchedulingDisabled for a cordoned node", () => {
    expect(nodeStatus(node("True", { spec: { unschedulable: true } }))).toBe("Ready,SchedulingDisabled");
  });

  it("reads roles from node-role labels", () => {
    const n = node("True");
    n.metadata.labels = { "node-role.kubernetes.io/control-plane": "", "node-role.kubernetes.io/worker": "", "kubernetes.io/hostname": "node-1" };
    expect(nodeRow(n, now)[2]).toBe("control-plane,worker");
  });

  it("fills the wide columns from addresses and nodeInfo", () => {
    expect(nodeRow(node("True"), now)).toEqual([
      "node-1",
      "Ready",
      "<none>",
      "2d3h",
      "v1.30.0-skiff",
      "172.18.0.2",
      "<none>",
      "Debian GNU/Linux 12",
      "6.1.0",
      "docker://24.0.5",
    ]);
  });

  it("renders like kubectl get nodes", () => {
    expect(renderTable(nodeTable([node("True")], { now })).text).toBe(
      "NAME     STATUS   ROLES    AGE    VERSION\nnode-1   Ready    <none>   2d3h   v1.30.0-skiff\n",
    );
    expect(renderTable(nodeTable([node("True")], { now }), { wide: true }).text.split("\n")[0]).toBe(
      "NAME     STATUS   ROLES    AGE    VERSION         INTERNAL-IP   EXTERNAL-IP   OS-IMAGE              KERNEL-VERSION   CONTAINER-RUNTIME",
    );
  });
});
