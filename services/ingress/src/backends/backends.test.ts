// Backend resolution from Services and EndpointSlices: ports by number and name, ready only.
import { describe, expect, it } from "vitest";
import type { EndpointSlice, Service } from "@skiff/api";
import { resolveBackend } from "./backends.js";

const svc: Service = {
  apiVersion: "v1",
  kind: "Service",
  metadata: { name: "web", namespace: "d" },
  spec: {
    ports: [
      { name: "http", port: 80, targetPort: 8080 },
      { name: "admin", port: 9000 },
    ],
  },
};
const slice = (eps: [string, boolean | undefined][]): EndpointSlice => ({
  apiVersion: "discovery.k8s.io/v1",
  kind: "EndpointSlice",
  metadata: { name: "web-x", namespace: "d" },
  addressType: "IPv4",
  ports: [
    { name: "http", port: 8080, protocol: "TCP" },
    { name: "admin", port: 9001 },
  ],
  endpoints: eps.map(([ip, ready]) => ({ addresses: [ip], conditions: ready === undefined ? {} : { ready } })),
});

describe("resolveBackend", () => {
  it("returns the ready endpoints of the service port, by number or name", () => {
    const s = [
      slice([
        ["10.0.0.1", true],
        ["10.0.0.2", false],
        ["10.0.0.3", undefined],
      ]),
    ];
    expect(resolveBackend({ namespace: "d", service: "web", port: { number: 80 } }, svc, s)).toEqual({
      ok: true,
      key: "d/web:80",
      endpoints: [
        { ip: "10.0.0.1", port: 8080 },
        { ip: "10.0.0.3", port: 8080 },
      ],
    });
    expect(resolveBackend({ namespace: "d", service: "web", port: { name: "admin" } }, svc, s)).toMatchObject({
      ok: true,
      endpoints: [
        { ip: "10.0.0.1", port: 9001 },
        { ip: "10.0.0.3", port: 9001 },
      ],
    });
  });
  it("says why there is nothing to send to", () => {
    expect(resolveBackend({ namespace: "d", service: "nope", port: { number: 80 } }, undefined, [])).toMatchObject({
      ok: false,
      reason: "service d/nope not found",
      problem: { reason: "ServiceNotFound" },
    });
    expect(resolveBackend({ namespace: "d", service: "web", port: { number: 81 } }, svc, [])).toMatchObject({
      ok: false,
      problem: { reason: "ServicePortNotFound" },
    });
    expect(resolveBackend({ namespace: "d", service: "web", port: { number: 80 } }, svc, [slice([["10.0.0.2", false]])])).toMatchObject({
      ok: false,
      reason: "service d/web has no ready endpoints",
    });
  });
});
