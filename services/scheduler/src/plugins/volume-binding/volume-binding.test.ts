import { describe, it, expect } from "vitest";
import type { PersistentVolume, PersistentVolumeClaim, Pod } from "@skiff/api";
import { NodeInfo } from "../../framework/node-info.js";
import { newCycleContext } from "../../framework/types.js";
import { makeNode, makePod } from "../../testing.js";
import { nodeMatchesTerms, REASON_NODE_CONFLICT, SELECTED_NODE, volumeBinding } from "./volume-binding.js";

const claim = (name: string, volumeName?: string, annotations?: Record<string, string>): PersistentVolumeClaim => ({
  apiVersion: "v1",
  kind: "PersistentVolumeClaim",
  metadata: { name, namespace: "default", annotations },
  spec: { accessModes: ["ReadWriteOnce"], volumeName },
});
const pv = (name: string, node?: string): PersistentVolume => ({
  apiVersion: "v1",
  kind: "PersistentVolume",
  metadata: { name },
  spec: {
    hostPath: { path: "/x" },
    ...(node
      ? {
          nodeAffinity: {
            required: { nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In" as const, values: [node] }] }] },
          },
        }
      : {}),
  },
});

function run(claims: PersistentVolumeClaim[], pvs: PersistentVolume[], claimName: string | undefined, node: string) {
  const plugin = volumeBinding({
    claim: (_ns, n) => claims.find((c) => c.metadata.name === n),
    volume: (n) => pvs.find((p) => p.metadata.name === n),
  });
  const pod = makePod({ name: "p" });
  if (claimName) (pod.spec as Pod["spec"]).volumes = [{ name: "v", persistentVolumeClaim: { claimName } }];
  return plugin.filter(newCycleContext(), pod, new NodeInfo(node, makeNode({ name: node, labels: { "kubernetes.io/hostname": node } })));
}

describe("volume-binding filter", () => {
  it("passes pods without claims", () => {
    expect(run([], [], undefined, "a").code).toBe("Success");
  });

  it("rejects every node when a claim does not exist", () => {
    const s = run([], [], "gone", "a");
    expect(s).toEqual({ code: "UnschedulableAndUnresolvable", reasons: ['persistentvolumeclaim "gone" not found'] });
  });

  it("keeps a pod with a bound node-local PV on that PV's node", () => {
    const claims = [claim("data", "pv1")];
    expect(run(claims, [pv("pv1", "a")], "data", "a").code).toBe("Success");
    expect(run(claims, [pv("pv1", "a")], "data", "b")).toEqual({ code: "UnschedulableAndUnresolvable", reasons: [REASON_NODE_CONFLICT] });
    // A PV without node affinity is reachable from everywhere.
    expect(run(claims, [pv("pv1")], "data", "b").code).toBe("Success");
  });

  it("follows the selected node of a claim still being provisioned", () => {
    const claims = [claim("data", undefined, { [SELECTED_NODE]: "a" })];
    expect(run(claims, [], "data", "a").code).toBe("Success");
    expect(run(claims, [], "data", "b").code).toBe("UnschedulableAndUnresolvable");
    expect(run([claim("data")], [], "data", "b").code).toBe("Success");
  });

  it("matches node selector terms: OR of terms, AND within a term, matchFields on the name", () => {
    const node = makeNode({ name: "n1", labels: { zone: "z1", disk: "ssd" } });
    expect(
      nodeMatchesTerms(
        [{ matchExpressions: [{ key: "zone", operator: "In", values: ["z2"] }] }, { matchExpressions: [{ key: "disk", operator: "Exists" }] }],
        node,
      ),
    ).toBe(true);
    expect(
      nodeMatchesTerms(
        [
          {
            matchExpressions: [
              { key: "zone", operator: "In", values: ["z1"] },
              { key: "disk", operator: "DoesNotExist" },
            ],
          },
        ],
        node,
      ),
    ).toBe(false);
    expect(nodeMatchesTerms([{ matchFields: [{ key: "metadata.name", operator: "In", values: ["n1"] }] }], node)).toBe(true);
    expect(nodeMatchesTerms([{ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["n1"] }] }], node)).toBe(false);
    expect(nodeMatchesTerms([{}], node)).toBe(false);
  });
});
