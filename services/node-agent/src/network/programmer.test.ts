import { describe, expect, it } from "vitest";
import type { Endpoints, Service } from "@skiff/api";
import { buildTable } from "./proxy-table.js";

describe("proxy table", () => {
  it("has one entry per service port with its load-balancer addresses and endpoint ports", () => {
    const svc: Service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "shop" },
      spec: {
        type: "LoadBalancer",
        clusterIP: "10.96.0.7",
        ports: [
          { name: "http", port: 80, nodePort: 30080 },
          { name: "dns", port: 53, protocol: "UDP", nodePort: 30053 },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: "192.0.2.4" }] } },
    };
    const eps = new Map<string, Endpoints>([
      [
        "shop/web",
        {
          apiVersion: "v1",
          kind: "Endpoints",
          metadata: { name: "web", namespace: "shop" },
          subsets: [
            {
              addresses: [{ ip: "10.1.0.2", nodeName: "n1" }],
              ports: [
                { name: "http", port: 8080 },
                { name: "dns", port: 5353, protocol: "UDP" },
              ],
            },
          ],
        },
      ],
    ]);
    const services = buildTable([svc], eps, "n1");
    expect(services.map((s) => [s.name, s.loadBalancerIps, s.endpoints.map((e) => e.port)])).toEqual([
      ["shop/web:dns", ["192.0.2.4"], [5353]],
      ["shop/web:http", ["192.0.2.4"], [8080]],
    ]);
  });

  it("sends kube-system/skiff-ingress to this node's ingress controller (http and https ports)", () => {
    const svc: Service = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "skiff-ingress", namespace: "kube-system" },
      spec: {
        type: "LoadBalancer",
        clusterIP: "10.96.0.9",
        ports: [
          { name: "http", port: 80, nodePort: 30080 },
          { name: "https", port: 443, nodePort: 30443 },
        ],
      },
      status: { loadBalancer: { ingress: [{ ip: "192.0.2.5" }] } },
    };
    const table = buildTable([svc], new Map(), "n1", undefined, { ip: "127.0.0.1", httpPort: 41000, httpsPort: 41001 });
    expect(table.map((s) => [s.name, s.loadBalancerIps, s.endpoints.map((e) => `${e.ip}:${e.port}`)])).toEqual([
      ["kube-system/skiff-ingress:http", ["192.0.2.5"], ["127.0.0.1:41000"]],
      ["kube-system/skiff-ingress:https", ["192.0.2.5"], ["127.0.0.1:41001"]],
    ]);
    // No controller on this node: the Service has no endpoint here.
    expect(buildTable([svc], new Map(), "n1").every((s) => s.endpoints.length === 0)).toBe(true);
  });
});
