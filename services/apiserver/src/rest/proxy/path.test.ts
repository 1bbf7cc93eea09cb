import { describe, expect, it } from "vitest";
import { parseProxyPath, splitSchemeNamePort } from "./path.js";

describe("proxy paths", () => {
  it("parses node, pod and service proxy URLs, keeping the rest of the path raw", () => {
    expect(parseProxyPath("/api/v1/nodes/n1/proxy/metrics")).toMatchObject({
      resource: "nodes",
      name: "n1",
      namespace: undefined,
      path: "/metrics",
      prefix: "/api/v1/nodes/n1/proxy",
      rp: { resource: "nodes", name: "n1", subresource: "proxy" },
    });
    expect(parseProxyPath("/api/v1/namespaces/ns/pods/web:8080/proxy/a%2Fb/")).toMatchObject({
      resource: "pods",
      namespace: "ns",
      name: "web",
      port: "8080",
      scheme: "",
      path: "/a%2Fb/",
    });
    expect(parseProxyPath("/api/v1/namespaces/ns/services/https:web:tls/proxy")).toMatchObject({
      resource: "services",
      name: "web",
      port: "tls",
      scheme: "https",
      path: "/",
    });
    expect(parseProxyPath("/api/v1/namespaces/ns/pods/web/log")).toBeUndefined();
    expect(parseProxyPath("/apis/apps/v1/namespaces/ns/deployments/d/proxy/")).toBeUndefined();
  });

  it("splits [scheme:]name[:port] as Kubernetes does and refuses other schemes", () => {
    expect(splitSchemeNamePort("web")).toEqual({ scheme: "", name: "web", port: "" });
    expect(splitSchemeNamePort("web:http")).toEqual({ scheme: "", name: "web", port: "http" });
    expect(() => splitSchemeNamePort("ftp:web:21")).toThrow(/only http and https/);
    expect(() => splitSchemeNamePort("a:b:c:d")).toThrow(/expected \[scheme:\]name\[:port\]/);
  });
});
