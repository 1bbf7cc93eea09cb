import { describe, it, expect } from "vitest";
import { defaultPod, podQOSClass, podRequests, defaultNode, defaultNamespace, defaultEvent, defaultTolerationSeconds } from "./defaults.js";
import type { Container, Event, Namespace, Node, Pod } from "./types.js";

function pod(containers: Partial<Container>[], extra: Partial<Pod["spec"]> = {}): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default" },
    spec: { containers: containers.map((c, i) => ({ name: `c${i}`, image: "nginx:1.25", ...c })), ...extra },
  };
}

const res = (requests?: Record<string, string>, limits?: Record<string, string>) => ({ resources: { requests, limits } });

describe("defaultPod", () => {
  it("fills pod-level defaults", () => {
    const p = pod([{}]);
    defaultPod(p);
    expect(p.spec.restartPolicy).toBe("Always");
    expect(p.spec.terminationGracePeriodSeconds).toBe(30);
    expect(p.spec.schedulerName).toBe("default-scheduler");
    expect(p.spec.dnsPolicy).toBe("ClusterFirst");
    expect(p.spec.enableServiceLinks).toBe(true);
    expect(p.status).toEqual({ phase: "Pending", qosClass: "BestEffort" });
  });

  it("keeps values that are set", () => {
    const p = pod([{ imagePullPolicy: "Never" }], {
      restartPolicy: "Never",
      terminationGracePeriodSeconds: 0,
      schedulerName: "mine",
      dnsPolicy: "Default",
      enableServiceLinks: false,
    });
    defaultPod(p);
    expect(p.spec.restartPolicy).toBe("Never");
    expect(p.spec.terminationGracePeriodSeconds).toBe(0);
    expect(p.spec.schedulerName).toBe("mine");
    expect(p.spec.dnsPolicy).toBe("Default");
    expect(p.spec.enableServiceLinks).toBe(false);
    expect(p.spec.containers[0].imagePullPolicy).toBe("Never");
  });

  it("chooses the pull policy from the image tag", () => {
    const images = {
      nginx: "Always",
      "nginx:latest": "Always",
      "nginx:1.25": "IfNotPresent",
      "registry.local:5000/team/app": "Always",
      "registry.local:5000/team/app:v2": "IfNotPresent",
      "registry.local:5000/team/app:latest": "Always",
      "nginx@sha256:0123abcd": "IfNotPresent",
      "nginx:1.25@sha256:0123abcd": "IfNotPresent",
    };
    for (const [image, policy] of Object.entries(images)) {
      const p = pod([{ image }]);
      defaultPod(p);
      expect([image, p.spec.containers[0].imagePullPolicy]).toEqual([image, policy]);
    }
  });

  it("defaults container fields, init containers included", () => {
    const p = pod([{ ports: [{ containerPort: 80 }, { containerPort: 53, protocol: "UDP" }] }], { initContainers: [{ name: "init", image: "busybox" }] });
    defaultPod(p);
    const c = p.spec.containers[0];
    expect(c.ports).toEqual([
      { containerPort: 80, protocol: "TCP" },
      { containerPort: 53, protocol: "UDP" },
    ]);
    expect(c.terminationMessagePath).toBe("/dev/termination-log");
    expect(c.terminationMessagePolicy).toBe("File");
    const init = p.spec.initContainers![0];
    expect(init.imagePullPolicy).toBe("Always");
    expect(init.terminationMessagePath).toBe("/dev/termination-log");
    expect(init.terminationMessagePolicy).toBe("File");
  });

  it("defaults requests to limits when a request is missing", () => {
    const p = pod([res(undefined, { cpu: "500m", memory: "128Mi" }), res({ cpu: "100m" }, { cpu: "1", memory: "1Gi" })]);
    defaultPod(p);
    expect(p.spec.containers[0].resources!.requests).toEqual({ cpu: "500m", memory: "128Mi" });
    expect(p.spec.containers[1].resources!.requests).toEqual({ cpu: "100m", memory: "1Gi" });
  });

  it("adds the not-ready and unreachable tolerations", () => {
    const p = pod([{}]);
    defaultPod(p);
    expect(p.spec.tolerations).toEqual([
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 20 },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 20 },
    ]);
    expect(defaultTolerationSeconds).toBe(20);
  });

  it("does not add a default toleration the pod already has", () => {
    const own = { key: "node.kubernetes.io/not-ready", operator: "Exists" as const, effect: "NoExecute" as const, tolerationSeconds: 10 };
    const p = pod([{}], { tolerations: [own] });
    defaultPod(p);
    expect(p.spec.tolerations).toEqual([own, { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute", tolerationSeconds: 20 }]);
    // Tolerating everything covers both taints.
    const all = pod([{}], { tolerations: [{ operator: "Exists" }] });
    defaultPod(all);
    expect(all.spec.tolerations).toEqual([{ operator: "Exists" }]);
  });

  it("is idempotent", () => {
    const p = pod([res(undefined, { cpu: "1", memory: "1Gi" })]);
    defaultPod(p);
    const once = structuredClone(p);
    defaultPod(p);
    expect(p).toEqual(once);
  });

  it("keeps an existing status but fills its QoS class", () => {
    const p = pod([{}]);
    p.status = { phase: "Running" };
    defaultPod(p);
    expect(p.status).toEqual({ phase: "Running", qosClass: "BestEffort" });
  });

  it("sets the QoS class after defaulting requests", () => {
    const p = pod([res(undefined, { cpu: "1", memory: "1Gi" })]);
    defaultPod(p);
    expect(p.status?.qosClass).toBe("Guaranteed");
  });
});

describe("podQOSClass", () => {
  it("is BestEffort without requests or limits", () => {
    expect(podQOSClass(pod([{}, {}]))).toBe("BestEffort");
    // Resources other than cpu and memory do not count.
    expect(podQOSClass(pod([res({ "ephemeral-storage": "1Gi" })]))).toBe("BestEffort");
    expect(podQOSClass(pod([res({ cpu: "0" })]))).toBe("BestEffort");
  });

  it("is Guaranteed when every container's limits equal its requests", () => {
    expect(podQOSClass(pod([res({ cpu: "1", memory: "1Gi" }, { cpu: "1000m", memory: "1024Mi" })]))).toBe("Guaranteed");
    expect(podQOSClass(pod([res(undefined, { cpu: "1", memory: "1Gi" }), res(undefined, { cpu: "2", memory: "2Gi" })]))).toBe("Guaranteed");
  });

  it("is Burstable otherwise", () => {
    expect(podQOSClass(pod([res({ cpu: "500m" }, { cpu: "1", memory: "1Gi" })]))).toBe("Burstable");
    expect(podQOSClass(pod([res({ cpu: "1" })]))).toBe("Burstable");
    // Only a cpu limit: not Guaranteed.
    expect(podQOSClass(pod([res(undefined, { cpu: "1" })]))).toBe("Burstable");
    // One container without limits spoils it for the pod.
    expect(podQOSClass(pod([res(undefined, { cpu: "1", memory: "1Gi" }), {}]))).toBe("Burstable");
  });

  it("counts init containers", () => {
    const p = pod([res(undefined, { cpu: "1", memory: "1Gi" })], { initContainers: [{ name: "init", image: "busybox", ...res({ cpu: "100m" }) }] });
    expect(podQOSClass(p)).toBe("Burstable");
  });
});

describe("podRequests", () => {
  it("sums the containers' requests", () => {
    expect(podRequests(pod([res({ cpu: "250m", memory: "64Mi" }), res({ cpu: "1", memory: "1Gi" })]))).toEqual({
      milliCpu: 1250,
      memory: 64 * 1024 ** 2 + 1024 ** 3,
    });
  });

  it("is zero without requests", () => {
    expect(podRequests(pod([{}]))).toEqual({ milliCpu: 0, memory: 0 });
  });

  it("uses limits where requests are missing, as defaulting would", () => {
    expect(podRequests(pod([res(undefined, { cpu: "2", memory: "1G" })]))).toEqual({ milliCpu: 2000, memory: 1e9 });
  });

  it("takes the largest init container when it exceeds the sum", () => {
    const p = pod([res({ cpu: "100m", memory: "100Mi" }), res({ cpu: "100m", memory: "100Mi" })], {
      initContainers: [
        { name: "i1", image: "x", ...res({ cpu: "500m", memory: "10Mi" }) },
        { name: "i2", image: "x", ...res({ cpu: "50m", memory: "300Mi" }) },
      ],
    });
    expect(podRequests(p)).toEqual({ milliCpu: 500, memory: 300 * 1024 ** 2 });
    const small = pod([res({ cpu: "1" })], { initContainers: [{ name: "i", image: "x", ...res({ cpu: "500m" }) }] });
    expect(podRequests(small).milliCpu).toBe(1000);
  });

  it("counts invalid quantities as zero instead of throwing", () => {
    expect(podRequests(pod([res({ cpu: "lots", memory: "1Ki" })]))).toEqual({ milliCpu: 0, memory: 1024 });
  });
});

describe("defaultNode", () => {
  it("adds an empty spec and copies capacity to allocatable when unset", () => {
    const n = { apiVersion: "v1", kind: "Node", metadata: { name: "n" }, status: { capacity: { cpu: "4", memory: "8Gi" } } } as unknown as Node;
    defaultNode(n);
    expect(n.spec).toEqual({});
    expect(n.status!.allocatable).toEqual({ cpu: "4", memory: "8Gi" });
    n.status!.capacity!.cpu = "8";
    expect(n.status!.allocatable!.cpu).toBe("4");
  });

  it("keeps allocatable that is set", () => {
    const n: Node = {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "n" },
      spec: { unschedulable: true },
      status: { capacity: { cpu: "4" }, allocatable: { cpu: "3" } },
    };
    defaultNode(n);
    expect(n.spec).toEqual({ unschedulable: true });
    expect(n.status!.allocatable).toEqual({ cpu: "3" });
  });
});

