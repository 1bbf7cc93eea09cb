// Unknown-field detection inside what used to be free-form: statuses as Skiff's own components
// write them pass whole, and a typo inside a status, a toleration or an env source is found.
import { describe, expect, it } from "vitest";
import { builtinResources, type ResourceInfo } from "@skiff/api";
import { unknownFields } from "./unknown-fields.js";

const info = (kind: string): ResourceInfo => builtinResources.find((r) => r.kind === kind)!;
const unknown = (kind: string, body: unknown, patch = false) => unknownFields(builtinResources, info(kind), body, { patch });
const t = "2026-01-01T00:00:00Z";

const running = { running: { startedAt: t } };
const podStatus = {
  phase: "Running",
  conditions: [
    { type: "PodScheduled", status: "True", lastProbeTime: null, lastTransitionTime: t },
    { type: "Ready", status: "False", reason: "ContainersNotReady", message: "containers with unready status: [main]", lastTransitionTime: t },
  ],
  hostIP: "10.0.0.2",
  hostIPs: [{ ip: "10.0.0.2" }],
  podIP: "10.1.0.5",
  podIPs: [{ ip: "10.1.0.5" }],
  startTime: t,
  qosClass: "Burstable",
  initContainerStatuses: [
    {
      name: "init",
      state: { terminated: { exitCode: 0, reason: "Completed", startedAt: t, finishedAt: t, containerID: "docker://a" } },
      lastState: {},
      ready: true,
      restartCount: 0,
      image: "busybox",
      imageID: "docker-pullable://busybox@sha256:0",
      containerID: "docker://a",
      started: false,
    },
  ],
  containerStatuses: [
    {
      name: "main",
      state: { waiting: { reason: "CrashLoopBackOff", message: "back-off 10s restarting failed container" } },
      lastState: { terminated: { exitCode: 3, signal: 0, reason: "Error", message: "", startedAt: t, finishedAt: t, containerID: "docker://b" } },
      ready: false,
      restartCount: 2,
      image: "busybox",
      imageID: "docker-pullable://busybox@sha256:0",
      containerID: "docker://b",
      started: false,
    },
    { name: "side", state: running, lastState: {}, ready: true, restartCount: 0, image: "busybox", imageID: "", started: true },
  ],
};

// As the node agent writes it (services/node-agent/src/node/node.ts), the Skiff-only Address included.
const nodeStatus = {
  capacity: { cpu: "2", memory: "4016Mi", pods: "110" },
  allocatable: { cpu: "1900m", memory: "3888Mi", pods: "110" },
  conditions: [
    { type: "Ready", status: "True", reason: "KubeletReady", message: "node agent is posting ready status", lastHeartbeatTime: t, lastTransitionTime: t },
    { type: "MemoryPressure", status: "False", reason: "KubeletHasSufficientMemory", message: "", lastHeartbeatTime: t, lastTransitionTime: t },
  ],
  addresses: [
    { type: "InternalIP", address: "127.0.0.1" },
    { type: "Hostname", address: "n1" },
  ],
  daemonEndpoints: { kubeletEndpoint: { Port: 10250, Address: "127.0.0.1" } },
  images: [{ names: ["skiff/busybox@sha256:0", "skiff/busybox:1.35"], sizeBytes: 4261550 }],
  nodeInfo: {
    kubeletVersion: "v1.32.0-skiff",
    kubeProxyVersion: "v1.32.0-skiff",
    containerRuntimeVersion: "docker://27.0.0",
    osImage: "Debian GNU/Linux 12 (bookworm)",
    kernelVersion: "6.1.0",
    operatingSystem: "linux",
    architecture: "amd64",
    machineID: "",
    systemUUID: "",
    bootID: "",
  },
};

