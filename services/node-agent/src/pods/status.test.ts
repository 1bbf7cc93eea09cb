import { describe, it, expect } from "vitest";
import type { Pod, PodStatus } from "@skiff/api";
import type { RuntimeContainer } from "../runtime/runtime.js";
import { computeStatus, containerStatuses, podPhase, stateOf, statusChanged, type ContainerView, type InitProgress } from "./status.js";

let seq = 0;
function rc(state: RuntimeContainer["state"], extra: Partial<RuntimeContainer> = {}): RuntimeContainer {
  seq++;
  return {
    id: `c${seq}`,
    name: `n${seq}`,
    image: "img",
    imageId: "sha256:abc",
    labels: {},
    state,
    exitCode: 0,
    oomKilled: false,
    error: "",
    createdAt: "2024-01-01T00:00:00Z",
    startedAt: "2024-01-01T00:00:01Z",
    ...(state === "exited" ? { finishedAt: "2024-01-01T00:00:05Z" } : {}),
    ...extra,
  };
}
const exited = (exitCode: number, extra: Partial<RuntimeContainer> = {}) => rc("exited", { exitCode, ...extra });

function pod(spec: Partial<Pod["spec"]> = {}, status?: PodStatus): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", uid: "u1" },
    spec: { containers: [{ name: "a", image: "img" }], ...spec },
    ...(status ? { status } : {}),
  };
}
const view = (name: string, current?: RuntimeContainer, extra: Partial<ContainerView> = {}): ContainerView => ({
  name,
  image: "img",
  current,
  restartCount: 0,
  ...extra,
});
const cond = (s: PodStatus, type: string) => s.conditions!.find((c) => c.type === type)!;

describe("stateOf", () => {
  it("maps running, exited (Completed / Error / OOMKilled) and not-yet-created containers", () => {
    expect(stateOf(rc("running")).running).toEqual({ startedAt: "2024-01-01T00:00:01Z" });
    expect(stateOf(exited(0)).terminated).toMatchObject({ exitCode: 0, reason: "Completed" });
    expect(stateOf(exited(1)).terminated).toMatchObject({ exitCode: 1, reason: "Error" });
    expect(stateOf(exited(137, { oomKilled: true })).terminated).toMatchObject({ exitCode: 137, reason: "OOMKilled" });
    expect(stateOf(undefined)).toEqual({ waiting: { reason: "ContainerCreating" } });
  });

  it("prefers the agent's waiting reason unless the container runs", () => {
    const w = { reason: "CrashLoopBackOff", message: "back-off 10s" };
    expect(stateOf(exited(1), w)).toEqual({ waiting: w });
    expect(stateOf(rc("running"), w).running).toBeDefined();
  });

  it("carries the termination message; an engine error wins over it", () => {
    const c = exited(3);
    expect(stateOf(c, undefined, { [c.id]: "bye" }).terminated?.message).toBe("bye");
    const broken = exited(127, { error: "exec: not found" });
    expect(stateOf(broken, undefined, { [broken.id]: "bye" }).terminated?.message).toBe("exec: not found");
  });
});

describe("containerStatuses", () => {
  it("keeps lastState from the previous instance and counts restarts", () => {
    const prev = exited(1);
    const [s] = containerStatuses([view("a", rc("running"), { previous: prev, restartCount: 2, messages: { [prev.id]: "oops" } })]);
    expect(s.restartCount).toBe(2);
    expect(s.lastState.terminated).toMatchObject({ exitCode: 1, reason: "Error", message: "oops" });
    expect(s.ready).toBe(true);
    expect(s.started).toBe(true);
  });

  it("an app container is ready only when running and its readiness agrees; started follows the startup probe", () => {
    const [notReady] = containerStatuses([view("a", rc("running"), { ready: false, started: false })]);
    expect(notReady.ready).toBe(false);
    expect(notReady.started).toBe(false);
    expect(containerStatuses([view("a", exited(0))])[0].ready).toBe(false);
  });

  it("an init container is ready once it completed successfully", () => {
    const [ok, failed] = containerStatuses([view("i1", exited(0)), view("i2", exited(2))], true);
    expect(ok.ready).toBe(true);
    expect(failed.ready).toBe(false);
  });
});

