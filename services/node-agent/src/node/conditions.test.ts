import { describe, expect, it, vi } from "vitest";
import { silentLogger } from "@skiff/log";
import { NotFoundError, type Node } from "@skiff/api";
import { FakeRuntime } from "../runtime/fake.js";
import { NodeRegistrar } from "./node.js";
import { DEFAULT_EVICTION_HARD, parseEvictionHard, pressureConditions, readyCondition } from "./conditions.js";

describe("node conditions from measurements", () => {
  it("reads the kubelet's --eviction-hard syntax", () => {
    expect(parseEvictionHard(DEFAULT_EVICTION_HARD)).toEqual({ memoryAvailableBytes: 100 * 1024 * 1024, nodefsAvailablePct: 10, nodefsInodesFreePct: 5 });
    expect(() => parseEvictionHard("memory.available>1Gi")).toThrow(/--eviction-hard/);
    expect(() => parseEvictionHard("imagefs.available<15%")).toThrow(/unsupported/);
  });

  it("pressure turns True below a threshold, with the kubelet's reasons", () => {
    const t = parseEvictionHard(DEFAULT_EVICTION_HARD);
    const ok = pressureConditions({ memoryAvailableBytes: 2 ** 30, nodefsAvailablePct: 50, nodefsInodesFreePct: 50 }, t);
    expect([ok.MemoryPressure.status, ok.DiskPressure.status, ok.PIDPressure.status]).toEqual(["False", "False", "False"]);
    const low = pressureConditions({ memoryAvailableBytes: 50 * 2 ** 20, nodefsAvailablePct: 8, nodefsInodesFreePct: 50 }, t);
    expect(low.MemoryPressure).toEqual({ status: "True", reason: "KubeletHasInsufficientMemory", message: "kubelet has insufficient memory available" });
    expect(low.DiskPressure).toEqual({ status: "True", reason: "KubeletHasDiskPressure", message: "kubelet has disk pressure" });
    expect(pressureConditions({ nodefsInodesFreePct: 1 }, t).DiskPressure.status).toBe("True");
    expect(readyCondition("connect ENOENT /var/run/docker.sock")).toEqual({
      status: "False",
      reason: "KubeletNotReady",
      message: "container runtime is down: connect ENOENT /var/run/docker.sock",
    });
  });

  it("a runtime that stops answering makes the Node NotReady with the reason; Ready again when it answers", async () => {
    const runtime = new FakeRuntime({ cpus: 2, memoryBytes: 4 * 2 ** 30 });
    let stored: Node | undefined;
    const client = {
      get: async () => {
        if (!stored) throw new NotFoundError("nodes", "n1");
        return structuredClone(stored);
      },
      create: async (_r: string, n: Node) => (stored = { ...structuredClone(n), metadata: { ...n.metadata, resourceVersion: "1" } }),
      updateStatus: async (_r: string, n: Node) => (stored = structuredClone(n)),
    };
    const nc = { publish: () => undefined };
    const reg = new NodeRegistrar(
      client as never,
      runtime,
      nc as never,
      {
        nodeName: "n1",
        nodeIP: "127.0.0.9",
        labels: {},
        reservedCpu: "0",
        reservedMemory: "0",
        maxPods: 10,
        heartbeatMs: 60_000,
        statusMs: 60_000,
        version: "v1",
        evictionHard: parseEvictionHard("memory.available<1Ki"),
      },
      silentLogger(),
    );
    await reg.start();
    reg.stop();
    const ready = () => stored!.status!.conditions!.find((c) => c.type === "Ready")!;
    expect(ready().status).toBe("True");
    const info = vi.spyOn(runtime, "info").mockRejectedValue(new Error("Cannot connect to the Docker daemon"));
    await reg.checkConditions();
    expect(ready()).toMatchObject({ status: "False", reason: "KubeletNotReady", message: "container runtime is down: Cannot connect to the Docker daemon" });
    expect(stored!.status!.capacity!.cpu).toBe("2"); // machine facts kept while the runtime is down
    info.mockRestore();
    await reg.checkConditions();
    expect(ready()).toMatchObject({ status: "True", reason: "KubeletReady" });
  });
});
