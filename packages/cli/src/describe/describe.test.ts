import { describe, it, expect } from "vitest";
import type { Event, Pod } from "@skiff/api";
import { writeEvents } from "./events.js";
import { smartLabel } from "./generic.js";
import { describePod } from "./pod.js";
import { DescribeWriter } from "./writer.js";

const now = new Date("2024-05-01T12:00:00Z");

const pod: Pod = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "default", labels: { app: "web", tier: "fe" }, creationTimestamp: "2024-05-01T11:00:00Z" },
  spec: {
    nodeName: "node-1",
    containers: [
      {
        name: "app",
        image: "nginx",
        command: ["nginx", "-g", "daemon off;"],
        resources: { limits: { cpu: "500m", memory: "128Mi" } },
        env: [{ name: "MODE", value: "prod" }],
      },
    ],
  },
  status: {
    phase: "Running",
    hostIP: "172.18.0.2",
    podIP: "10.244.1.5",
    conditions: [{ type: "Ready", status: "True" }],
    containerStatuses: [
      {
        name: "app",
        state: { waiting: { reason: "CrashLoopBackOff" } },
        lastState: { terminated: { exitCode: 1, reason: "Error" } },
        ready: false,
        restartCount: 4,
        image: "nginx",
        imageID: "",
      },
    ],
  },
};

describe("describePod", () => {
  it("lays out the pod like kubectl describe", () => {
    const w = new DescribeWriter();
    describePod(w, pod, now);
    const out = w.toString();
    expect(out).toContain("Name:         web\nNamespace:    default\nNode:         node-1/172.18.0.2\n");
    expect(out).toContain("Labels:       app=web\n              tier=fe\n");
    expect(out).toContain(
      "    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Last State:     Terminated\n      Reason:       Error\n      Exit Code:    1\n",
    );
    expect(out).toContain("    Restart Count:  4\n    Limits:\n      cpu:     500m\n      memory:  128Mi\n");
    expect(out).toContain("    Command:\n      nginx\n      -g\n      daemon off;\n");
    expect(out).toContain("      MODE:  prod\n");
  });
});

describe("writeEvents", () => {
  it("prints a Type Reason Age From Message table, with repeat counts", () => {
    const ev = (reason: string, extra: Partial<Event>): Event => ({
      apiVersion: "v1",
      kind: "Event",
      metadata: { name: reason },
      involvedObject: { kind: "Pod", name: "web" },
      type: "Normal",
      reason,
      message: `${reason} it`,
      source: { component: "kubelet" },
      ...extra,
    });
    const w = new DescribeWriter();
    writeEvents(
      w,
      [
        ev("BackOff", { type: "Warning", count: 5, firstTimestamp: "2024-05-01T11:50:00Z", lastTimestamp: "2024-05-01T11:59:30Z" }),
        ev("Scheduled", { source: { component: "default-scheduler" }, firstTimestamp: "2024-05-01T11:49:00Z", lastTimestamp: "2024-05-01T11:49:00Z" }),
      ],
      now,
    );
    expect(w.toString()).toBe(
      "Events:\n" +
        "  Type     Reason     Age                From               Message\n" +
        "  ----     ------     ----               ----               -------\n" +
        "  Normal   Scheduled  11m                default-scheduler  Scheduled it\n" +
        "  Warning  BackOff    30s (x5 over 10m)  kubelet            BackOff it\n",
    );
  });

  it("says <none> without events", () => {
    const w = new DescribeWriter();
    writeEvents(w, [], now);
    expect(w.toString()).toBe("Events:  <none>\n");
  });
});

describe("smartLabel", () => {
  it("turns field names into kubectl's labels", () => {
    expect(smartLabel("lastTransitionTime")).toBe("Last Transition Time");
    expect(smartLabel("apiVersion")).toBe("API Version");
    expect(smartLabel("podIPs")).toBe("Pod IPs");
  });
});
