// Memory-pressure eviction with a real node agent and real containers: with --eviction-hard
// lowered so that memory.available is always below it, the agent evicts one pod per round in the
// kubelet's order — the BestEffort pod first, then the Burstable one, the Guaranteed one last —
// each Failed with reason Evicted and the kubelet's message.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Event, Pod } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

const pod = (name: string, resources: object): Pod =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: {
      terminationGracePeriodSeconds: 1,
      restartPolicy: "Never",
      containers: [{ name: "main", image: "skiff/busybox:1.35", command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"], resources }],
    },
  }) as Pod;

describe("eviction by QoS under memory pressure", () => {
  const cluster = new TestCluster({ nodes: 1 });
  beforeAll(async () => {
    await cluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("evicts BestEffort, then Burstable, then Guaranteed pods, one per round", async () => {
    const node = cluster.nodeName(0);
    const pods = {
      "best-effort": pod("best-effort", {}),
      burstable: pod("burstable", { requests: { memory: "10Mi" }, limits: { memory: "64Mi" } }),
      guaranteed: pod("guaranteed", { requests: { memory: "32Mi", cpu: "50m" }, limits: { memory: "32Mi", cpu: "50m" } }),
    };
    for (const p of Object.values(pods)) await cluster.client.create("pods", p);
    const get = (name: string) => cluster.client.get<Pod>("pods", name, "default");
    await waitFor(async () => (await Promise.all(Object.keys(pods).map(get))).every((p) => p.status?.phase === "Running"), 90_000, "the three pods running");
    expect((await Promise.all(Object.keys(pods).map(get))).map((p) => p.status?.qosClass)).toEqual(["BestEffort", "Burstable", "Guaranteed"]);

    // The same node again, now with a threshold no machine meets: it is under memory pressure at once.
    await cluster.agents.get(node)!.kill("SIGTERM");
    await cluster.startAgent(node, ["--eviction-hard", "memory.available<1000Ti", "--eviction-monitoring-ms", "3000"]);

    const order: string[] = [];
    await waitFor(
      async () => {
        for (const name of Object.keys(pods)) {
          if (order.includes(name)) continue;
          const p = await get(name);
          if (p.status?.phase === "Failed" && p.status.reason === "Evicted") order.push(name);
        }
        return order.length === 3;
      },
      120_000,
      "all three pods evicted",
      250,
    );
    expect(order).toEqual(["best-effort", "burstable", "guaranteed"]);
    const be = await get("best-effort");
    expect(be.status?.message).toMatch(
      /^The node was low on resource: memory\. Threshold quantity: 1000Ti, available: \S+\. Container main was using \S+, request is 0, has larger consumption of memory\./,
    );
    const events = (await cluster.client.list<Event>("events", { namespace: "default" })).items;
    expect(events.some((e) => e.involvedObject.name === "guaranteed" && e.reason === "Evicted" && e.type === "Warning")).toBe(true);
    // The node reports the pressure it acts on (its conditions are measured every 10 s; the three
    // rounds can be over sooner).
    const pressure = async () =>
      (await cluster.client.get<import("@skiff/api").Node>("nodes", node)).status?.conditions?.find((c) => c.type === "MemoryPressure")?.status;
    await waitFor(async () => (await pressure()) === "True", 30_000, "MemoryPressure True").catch(() => undefined);
    expect(await pressure()).toBe("True");
  }, 300_000);
});
