import { describe, expect, it } from "vitest";
import type { Pod, Service } from "@skiff/api";
import { backends, subsets } from "./compute.js";
import { desiredSlices } from "../endpointslices/endpointslices.js";

function pod(
  name: string,
  ip: string,
  opts: {
    ready?: boolean;
    terminating?: boolean;
    labels?: Record<string, string>;
    ports?: { name: string; containerPort: number; protocol?: "TCP" | "UDP" }[];
    phase?: string;
    hostname?: string;
    subdomain?: string;
    ns?: string;
  } = {},
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: opts.ns ?? "default",
      uid: `u-${name}`,
      labels: opts.labels ?? { app: "web" },
      ...(opts.terminating ? { deletionTimestamp: "2024-01-01T00:00:00Z" } : {}),
    },
    spec: {
      nodeName: "n1",
      containers: [{ name: "c", image: "x", ports: opts.ports ?? [{ name: "http", containerPort: 8080 }] }],
      hostname: opts.hostname,
      subdomain: opts.subdomain,
    },
    status: { phase: (opts.phase ?? "Running") as "Running", podIP: ip, conditions: [{ type: "Ready", status: opts.ready === false ? "False" : "True" }] },
  };
}

function svc(spec: Partial<Service["spec"]> = {}, name = "web"): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, namespace: "default", uid: "svc-uid" },
    spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }], ...spec },
  };
}

describe("endpoints of a service", () => {
  it("lists ready pods in addresses and unready ones in notReadyAddresses; terminating and finished pods leave", () => {
    const bs = backends(svc(), [
      pod("a", "10.0.0.2"),
      pod("b", "10.0.0.10", { ready: false }),
      pod("c", "10.0.0.3", { terminating: true }),
      pod("d", "10.0.0.4", { phase: "Succeeded" }),
      pod("e", "10.0.0.5", { labels: { app: "other" } }),
      pod("f", "10.0.0.6", { ns: "elsewhere" }),
    ]);
    const [sub] = subsets(bs);
    expect(sub.addresses?.map((a) => a.ip)).toEqual(["10.0.0.2"]);
    expect(sub.notReadyAddresses?.map((a) => a.ip)).toEqual(["10.0.0.10"]);
    expect(sub.ports).toEqual([{ name: "http", port: 8080, protocol: "TCP" }]);
    expect(sub.addresses?.[0].targetRef).toMatchObject({ kind: "Pod", name: "a" });
  });

  it("resolves a named targetPort per pod, grouping pods with different numbers into separate subsets", () => {
    const bs = backends(svc(), [
      pod("a", "10.0.0.2"),
      pod("b", "10.0.0.3", { ports: [{ name: "http", containerPort: 9090 }] }),
      pod("c", "10.0.0.4", { ports: [{ name: "metrics", containerPort: 9100 }] }),
    ]);
    const subs = subsets(bs);
    expect(subs.map((s) => [s.addresses?.map((a) => a.ip), s.ports?.[0].port])).toEqual([
      [["10.0.0.2"], 8080],
      [["10.0.0.3"], 9090],
    ]);
  });

  it("with publishNotReadyAddresses lists unready and terminating pods as addresses", () => {
    const bs = backends(svc({ publishNotReadyAddresses: true }), [pod("a", "10.0.0.2", { ready: false }), pod("b", "10.0.0.3", { terminating: true })]);
    expect(subsets(bs)[0].addresses?.map((a) => a.ip)).toEqual(["10.0.0.2", "10.0.0.3"]);
  });

  it("gives no endpoints to a service without a selector, and a hostname only for the pod's subdomain", () => {
    expect(backends(svc({ selector: undefined }), [pod("a", "10.0.0.2")])).toEqual([]);
    const bs = backends(
      svc({}, "peers"),
      [pod("p0", "10.0.0.2", { hostname: "p0", subdomain: "peers" }), pod("p1", "10.0.0.3", { hostname: "p1", subdomain: "other" })].map((p) => ({
        ...p,
        metadata: { ...p.metadata },
      })),
    );
    expect(bs.map((b) => b.address.hostname)).toEqual(["p0", undefined]);
  });

  it("endpoint slices carry ready/serving/terminating conditions", () => {
    const s = svc({ publishNotReadyAddresses: true });
    const slices = [...desiredSlices(s, backends(s, [pod("a", "10.0.0.2"), pod("b", "10.0.0.3", { terminating: true })])).values()];
    expect(slices).toHaveLength(1);
    expect(slices[0].metadata.labels?.["kubernetes.io/service-name"]).toBe("web");
    expect(slices[0].endpoints.map((e) => [e.addresses[0], e.conditions])).toEqual([
      ["10.0.0.2", { ready: true, serving: true, terminating: false }],
      ["10.0.0.3", { ready: false, serving: true, terminating: true }],
    ]);
    const plain = svc();
    const only = [...desiredSlices(plain, backends(plain, [pod("a", "10.0.0.2"), pod("c", "10.0.0.4", { ready: false })])).values()][0];
    expect(only.endpoints.map((e) => [e.addresses[0], e.conditions?.ready])).toEqual([
      ["10.0.0.2", true],
      ["10.0.0.4", false],
    ]);
  });
});
