// Ingress validation: Kubernetes' field paths and messages for the checks users hit most.
import { describe, expect, it } from "vitest";
import { validateIngress, validateIngressHost, type Ingress } from "./networking.js";

const ing = (spec: Ingress["spec"]): Ingress => ({ apiVersion: "networking.k8s.io/v1", kind: "Ingress", metadata: { name: "i", namespace: "d" }, spec });
const svc = { service: { name: "web", port: { number: 80 } } };

describe("validateIngress", () => {
  it("accepts a normal Ingress", () => {
    expect(
      validateIngress(
        ing({
          rules: [
            {
              host: "*.example.com",
              http: {
                paths: [
                  { path: "/", pathType: "Prefix", backend: svc },
                  { path: "/x(/|$)(.*)", pathType: "ImplementationSpecific", backend: svc },
                ],
              },
            },
          ],
          tls: [{ hosts: ["a.example.com"], secretName: "t" }],
        }),
      ),
    ).toEqual([]);
  });
  it("requires rules or a default backend", () => {
    expect(validateIngress(ing({})).map((e) => e.field)).toEqual(["spec"]);
  });
  it("requires pathType and absolute, clean paths", () => {
    const errs = validateIngress(
      ing({
        rules: [
          {
            http: {
              paths: [
                { path: "/a", backend: svc },
                { path: "a", pathType: "Exact", backend: svc },
                { path: "/a//b", pathType: "Prefix", backend: svc },
                { path: "/a/..", pathType: "Prefix", backend: svc },
                { path: "/a", pathType: "Regex" as never, backend: svc },
              ],
            },
          },
        ],
      }),
    );
    expect(errs.map((e) => `${e.field}: ${e.message}`)).toEqual([
      "spec.rules[0].http.paths[0].pathType: Required value: pathType must be specified",
      'spec.rules[0].http.paths[1].path: Invalid value: "a": must be an absolute path',
      "spec.rules[0].http.paths[2].path: Invalid value: \"/a//b\": must not contain '//'",
      "spec.rules[0].http.paths[3].path: Invalid value: \"/a/..\": cannot end with '/..'",
      'spec.rules[0].http.paths[4].pathType: Unsupported value: "Regex": supported values: "Exact", "ImplementationSpecific", "Prefix"',
    ]);
  });
  it("checks hosts: DNS names or one leading wildcard, never IPs", () => {
    expect(validateIngressHost("a.b.com", "h")).toEqual([]);
    expect(validateIngressHost("1.2.3.4", "h")[0].message).toContain("must be a DNS name, not an IP address");
    expect(validateIngressHost("a.*.com", "h")[0].message).toContain("a wildcard DNS-1123 subdomain must start with '*.'");
    expect(validateIngressHost("UPPER.com", "h")[0].field).toBe("h");
  });
  it("wants exactly one of port name and number", () => {
    const errs = validateIngress(
      ing({
        defaultBackend: { service: { name: "web", port: { name: "http", number: 80 } } },
        rules: [{ http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web" } } }] } }],
      }),
    );
    expect(errs.map((e) => e.field)).toEqual(["spec.defaultBackend.service.port", "spec.rules[0].http.paths[0].backend.service.port"]);
  });
});