describe("podPhase", () => {
  const phase = (policy: "Always" | "OnFailure" | "Never", ...cs: (RuntimeContainer | undefined)[]) => {
    const views = cs.map((c, i) => view(`c${i}`, c));
    return podPhase(pod({ restartPolicy: policy }), containerStatuses(views));
  };

  it("is Pending while a container has never started, Running while any runs", () => {
    expect(phase("Always", undefined)).toBe("Pending");
    expect(phase("Always", rc("running"), undefined)).toBe("Pending");
    expect(phase("Never", rc("running"), exited(0))).toBe("Running");
  });

  it("ends by restartPolicy: Never fails on any error, OnFailure succeeds when all succeeded, Always keeps running", () => {
    expect(phase("Never", exited(0), exited(1))).toBe("Failed");
    expect(phase("Never", exited(0), exited(0))).toBe("Succeeded");
    expect(phase("OnFailure", exited(0))).toBe("Succeeded");
    expect(phase("OnFailure", exited(1))).toBe("Running");
    expect(phase("Always", exited(0))).toBe("Running");
  });

  it("a crashed container waiting to restart keeps the pod Running", () => {
    const statuses = containerStatuses([view("a", exited(1), { previous: exited(1), waiting: { reason: "CrashLoopBackOff" } })]);
    expect(podPhase(pod(), statuses)).toBe("Running");
  });
});

