import { describe, it, expect } from "vitest";
import type { ContainerStatus, Pod } from "@skiff/api";
import { podRow, podTable } from "./pods.js";
import { renderTable } from "./render.js";

const now = new Date("2024-05-01T12:00:00Z");
const ago = (s: number) => new Date(now.getTime() - s * 1000).toISOString();

function pod(status: Pod["status"], extra: Partial<Pod["spec"]> = {}, meta: Partial<Pod["metadata"]> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "default", creationTimestamp: ago(192), ...meta },
    spec: { containers: [{ name: "app", image: "nginx" }], nodeName: "node-1", ...extra },
    status,
  };
}

function cs(state: ContainerStatus["state"], o: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name: "app", state, lastState: {}, ready: false, restartCount: 0, image: "nginx", imageID: "", ...o };
}

describe("pod rows", () => {
  it("shows a running, ready pod with its age and wide columns", () => {
    const p = pod({ phase: "Running", podIP: "10.244.0.5", containerStatuses: [cs({ running: { startedAt: ago(100) } }, { ready: true })] });
    expect(podRow(p, now)).toEqual(["web", "1/1", "Running", "0", "3m12s", "10.244.0.5", "node-1", "<none>", "<none>"]);
  });

  it("shows the waiting reason while containers are created", () => {
    const p = pod({ phase: "Pending", containerStatuses: [cs({ waiting: { reason: "ContainerCreating" } })] });
    expect(podRow(p, now).slice(1, 4)).toEqual(["0/1", "ContainerCreating", "0"]);
  });

  it("shows CrashLoopBackOff with the restart count and when the last restart happened", () => {
    const p = pod({
      phase: "Running",
      containerStatuses: [
        cs({ waiting: { reason: "CrashLoopBackOff" } }, { restartCount: 5, lastState: { terminated: { exitCode: 1, reason: "Error", finishedAt: ago(20) } } }),
      ],
    });
    expect(podRow(p, now).slice(1, 4)).toEqual(["0/1", "CrashLoopBackOff", "5 (20s ago)"]);
  });

  it("shows Completed for a pod whose container exited 0", () => {
    const p = pod({ phase: "Succeeded", containerStatuses: [cs({ terminated: { exitCode: 0, reason: "Completed" } })] });
    expect(podRow(p, now).slice(1, 3)).toEqual(["0/1", "Completed"]);
  });

  it("shows Error and OOMKilled terminated reasons, and ExitCode:N without a reason", () => {
    expect(podRow(pod({ phase: "Failed", containerStatuses: [cs({ terminated: { exitCode: 1, reason: "Error" } })] }), now)[2]).toBe("Error");
    expect(podRow(pod({ phase: "Running", containerStatuses: [cs({ terminated: { exitCode: 137, reason: "OOMKilled" } })] }), now)[2]).toBe("OOMKilled");
    expect(podRow(pod({ phase: "Failed", containerStatuses: [cs({ terminated: { exitCode: 3 } })] }), now)[2]).toBe("ExitCode:3");
  });

  it("shows CreateContainerConfigError and ErrImagePull", () => {
    expect(podRow(pod({ phase: "Pending", containerStatuses: [cs({ waiting: { reason: "CreateContainerConfigError" } })] }), now)[2]).toBe(
      "CreateContainerConfigError",
    );
    expect(podRow(pod({ phase: "Pending", containerStatuses: [cs({ waiting: { reason: "ErrImagePull" } })] }), now)[2]).toBe("ErrImagePull");
  });

  it("shows Terminating once a running pod has a deletionTimestamp", () => {
    const p = pod({ phase: "Running", containerStatuses: [cs({ running: {} }, { ready: true })] }, {}, { deletionTimestamp: ago(-30) });
    expect(podRow(p, now).slice(1, 3)).toEqual(["1/1", "Terminating"]);
  });

  it("keeps the terminal phase of a finished pod being deleted", () => {
    const p = pod({ phase: "Succeeded", containerStatuses: [cs({ terminated: { exitCode: 0, reason: "Completed" } })] }, {}, { deletionTimestamp: ago(0) });
    expect(podRow(p, now)[2]).toBe("Completed");
  });

  it("shows Init:0/1 while the init container runs", () => {
    const p = pod(
      {
        phase: "Pending",
        initContainerStatuses: [cs({ running: {} }, { name: "init" })],
        containerStatuses: [cs({ waiting: { reason: "PodInitializing" } })],
      },
      { initContainers: [{ name: "init", image: "busybox" }] },
    );
    expect(podRow(p, now).slice(1, 3)).toEqual(["0/1", "Init:0/1"]);
  });

  it("shows Init:Error and Init:CrashLoopBackOff for failing init containers", () => {
    const spec = { initContainers: [{ name: "init", image: "busybox" }] };
    expect(
      podRow(pod({ phase: "Pending", initContainerStatuses: [cs({ terminated: { exitCode: 1, reason: "Error" } }, { name: "init" })] }, spec), now)[2],
    ).toBe("Init:Error");
    expect(podRow(pod({ phase: "Pending", initContainerStatuses: [cs({ waiting: { reason: "CrashLoopBackOff" } }, { name: "init" })] }, spec), now)[2]).toBe(
      "Init:CrashLoopBackOff",
    );
  });

  it("counts ready containers over all containers and sums restarts", () => {
    const p = pod(
      {
        phase: "Running",
        containerStatuses: [cs({ running: {} }, { ready: true, restartCount: 1 }), cs({ running: {} }, { name: "side", ready: false, restartCount: 2 })],
      },
      {
        containers: [
          { name: "app", image: "a" },
          { name: "side", image: "b" },
        ],
      },
    );
    expect(podRow(p, now).slice(1, 4)).toEqual(["1/2", "Running", "3"]);
  });

  it("falls back to the phase when nothing else is known", () => {
    expect(podRow(pod({ phase: "Pending" }, { nodeName: undefined }), now).slice(1, 7)).toEqual(["0/1", "Pending", "0", "3m12s", "<none>", "<none>"]);
  });
});

describe("pod table", () => {
  it("has kubectl's columns with the wide ones at priority 1", () => {
    const t = podTable([], { now });
    expect(t.kind).toBe("Table");
    expect(t.apiVersion).toBe("meta.k8s.io/v1");
    expect(t.columnDefinitions.filter((c) => c.priority === 0).map((c) => c.name)).toEqual(["Name", "Ready", "Status", "Restarts", "Age"]);
    expect(t.columnDefinitions.filter((c) => c.priority === 1).map((c) => c.name)).toEqual(["IP", "Node", "Nominated Node", "Readiness Gates"]);
  });

  it("renders like kubectl get pods, and with -A and -o wide", () => {
    const p = pod({ phase: "Running", podIP: "10.244.0.5", containerStatuses: [cs({ running: {} }, { ready: true })] });
    const t = podTable([p], { now });
    expect(renderTable(t).text).toBe("NAME   READY   STATUS    RESTARTS   AGE\nweb    1/1     Running   0          3m12s\n");
    expect(renderTable(t, { withNamespace: true }).text.split("\n")[0]).toBe("NAMESPACE   NAME   READY   STATUS    RESTARTS   AGE");
    expect(renderTable(t, { wide: true }).text.split("\n")[1]).toBe(
      "web    1/1     Running   0          3m12s   10.244.0.5   node-1   <none>           <none>",
    );
    expect(renderTable(t, { noHeaders: true }).text).toBe("web   1/1   Running   0     3m12s\n");
  });
});
