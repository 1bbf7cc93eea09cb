// Backends: a Service port of an Ingress rule resolved to the ready endpoints of its
// EndpointSlices (conditions.ready unset counts as ready, as in Kubernetes). Pure functions.
import type { EndpointSlice, Service } from "@skiff/api";
import type { BackendRef } from "../routing/routing.js";

/** One pod address to send requests to. */
export interface Endpoint {
  ip: string;
  port: number;
}

/** Ready endpoints of a backend, or why there are none (answered 503). */
export type Resolution =
  | { ok: true; key: string; endpoints: Endpoint[] }
  | { ok: false; key: string; reason: string; problem?: { reason: string; message: string } };

/** "namespace/service:port" of a backend ref. */
export function refKey(r: BackendRef): string {
  return `${r.namespace}/${r.service}:${r.port.name ?? r.port.number ?? ""}`;
}

/** Resolves a backend against the Services and the EndpointSlices of its Service. */
export function resolveBackend(ref: BackendRef, service: Service | undefined, slices: EndpointSlice[]): Resolution {
  const key = refKey(ref);
  const svcName = `${ref.namespace}/${ref.service}`;
  if (!service)
    return {
      ok: false,
      key,
      reason: `service ${svcName} not found`,
      problem: { reason: "ServiceNotFound", message: `service ${svcName} not found; requests for it get 503` },
    };
  if (service.spec?.type === "ExternalName")
    return {
      ok: false,
      key,
      reason: `service ${svcName} is ExternalName`,
      problem: { reason: "UnsupportedBackend", message: `service ${svcName} is of type ExternalName, which Skiff's ingress does not proxy to` },
    };
  const sp = (service.spec?.ports ?? []).find(
    (p) => (ref.port.name !== undefined ? p.name === ref.port.name : p.port === ref.port.number) && (p.protocol ?? "TCP") === "TCP",
  );
  if (!sp) {
    const which = ref.port.name !== undefined ? `named ${JSON.stringify(ref.port.name)}` : String(ref.port.number);
    return {
      ok: false,
      key,
      reason: `service ${svcName} has no port ${which}`,
      problem: { reason: "ServicePortNotFound", message: `service ${svcName} has no TCP port ${which}; requests for it get 503` },
    };
  }
  const seen = new Set<string>();
  const endpoints: Endpoint[] = [];
  for (const s of slices) {
    if (s.addressType !== "IPv4") continue;
    const port = (s.ports ?? []).find((p) => (p.name ?? "") === (sp.name ?? "") && (p.protocol ?? "TCP") === "TCP");
    if (!port?.port) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const ip of e.addresses ?? []) {
        const id = `${ip}:${port.port}`;
        if (seen.has(id)) continue;
        seen.add(id);
        endpoints.push({ ip, port: port.port });
      }
    }
  }
  if (endpoints.length === 0) return { ok: false, key, reason: `service ${svcName} has no ready endpoints` };
  return { ok: true, key, endpoints };
}
