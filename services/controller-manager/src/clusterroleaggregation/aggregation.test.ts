import { describe, expect, it } from "vitest";
import type { ClusterRole } from "@skiff/api";
import { FakeCluster } from "../testing.js";
import { aggregatedRules, ClusterRoleAggregationController } from "./aggregation.js";

const role = (name: string, labels: Record<string, string>, rules: ClusterRole["rules"], aggregateFrom?: string): ClusterRole => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRole",
  metadata: { name, labels },
  ...(aggregateFrom ? { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { [aggregateFrom]: "true" } }] } } : { rules }),
});

describe("ClusterRole aggregation", () => {
  const read = { verbs: ["get"], apiGroups: [""], resources: ["pods"] };
  const crds = { verbs: ["get"], apiGroups: ["example.com"], resources: ["widgets"] };

  it("gathers the rules of the matched roles once each", () => {
    const view = role("view", {}, [], "agg-view");
    const all = [
      view,
      role("b-part", { "agg-view": "true" }, [read, crds]),
      role("a-part", { "agg-view": "true" }, [read]),
      role("other", {}, [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }]),
    ];
    expect(aggregatedRules(view, all)).toEqual([read, crds]);
  });

  it("writes the gathered rules into the aggregated role, and only when they changed", async () => {
    const fc = new FakeCluster();
    fc.seed("clusterroles", role("view", {}, [], "agg-view"));
    fc.seed("clusterroles", role("part", { "agg-view": "true" }, [read]));
    const c = new ClusterRoleAggregationController(fc.context());
    await c.reconcile("view");
    expect(fc.list<ClusterRole>("clusterroles").find((r) => r.metadata.name === "view")?.rules).toEqual([read]);
    fc.sync();
    await c.reconcile("view");
    expect(fc.count("update", "clusterroles")).toBe(1);
  });
});
