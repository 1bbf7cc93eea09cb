import { describe, expect, it } from "vitest";
import { isMirrorPod, type Pod } from "@skiff/api";
import { mirrorPod, mirrorStatus, podHash, staleReason, staticPod, type NodeComponent } from "./static-pods.js";

const proxy: NodeComponent = {
  name: "skiff-proxy",
  container: "proxy",
  command: ["/usr/bin/node", "/opt/skiff/services/proxy/dist/main.js", "--listen", "unix:/run/p.sock"],
  stateFile: "/run/proxy.json",
  logFile: "/run/proxy.log",
};
const node = { name: "n1", uid: "uid-1" };
const T0 = "2026-01-01T00:00:00Z";

describe("mirror pods of node processes", () => {
  it("builds a kube-system pod named <static>-<node>, bound, host-network, tolerating NoExecute", () => {
    const sp = staticPod(proxy, "n1", "v1.32.0-skiff");
    expect(sp.metadata).toMatchObject({ name: "skiff-proxy-n1", namespace: "kube-system", labels: { component: "skiff-proxy", tier: "node" } });
    expect(sp.spec).toMatchObject({ nodeName: "n1", hostNetwork: true, restartPolicy: "Always", priorityClassName: "system-node-critical" });
    expect(sp.spec.containers).toEqual([{ name: "proxy", image: "skiff/proxy:v1.32.0-skiff", command: proxy.command }]);
    expect(sp.spec.tolerations).toEqual([{ operator: "Exists", effect: "NoExecute" }]);
  });

  it("gives the mirror pod the hash annotations and its Node as controller owner", () => {
    const sp = staticPod(proxy, "n1", "v");
    const m = mirrorPod(sp, node, T0);
    expect(isMirrorPod(m)).toBe(true);
    expect(m.metadata.annotations).toEqual({
      "kubernetes.io/config.hash": podHash(sp),
      "kubernetes.io/config.mirror": podHash(sp),
      "kubernetes.io/config.source": "file",
      "kubernetes.io/config.seen": T0,
    });
    expect(m.metadata.ownerReferences).toEqual([{ apiVersion: "v1", kind: "Node", name: "n1", uid: "uid-1", controller: true }]);
    expect(isMirrorPod(sp)).toBe(false);
  });

  it("changes the hash with the command line, not with the time it was seen", () => {
    const a = staticPod(proxy, "n1", "v");
    const b = staticPod({ ...proxy, command: [...proxy.command, "--prefer-close"] }, "n1", "v");
    expect(podHash(a)).not.toBe(podHash(b));
    expect(mirrorPod(a, node, T0).metadata.annotations!["kubernetes.io/config.mirror"]).toBe(
      mirrorPod(a, node, "2027-01-01T00:00:00Z").metadata.annotations!["kubernetes.io/config.mirror"],
    );
  });

  it("says when a mirror pod must be replaced: deleted, static pod changed, Node replaced", () => {
    const want = mirrorPod(staticPod(proxy, "n1", "v"), node, T0);
    const cur = structuredClone(want) as Pod;
    expect(staleReason(cur, want)).toBeUndefined();
    expect(staleReason({ ...cur, metadata: { ...cur.metadata, deletionTimestamp: T0 } }, want)).toBe("deleted through the API");
    const changed = mirrorPod(staticPod({ ...proxy, command: ["x"] }, "n1", "v"), node, T0);
    expect(staleReason(cur, changed)).toBe("its static pod changed");
    expect(staleReason(cur, mirrorPod(staticPod(proxy, "n1", "v"), { name: "n1", uid: "uid-2" }, T0))).toBe("its Node was replaced");
  });

  it("reports a running process as a Running, Ready pod on the node's IP", () => {
    const pod = mirrorPod(staticPod(proxy, "n1", "v"), node, T0);
    const st = mirrorStatus(pod, { pid: 42, startedAt: T0 }, "10.0.0.5", T0);
    expect(st).toMatchObject({ phase: "Running", podIP: "10.0.0.5", podIPs: [{ ip: "10.0.0.5" }], hostIP: "10.0.0.5", qosClass: "BestEffort" });
    expect(st.conditions!.find((c) => c.type === "Ready")!.status).toBe("True");
    expect(st.containerStatuses).toEqual([
      {
        name: "proxy",
        state: { running: { startedAt: T0 } },
        lastState: {},
        ready: true,
        started: true,
        restartCount: 0,
        image: "skiff/proxy:v",
        imageID: "",
        containerID: "process://42",
      },
    ]);
  });

  it("reports a process that went down as not Ready, and a new pid as a restart", () => {
    const pod = mirrorPod(staticPod(proxy, "n1", "v"), node, T0);
    pod.status = mirrorStatus(pod, { pid: 42, startedAt: T0 }, "10.0.0.5", T0);
    const down = mirrorStatus(pod, {}, "10.0.0.5", "2026-01-01T00:01:00Z");
    expect(down.phase).toBe("Running");
    expect(down.conditions!.find((c) => c.type === "Ready")).toMatchObject({ status: "False", reason: "ContainersNotReady" });
    expect(down.containerStatuses![0]).toMatchObject({
      ready: false,
      containerID: "process://42",
      state: { terminated: { exitCode: 137, reason: "ContainerStatusUnknown", containerID: "process://42" } },
    });
    const again = mirrorStatus(pod, { pid: 77, startedAt: "2026-01-01T00:02:00Z" }, "10.0.0.5", "2026-01-01T00:02:00Z");
    expect(again.containerStatuses![0]).toMatchObject({
      ready: true,
      restartCount: 1,
      containerID: "process://77",
      lastState: { terminated: { exitCode: 137, containerID: "process://42" } },
    });
  });

  it("reports a process that never started as Pending", () => {
    const pod = mirrorPod(staticPod(proxy, "n1", "v"), node, T0);
    expect(mirrorStatus(pod, {}, "10.0.0.5", T0).phase).toBe("Pending");
  });
});
