// A pod goes from the API to a running Docker container and back, across real processes:
// nats-server, apiserver, scheduler, controller-manager and a node agent on the real engine.
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitFor } from "@skiff/client";
import type { Pod, Event } from "@skiff/api";
import { TestCluster } from "../harness/cluster.js";

const IMAGE = "skiff/busybox:1.35";

function pod(name: string, spec: Partial<Pod["spec"]> = {}, labels: Record<string, string> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", labels },
    spec: {
      containers: [{ name: "main", image: IMAGE, command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"] }],
      terminationGracePeriodSeconds: 5,
      ...spec,
    },
  };
}

function inspect(id: string): { HostConfig: { Memory: number; NanoCpus: number; CpuShares: number }; Config: { Labels: Record<string, string> } } {
  return JSON.parse(execFileSync("docker", ["inspect", id], { encoding: "utf8" }))[0];
}

describe("pods on a real node", () => {
  const cluster = new TestCluster({ nodes: 1 });
  beforeAll(async () => {
    await cluster.start();
  });
  afterAll(async () => {
    await cluster.stop();
  });

  it("runs a pod's container with its memory and CPU limits, reports Running with a pod IP, and removes it on delete", async () => {
    const { client } = cluster;
    await client.create("pods", {
      ...pod("limited"),
      spec: {
        ...pod("limited").spec,
        containers: [
          {
            name: "main",
            image: IMAGE,
            command: ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"],
            resources: { requests: { cpu: "250m", memory: "32Mi" }, limits: { cpu: "500m", memory: "64Mi" } },
          },
        ],
      },
    });
    const running = await waitFor(
      async () => {
        const p = await client.get<Pod>("pods", "limited", "default");
        return p.status?.phase === "Running" ? p : undefined;
      },
      60_000,
      "pod Running",
    );
    expect(running.spec.nodeName).toBe(cluster.nodeName(0));
    expect(running.status!.podIP).toMatch(new RegExp(`^10\\.${cluster.clusterCidr.split(".")[1]}\\.`));
    expect(running.status!.hostIP).toBeTruthy();
    expect(running.status!.qosClass).toBe("Burstable");
    const cs = running.status!.containerStatuses![0];
    expect(cs.ready).toBe(true);
    expect(cs.state.running).toBeDefined();
    expect(running.status!.conditions!.find((c) => c.type === "Ready")!.status).toBe("True");

    const containers = cluster.containers({ "io.kubernetes.pod.name": "limited" });
    expect(containers).toHaveLength(2); // the sandbox and the app container
    const app = inspect(cs.containerID!.replace("docker://", ""));
    expect(app.HostConfig.Memory).toBe(64 * 1024 * 1024);
    expect(app.HostConfig.NanoCpus).toBe(500_000_000);
    expect(app.HostConfig.CpuShares).toBe(256);
    expect(app.Config.Labels["io.kubernetes.pod.uid"]).toBe(running.metadata.uid);
    expect(app.Config.Labels["io.kubernetes.container.name"]).toBe("main");

    const events = await waitFor(
      async () => {
        const evs = (await client.list<Event>("events", { namespace: "default", fieldSelector: "involvedObject.name=limited" })).items;
        const reasons = evs.map((e) => e.reason);
        return reasons.includes("Scheduled") && reasons.includes("Started") ? reasons : undefined;
      },
      10_000,
      "Scheduled and Started events",
    );
    expect(events).toContain("Created");

    const res = await client.delete("pods", "limited", "default");
    expect(res.finished).toBe(false); // the node stops it gracefully first
    await waitFor(
      async () =>
        client.get("pods", "limited", "default").then(
          () => false,
          (e) => e.reason === "NotFound",
        ),
      30_000,
      "pod gone",
    );
    expect(cluster.containers({ "io.kubernetes.pod.name": "limited" })).toHaveLength(0);
  });

  it("keeps a pod whose requests fit no node Pending with a FailedScheduling event", async () => {
    const { client } = cluster;
    await client.create("pods", {
      ...pod("huge"),
      spec: { ...pod("huge").spec, containers: [{ name: "main", image: IMAGE, resources: { requests: { cpu: "64", memory: "1Ti" } } }] },
    });
    const ev = await waitFor(
      async () => {
        const evs = (await client.list<Event>("events", { namespace: "default", fieldSelector: "involvedObject.name=huge,reason=FailedScheduling" })).items;
        return evs[0];
      },
      20_000,
      "FailedScheduling event",
    );
    expect(ev.type).toBe("Warning");
    expect(ev.message).toMatch(/0\/1 nodes are available: .*Insufficient cpu/);
    const p = await client.get<Pod>("pods", "huge", "default");
    expect(p.status?.phase).toBe("Pending");
    expect(p.spec.nodeName).toBeFalsy();
    expect(p.status?.conditions?.find((c) => c.type === "PodScheduled")).toMatchObject({ status: "False", reason: "Unschedulable" });
    await client.delete("pods", "huge", "default");
  });

  it("restarts an exited container per restartPolicy and counts restarts", async () => {
    const { client } = cluster;
    await client.create("pods", {
      ...pod("crasher"),
      spec: { ...pod("crasher").spec, restartPolicy: "Always", containers: [{ name: "main", image: IMAGE, command: ["sh", "-c", "exit 3"] }] },
    });
    const p = await waitFor(
      async () => {
        const x = await client.get<Pod>("pods", "crasher", "default");
        return (x.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 2 ? x : undefined;
      },
      60_000,
      "two restarts",
    );
    const cs = p.status!.containerStatuses![0];
    expect(cs.lastState.terminated).toMatchObject({ exitCode: 3, reason: "Error" });
    // Only the current and the previous instance are kept, plus the sandbox.
    expect(cluster.containers({ "io.kubernetes.pod.name": "crasher" }).length).toBeLessThanOrEqual(3);

    await client.create("pods", {
      ...pod("once"),
      spec: { ...pod("once").spec, restartPolicy: "Never", containers: [{ name: "main", image: IMAGE, command: ["sh", "-c", "exit 0"] }] },
    });
    const done = await waitFor(
      async () => {
        const x = await client.get<Pod>("pods", "once", "default");
        return x.status?.phase === "Succeeded" ? x : undefined;
      },
      30_000,
      "pod Succeeded",
    );
    expect(done.status!.containerStatuses![0].state.terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    await client.delete("pods", "crasher", "default", { gracePeriodSeconds: 0 });
    await client.delete("pods", "once", "default");
  });

  it("reports ErrImagePull with the engine's message for an image that cannot be pulled", async () => {
    const { client } = cluster;
    await client.create("pods", {
      ...pod("nopull"),
      spec: {
        ...pod("nopull").spec,
        containers: [{ name: "main", image: "127.0.0.1:1/skiff/absent:1.0" /* a registry on a closed loopback port: fails without leaving the machine */ }],
      },
    });
    const p = await waitFor(
      async () => {
        const x = await client.get<Pod>("pods", "nopull", "default");
        const r = x.status?.containerStatuses?.[0]?.state.waiting?.reason;
        return r === "ErrImagePull" || r === "ImagePullBackOff" ? x : undefined;
      },
      60_000,
      "ErrImagePull",
    );
    expect(p.status!.phase).toBe("Pending");
    expect(p.status!.containerStatuses![0].state.waiting!.message).toBeTruthy();
    await client.delete("pods", "nopull", "default");
  });
});
