import { describe, expect, it } from "vitest";
import type { Pod, Service } from "@skiff/api";
import { serviceEnv } from "./service-env.js";
import { podDns } from "./dns-config.js";

const svc = (ns: string, name: string, ip: string, ports: Service["spec"]["ports"]): Service => ({
  apiVersion: "v1",
  kind: "Service",
  metadata: { namespace: ns, name },
  spec: { clusterIP: ip, ports },
});

describe("service env", () => {
  it("gives link variables for the namespace's services and kubernetes, none for headless", () => {
    const env = serviceEnv("app", [
      svc("default", "kubernetes", "10.96.0.1", [{ name: "https", port: 443 }]),
      svc("app", "my-db", "10.96.3.4", [{ name: "sql", port: 5432, protocol: "TCP" }]),
      svc("app", "peers", "None", [{ port: 80 }]),
      svc("other", "x", "10.96.9.9", [{ port: 1 }]),
    ]);
    expect(env).toContain("MY_DB_SERVICE_HOST=10.96.3.4");
    expect(env).toContain("MY_DB_SERVICE_PORT_SQL=5432");
    expect(env).toContain("MY_DB_PORT_5432_TCP=tcp://10.96.3.4:5432");
    expect(env).toContain("KUBERNETES_SERVICE_HOST=10.96.0.1");
    expect(env.some((e) => e.startsWith("PEERS_") || e.startsWith("X_"))).toBe(false);
  });
});

describe("pod dns", () => {
  const pod = (spec: Partial<Pod["spec"]>): Pod => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "ns1" },
    spec: { containers: [], ...spec },
  });
  it("ClusterFirst points at the cluster DNS with the search path; Default keeps the node's; None uses dnsConfig", () => {
    expect(podDns(pod({}), "10.96.0.10", "cluster.local")).toEqual({
      servers: ["10.96.0.10"],
      searches: ["ns1.svc.cluster.local", "svc.cluster.local", "cluster.local"],
      options: ["ndots:5"],
    });
    expect(podDns(pod({ dnsPolicy: "Default" }), "10.96.0.10", "cluster.local")).toBeUndefined();
    expect(
      podDns(pod({ dnsPolicy: "None", dnsConfig: { nameservers: ["1.2.3.4"], options: [{ name: "ndots", value: "2" }] } }), "10.96.0.10", "cluster.local"),
    ).toEqual({ servers: ["1.2.3.4"], searches: [], options: ["ndots:2"] });
  });
});
