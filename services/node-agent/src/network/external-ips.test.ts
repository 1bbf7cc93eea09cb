import { describe, expect, it } from "vitest";
import type { Endpoints, Service } from "@skiff/api";
import { builtinResources } from "@skiff/api";
import { externalIpEntries } from "./external-ips.js";

const svc: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "default" },
  spec: {
    type: "ClusterIP",
    clusterIP: "10.96.0.50",
    selector: { app: "web" },
    ports: [{ port: 80, targetPort: 8080, protocol: "TCP" }],
    externalIPs: ["192.0.2.7", "198.51.100.9"],
  },
} as Service;
const eps: Endpoints = {
  apiVersion: "v1",
  kind: "Endpoints",
  metadata: { name: "web", namespace: "default" },
  subsets: [{ addresses: [{ ip: "10.244.0.5", nodeName: "n1" }], ports: [{ port: 8080, protocol: "TCP" }] }],
} as Endpoints;

describe("Service externalIPs", () => {
  it("the proxy answers on the external IPs that are this node's own, with the service's endpoints", () => {
    const e = externalIpEntries([svc], new Map([["default/web", eps]]), "n1", new Set(["192.0.2.7", "127.0.0.1"]));
    expect(e).toHaveLength(1);
    expect(e[0]).toMatchObject({ name: "default/web:80#external", clusterIp: "", nodePort: 0, port: 80, loadBalancerIps: ["192.0.2.7"] });
    expect(e[0].endpoints).toEqual([expect.objectContaining({ ip: "10.244.0.5", port: 8080 })]);
  });

  it("an address the node does not have is never claimed", () => {
    expect(externalIpEntries([svc], new Map([["default/web", eps]]), "n1", new Set(["127.0.0.1"]))).toEqual([]);
  });

  it("validation refuses special addresses as Kubernetes does", () => {
    const info = builtinResources.find((r) => r.resource === "services")!;
    const bad = { ...svc, spec: { ...svc.spec, externalIPs: ["127.0.0.5", "0.0.0.0", "nope", "192.0.2.7"] } } as Service;
    expect(info.validate(bad).map((e) => `${e.field}: ${e.message}`)).toEqual([
      'spec.externalIPs[0]: Invalid value: "127.0.0.5": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'spec.externalIPs[1]: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)',
      'spec.externalIPs[2]: Invalid value: "nope": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
    ]);
  });
});
