import { describe, expect, it } from "vitest";
import type { DaemonSet, Node, Pod } from "@skiff/api";
import { FakeCluster } from "../testing.js";
import { DaemonSetController } from "./daemonset.js";

const node = (name: string, labels: Record<string, string> = {}, taints: Node["spec"]["taints"] = []): Node => ({
  apiVersion: "v1",
  kind: "Node",
  metadata: { name, labels },
  spec: { taints },
});

describe("DaemonSet controller", () => {
  it("runs one pod per eligible node (nodeSelector, taints) and follows nodes joining and leaving", async () => {
    const fc = new FakeCluster();
    fc.autoSync = true;
    const c = new DaemonSetController(fc.context());
    await (c as unknown as { setup(): Promise<void> }).setup();
    fc.seed("nodes", node("a", { disk: "ssd" }));
    fc.seed("nodes", node("b", { disk: "hdd" }));
    fc.seed("nodes", node("c", { disk: "ssd" }, [{ key: "dedicated", effect: "NoSchedule" }]));
    fc.seed("nodes", node("d", { disk: "ssd" }, [{ key: "node.kubernetes.io/unreachable", effect: "NoExecute" }]));
    fc.seed<DaemonSet>("daemonsets", {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "ds", namespace: "default" },
      spec: {
        selector: { matchLabels: { app: "ds" } },
        template: { metadata: { labels: { app: "ds" } }, spec: { nodeSelector: { disk: "ssd" }, containers: [{ name: "c", image: "i" }] } },
      },
    });
    await c.reconcile("default/ds");
    const pods = fc.list<Pod>("pods");
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(["a", "d"]);
    expect(pods[0].spec.tolerations).toContainEqual({ key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" });
    await c.reconcile("default/ds");
    expect(fc.count("create", "pods")).toBe(2);
    fc.seed("nodes", node("e", { disk: "ssd" }));
    await c.reconcile("default/ds");
    expect(
      fc
        .list<Pod>("pods")
        .map((p) => p.spec.nodeName)
        .sort(),
    ).toEqual(["a", "d", "e"]);
    const gone = fc.informer<Node>("nodes").get("a")!;
    fc.objects.delete("nodes:a");
    fc.informer<Node>("nodes").remove(gone);
    await c.reconcile("default/ds");
    expect(
      fc
        .list<Pod>("pods")
        .map((p) => p.spec.nodeName)
        .sort(),
    ).toEqual(["d", "e"]);
  });
});