describe("computeStatus", () => {
  it("a running, ready pod: Running with every condition True, QoS and IPs", () => {
    const s = computeStatus(pod(), [view("a", rc("running"))], "10.1.0.5", "127.0.0.1");
    expect(s.phase).toBe("Running");
    expect(s.podIP).toBe("10.1.0.5");
    expect(s.hostIP).toBe("127.0.0.1");
    expect(s.qosClass).toBe("BestEffort");
    for (const t of ["PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled"]) expect(cond(s, t).status).toBe("True");
  });

  it("an unready container makes Ready and ContainersReady False, naming it", () => {
    const s = computeStatus(pod(), [view("a", rc("running"), { ready: false })], "10.1.0.5", "h");
    expect(cond(s, "Ready")).toMatchObject({ status: "False", reason: "ContainersNotReady", message: "containers with unready status: [a]" });
    expect(cond(s, "ContainersReady").status).toBe("False");
  });

  it("init containers in progress: Pending, Initialized False naming the incomplete ones", () => {
    const init: InitProgress = { views: [view("i1", exited(0)), view("i2", rc("running"))], done: false, failed: false };
    const s = computeStatus(pod(), [view("a", undefined, { waiting: { reason: "PodInitializing" } })], "10.1.0.5", "h", init);
    expect(s.phase).toBe("Pending");
    expect(cond(s, "Initialized")).toMatchObject({ status: "False", reason: "ContainersNotInitialized", message: "containers with incomplete status: [i2]" });
    expect(s.initContainerStatuses!.map((x) => x.ready)).toEqual([true, false]);
    expect(s.containerStatuses![0].state.waiting?.reason).toBe("PodInitializing");
  });

  it("a failing init container under Always shows CrashLoopBackOff with lastState and keeps the pod Pending", () => {
    const init: InitProgress = {
      views: [view("i1", exited(1), { previous: exited(1), restartCount: 3, waiting: { reason: "CrashLoopBackOff", message: "back-off 20s" } })],
      done: false,
      failed: false,
    };
    const s = computeStatus(pod(), [view("a", undefined, { waiting: { reason: "PodInitializing" } })], "10.1.0.5", "h", init);
    expect(s.phase).toBe("Pending");
    const i = s.initContainerStatuses![0];
    expect(i.state.waiting).toEqual({ reason: "CrashLoopBackOff", message: "back-off 20s" });
    expect(i.lastState.terminated?.exitCode).toBe(1);
    expect(i.restartCount).toBe(3);
  });

  it("a failed init container that will not be retried fails the pod", () => {
    const init: InitProgress = { views: [view("i1", exited(2))], done: false, failed: true };
    const s = computeStatus(pod({ restartPolicy: "Never" }), [view("a", undefined, { waiting: { reason: "PodInitializing" } })], undefined, "h", init);
    expect(s.phase).toBe("Failed");
    expect(cond(s, "PodReadyToStartContainers").status).toBe("False");
    expect(s.podIP).toBeUndefined();
  });

  it("terminal pods are not Ready, with reason PodCompleted", () => {
    const s = computeStatus(pod({ restartPolicy: "Never" }), [view("a", exited(0))], "10.1.0.5", "h");
    expect(s.phase).toBe("Succeeded");
    expect(cond(s, "Ready")).toMatchObject({ status: "False", reason: "PodCompleted" });
    expect(cond(s, "ContainersReady")).toMatchObject({ status: "False", reason: "PodCompleted" });
  });

  it("readiness gates hold Ready until their condition is True", () => {
    const spec = { readinessGates: [{ conditionType: "example.com/lb" }] } as Partial<Pod["spec"]>;
    const waiting = computeStatus(pod(spec), [view("a", rc("running"))], "10.1.0.5", "h");
    expect(cond(waiting, "ContainersReady").status).toBe("True");
    expect(cond(waiting, "Ready")).toMatchObject({ status: "False", reason: "ReadinessGatesNotReady" });
    // Someone else sets the gate's condition; the agent keeps it and Ready follows.
    const gated = pod(spec, { conditions: [{ type: "example.com/lb", status: "True" }] });
    const s = computeStatus(gated, [view("a", rc("running"))], "10.1.0.5", "h");
    expect(cond(s, "Ready").status).toBe("True");
    expect(cond(s, "example.com/lb").status).toBe("True");
  });

  it("an evicted pod is Failed with reason Evicted, its message and a DisruptionTarget condition", () => {
    const msg = 'Usage of EmptyDir volume "x" exceeds the limit "1Mi".';
    const s = computeStatus(pod(), [view("a", exited(137))], "10.1.0.5", "h", undefined, msg);
    expect(s).toMatchObject({ phase: "Failed", reason: "Evicted", message: msg });
    expect(cond(s, "DisruptionTarget")).toMatchObject({ status: "True", reason: "TerminationByKubelet", message: msg });
    expect(cond(s, "Ready").status).toBe("False");
  });

  it("a pod past its activeDeadlineSeconds is Failed with reason DeadlineExceeded (no DisruptionTarget)", () => {
    const s = computeStatus(pod(), [view("a", exited(137))], "10.1.0.5", "h", undefined, {
      reason: "DeadlineExceeded",
      message: "Pod was active on the node longer than the specified deadline",
    });
    expect(s).toMatchObject({ phase: "Failed", reason: "DeadlineExceeded", message: "Pod was active on the node longer than the specified deadline" });
    expect(s.conditions?.some((c) => c.type === "DisruptionTarget")).toBe(false);
  });

  it("keeps startTime and the transition time of unchanged conditions; statusChanged ignores timestamps", () => {
    const first = computeStatus(pod(), [view("a", rc("running"))], "10.1.0.5", "h");
    const old = {
      ...first,
      startTime: "2020-01-01T00:00:00Z",
      conditions: first.conditions!.map((c) => ({ ...c, lastTransitionTime: "2020-01-01T00:00:00Z" })),
    };
    const again = computeStatus(pod({}, old), [view("a", rc("running"), { ready: false })], "10.1.0.5", "h");
    expect(again.startTime).toBe("2020-01-01T00:00:00Z");
    expect(cond(again, "PodScheduled").lastTransitionTime).toBe("2020-01-01T00:00:00Z");
    expect(cond(again, "Ready").lastTransitionTime).not.toBe("2020-01-01T00:00:00Z");
    expect(statusChanged(old, { ...old, conditions: old.conditions.map((c) => ({ ...c, lastTransitionTime: "2030-01-01T00:00:00Z" })) })).toBe(false);
    expect(statusChanged(old, again)).toBe(true);
  });
});