describe("statuses and the scheduling/env parts of a pod, spelt out", () => {
  it("accept the statuses Skiff's components write", () => {
    expect(unknown("Pod", { metadata: { name: "p" }, spec: { containers: [{ name: "main" }] }, status: podStatus })).toEqual([]);
    expect(
      unknown("Node", {
        metadata: { name: "n1" },
        spec: { podCIDR: "10.1.0.0/24", taints: [{ key: "k", effect: "NoSchedule", timeAdded: t }] },
        status: nodeStatus,
      }),
    ).toEqual([]);
    const condition = { type: "Available", status: "True", reason: "MinimumReplicasAvailable", message: "", lastUpdateTime: t, lastTransitionTime: t };
    expect(
      unknown("Deployment", {
        metadata: { name: "d" },
        status: {
          observedGeneration: 2,
          replicas: 1,
          updatedReplicas: 1,
          readyReplicas: 1,
          availableReplicas: 1,
          unavailableReplicas: 0,
          conditions: [condition],
        },
      }),
    ).toEqual([]);
    expect(
      unknown("DaemonSet", {
        metadata: { name: "ds" },
        status: {
          desiredNumberScheduled: 1,
          currentNumberScheduled: 1,
          numberMisscheduled: 0,
          numberReady: 1,
          updatedNumberScheduled: 1,
          numberAvailable: 1,
          numberUnavailable: 0,
          observedGeneration: 1,
        },
      }),
    ).toEqual([]);
    expect(
      unknown("Job", {
        metadata: { name: "j" },
        status: {
          startTime: t,
          completionTime: t,
          active: 0,
          succeeded: 1,
          failed: 0,
          ready: 0,
          terminating: 0,
          completedIndexes: "0-2,4",
          uncountedTerminatedPods: {},
          conditions: [{ type: "Complete", status: "True", lastProbeTime: t, lastTransitionTime: t }],
        },
      }),
    ).toEqual([]);
    expect(
      unknown("CronJob", {
        metadata: { name: "c" },
        status: { active: [{ kind: "Job", name: "c-1", namespace: "default", uid: "u", apiVersion: "batch/v1" }], lastScheduleTime: t, lastSuccessfulTime: t },
      }),
    ).toEqual([]);
    expect(
      unknown("PodDisruptionBudget", {
        metadata: { name: "b" },
        status: {
          observedGeneration: 1,
          disruptedPods: { "web-1": "2026-01-01T00:00:00.123Z" },
          disruptionsAllowed: 0,
          currentHealthy: 1,
          desiredHealthy: 1,
          expectedPods: 1,
          conditions: [{ type: "DisruptionAllowed", status: "False", reason: "InsufficientPods", message: "", lastTransitionTime: t, observedGeneration: 1 }],
        },
      }),
    ).toEqual([]);
    expect(unknown("Service", { metadata: { name: "s" }, status: { loadBalancer: { ingress: [{ ip: "192.0.2.1" }] } } })).toEqual([]);
    expect(
      unknown("Ingress", { metadata: { name: "i" }, status: { loadBalancer: { ingress: [{ ip: "127.0.0.1", ports: [{ port: 80, protocol: "TCP" }] }] } } }),
    ).toEqual([]);
    expect(
      unknown("Namespace", {
        metadata: { name: "n" },
        status: { phase: "Terminating", conditions: [{ type: "NamespaceDeletionContentFailure", status: "False" }] },
      }),
    ).toEqual([]);
    expect(
      unknown("PersistentVolumeClaim", { metadata: { name: "c" }, status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } } }),
    ).toEqual([]);
    expect(
      unknown("PersistentVolume", { metadata: { name: "v" }, spec: { hostPath: { path: "/x" } }, status: { phase: "Released", reason: "", message: "" } }),
    ).toEqual([]);
  });

  it("find typos inside statuses, tolerations, spreads, DNS config and env sources", () => {
    const withTypos = structuredClone(podStatus) as Record<string, unknown> & typeof podStatus;
    (withTypos.containerStatuses[0].state as { waiting: Record<string, unknown> }).waiting.reasn = "x";
    (withTypos.conditions[0] as Record<string, unknown>).lastProbe = t;
    expect(unknown("Pod", { metadata: { name: "p" }, status: withTypos })).toEqual([
      "status.conditions[0].lastProbe",
      "status.containerStatuses[0].state.waiting.reasn",
    ]);
    expect(
      unknown("Node", { metadata: { name: "n" }, status: { nodeInfo: { kubeletVersoin: "v1" }, daemonEndpoints: { kubeletEndpoint: { port: 1 } } } }),
    ).toEqual(["status.nodeInfo.kubeletVersoin", "status.daemonEndpoints.kubeletEndpoint.port"]);
    const spec = {
      tolerations: [{ key: "k", operator: "Exists", effect: "NoExecute", tolerationSecond: 5 }],
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule", minDomain: 2 }],
      dnsConfig: { nameservers: ["1.1.1.1"], option: [] },
      containers: [
        {
          name: "c",
          env: [
            { name: "A", valueFrom: { fieldRef: { fieldPth: "metadata.name" } } },
            { name: "B", valueFrom: { secretKeyRef: { name: "s", key: "k", optinal: true } } },
            { name: "C", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1m" } } },
          ],
          envFrom: [{ configMapRef: { name: "c" }, prefx: "P_" }],
        },
      ],
    };
    expect(unknown("Pod", { metadata: { name: "p" }, spec })).toEqual([
      "spec.tolerations[0].tolerationSecond",
      "spec.topologySpreadConstraints[0].minDomain",
      "spec.dnsConfig.option",
      "spec.containers[0].env[0].valueFrom.fieldRef.fieldPth",
      "spec.containers[0].env[1].valueFrom.secretKeyRef.optinal",
      "spec.containers[0].envFrom[0].prefx",
    ]);
  });
});