describe("defaultNamespace", () => {
  const ns = (over: Partial<Namespace> = {}): Namespace => ({ apiVersion: "v1", kind: "Namespace", metadata: { name: "team" }, ...over });

  it("makes a new namespace Active with the kubernetes finalizer", () => {
    const n = ns();
    defaultNamespace(n);
    expect(n.spec).toEqual({ finalizers: ["kubernetes"] });
    expect(n.status).toEqual({ phase: "Active" });
  });

  it("adds the kubernetes finalizer next to others", () => {
    const n = ns({ spec: { finalizers: ["example.com/cleanup"] } });
    defaultNamespace(n);
    expect(n.spec!.finalizers).toEqual(["example.com/cleanup", "kubernetes"]);
  });

  it("does not put the finalizer back on a terminating namespace", () => {
    const n = ns({ spec: { finalizers: [] }, status: { phase: "Terminating" } });
    defaultNamespace(n);
    expect(n.spec!.finalizers).toEqual([]);
    expect(n.status!.phase).toBe("Terminating");
  });
});

describe("defaultEvent", () => {
  const now = new Date("2024-05-01T12:00:00.123Z");
  const ev = (over: Partial<Event> = {}): Event => ({
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "e", namespace: "default" },
    involvedObject: { kind: "Pod", name: "p" },
    ...over,
  });

  it("fills type, count and timestamps", () => {
    const e = ev();
    defaultEvent(e, now);
    expect(e.type).toBe("Normal");
    expect(e.count).toBe(1);
    expect(e.firstTimestamp).toBe("2024-05-01T12:00:00Z");
    expect(e.lastTimestamp).toBe("2024-05-01T12:00:00Z");
  });

  it("keeps values that are set", () => {
    const e = ev({ type: "Warning", count: 5, firstTimestamp: "2024-01-01T00:00:00Z", lastTimestamp: "2024-02-01T00:00:00Z" });
    defaultEvent(e, now);
    expect(e).toMatchObject({ type: "Warning", count: 5, firstTimestamp: "2024-01-01T00:00:00Z", lastTimestamp: "2024-02-01T00:00:00Z" });
  });

  it("never puts firstTimestamp after a given lastTimestamp", () => {
    const e = ev({ lastTimestamp: "2024-02-01T00:00:00Z" });
    defaultEvent(e, now);
    expect(e.firstTimestamp).toBe("2024-02-01T00:00:00Z");
  });
});
