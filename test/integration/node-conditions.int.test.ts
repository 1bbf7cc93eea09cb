// Node conditions from real measurements on one real node: with a hard eviction threshold the
// node's filesystem cannot meet (nodefs.available<100%), the agent reports DiskPressure, the
// node lifecycle controller taints the node disk-pressure:NoSchedule, and a new pod stays Pending
// with the scheduler saying why.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Event, Node } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";
import { BUSYBOX } from "../harness/pods.js";

describe("node conditions from measurements", () => {
  const cluster = new TestCluster({ nodes: 1, agentFlags: ["--eviction-hard", "nodefs.available<100%", "--node-conditions-ms", "1000"] });
  beforeAll(async () => {
    await cluster.start();
  }, 120_000);
  afterAll(async () => {
    await cluster.stop();
  });

  it("DiskPressure True → disk-pressure taint → new pods Pending with FailedScheduling", async () => {
    const name = cluster.nodeName(0);
    await waitFor(
      async () => (await cluster.client.get<Node>("nodes", name)).status?.conditions?.some((c) => c.type === "DiskPressure" && c.status === "True"),
      30_000,
      "DiskPressure True",
    );
    const node = await cluster.client.get<Node>("nodes", name);
    expect(node.status?.conditions?.find((c) => c.type === "DiskPressure")).toMatchObject({
      reason: "KubeletHasDiskPressure",
      message: "kubelet has disk pressure",
    });
    expect(node.status?.conditions?.find((c) => c.type === "Ready")?.status).toBe("True");
    await waitFor(
      async () =>
        (await cluster.client.get<Node>("nodes", name)).spec?.taints?.some((t) => t.key === "node.kubernetes.io/disk-pressure" && t.effect === "NoSchedule"),
      30_000,
      "disk-pressure taint",
    );
    await cluster.client.create("pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "squeezed", namespace: "default" },
      spec: { containers: [{ name: "c", image: BUSYBOX, command: ["sleep", "60"] }] },
    });
    await waitFor(
      async () =>
        (await cluster.client.list<Event>("events", { namespace: "default" })).items.some(
          (e) => e.involvedObject.name === "squeezed" && e.reason === "FailedScheduling",
        ),
      30_000,
      "FailedScheduling",
    );
    const ev = (await cluster.client.list<Event>("events", { namespace: "default" })).items.find(
      (e) => e.involvedObject.name === "squeezed" && e.reason === "FailedScheduling",
    )!;
    expect(ev.message).toContain("node.kubernetes.io/disk-pressure");
  });
});
