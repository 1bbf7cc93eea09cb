// Cluster names → records, as a pure function of the Services and Endpoints caches:
// <svc>.<ns>.svc.<domain> (ClusterIP, or every ready pod for headless services, CNAME for
// ExternalName), <hostname>.<svc>.<ns>.svc.<domain> for pods with hostname+subdomain,
// _<port>._<proto>.<svc>.<ns>.svc.<domain> SRV, <a-b-c-d>.<ns>.pod.<domain>, and PTR.
import type { Endpoints, Service } from "@skiff/api";
import { TYPE, RCODE, type Answer } from "../wire/wire.js";

/** Read access to the caches (informers in the server, plain maps in unit tests). */
export interface ClusterView {
  service(namespace: string, name: string): Service | undefined;
  endpoints(namespace: string, name: string): Endpoints | undefined;
  services(): Service[];
  allEndpoints(): Endpoints[];
}

/** The result for one question inside the cluster domain. */
export interface Resolution {
  rcode: number;
  answers: Answer[];
}

const TTL = 5;

function readyAddresses(ep: Endpoints | undefined): { ip: string; hostname?: string }[] {
  const out: { ip: string; hostname?: string }[] = [];
  for (const s of ep?.subsets ?? []) for (const a of s.addresses ?? []) out.push(a);
  return out;
}

/** Answers `name`/`type` if it lies in `domain` (or in-addr.arpa); undefined = not ours. */
export function resolve(view: ClusterView, domain: string, name: string, type: number): Resolution | undefined {
  const nx: Resolution = { rcode: RCODE.NXDOMAIN, answers: [] };
  const empty: Resolution = { rcode: RCODE.NOERROR, answers: [] };
  if (name.endsWith(".in-addr.arpa")) return reverse(view, domain, name, type);
  if (name !== domain && !name.endsWith(`.${domain}`)) return undefined;
  const labels = name === domain ? [] : name.slice(0, -domain.length - 1).split(".");
  const kind = labels[labels.length - 1];
  if (labels.length === 0 || (labels.length === 1 && (kind === "svc" || kind === "pod"))) return empty;
  if (kind === "pod" && labels.length === 3) {
    // 10-244-1-5.default.pod.cluster.local
    const ip = labels[0].replace(/-/g, ".");
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return nx;
    return type === TYPE.A || type === TYPE.ANY ? { rcode: RCODE.NOERROR, answers: [{ name, type: TYPE.A, ttl: TTL, ip }] } : empty;
  }
  if (kind !== "svc") return nx;
  const parts = labels.slice(0, -1); // [..., svc, ns]
  if (parts.length === 1) return view.services().some((s) => s.metadata.namespace === parts[0]) ? empty : nx;
  const ns = parts[parts.length - 1];
  const svcName = parts[parts.length - 2];
  const svc = view.service(ns, svcName);
  if (!svc) return nx;
  const base = `${svcName}.${ns}.svc.${domain}`;
  const headless = svc.spec.clusterIP === "None";
  const ep = view.endpoints(ns, svcName);
  const rest = parts.slice(0, -2);
  if (rest.length === 0) {
    if (svc.spec.type === "ExternalName") {
      return { rcode: RCODE.NOERROR, answers: [{ name, type: TYPE.CNAME, ttl: TTL, target: svc.spec.externalName ?? "" }] };
    }
    if (type === TYPE.A || type === TYPE.ANY) {
      if (!headless) return svc.spec.clusterIP ? { rcode: RCODE.NOERROR, answers: [{ name, type: TYPE.A, ttl: TTL, ip: svc.spec.clusterIP }] } : empty;
      return { rcode: RCODE.NOERROR, answers: readyAddresses(ep).map((a) => ({ name, type: TYPE.A, ttl: TTL, ip: a.ip })) };
    }
    if (type === TYPE.SRV) return { rcode: RCODE.NOERROR, answers: srv(svc, ep, base, name, undefined) };
    return empty; // AAAA and the rest: the name exists, no such records
  }
  if (rest.length === 1) {
    // A pod of a headless service by hostname (StatefulSets, hostname+subdomain).
    const addr = readyAddresses(ep).find((a) => a.hostname === rest[0]);
    if (!addr) return nx;
    return type === TYPE.A || type === TYPE.ANY ? { rcode: RCODE.NOERROR, answers: [{ name, type: TYPE.A, ttl: TTL, ip: addr.ip }] } : empty;
  }
  if (rest.length === 2 && rest[0].startsWith("_") && rest[1].startsWith("_")) {
    const portName = rest[0].slice(1),
      proto = rest[1].slice(1).toUpperCase();
    const port = svc.spec.ports?.find((p) => p.name === portName && (p.protocol ?? "TCP") === proto);
    if (!port) return nx;
    return type === TYPE.SRV || type === TYPE.ANY ? { rcode: RCODE.NOERROR, answers: srv(svc, ep, base, name, port.name) } : empty;
  }
  return nx;
}

function srv(svc: Service, ep: Endpoints | undefined, base: string, name: string, portName: string | undefined): Answer[] {
  const out: Answer[] = [];
  for (const p of svc.spec.ports ?? []) {
    if (portName !== undefined && p.name !== portName) continue;
    if (!p.name && portName === undefined && (svc.spec.ports?.length ?? 0) > 1) continue;
    if (svc.spec.clusterIP !== "None") {
      out.push({ name, type: TYPE.SRV, ttl: TTL, priority: 0, weight: 100, port: p.port, target: base });
      continue;
    }
    for (const s of ep?.subsets ?? []) {
      const ep_port = s.ports?.find((x) => x.name === p.name || (s.ports?.length === 1 && !p.name));
      if (!ep_port) continue;
      for (const a of s.addresses ?? []) {
        const target = a.hostname ? `${a.hostname}.${base}` : `${a.ip.replace(/\./g, "-")}.${base}`;
        out.push({ name, type: TYPE.SRV, ttl: TTL, priority: 0, weight: 100, port: ep_port.port, target });
      }
    }
  }
  return out;
}

function reverse(view: ClusterView, domain: string, name: string, type: number): Resolution | undefined {
  const octets = name.slice(0, -".in-addr.arpa".length).split(".");
  if (octets.length !== 4) return undefined;
  const ip = octets.reverse().join(".");
  const answers: Answer[] = [];
  for (const s of view.services()) {
    if (s.spec.clusterIP === ip) answers.push({ name, type: TYPE.PTR, ttl: TTL, target: `${s.metadata.name}.${s.metadata.namespace}.svc.${domain}` });
  }
  for (const ep of view.allEndpoints()) {
    for (const a of readyAddresses(ep)) {
      if (a.ip === ip && a.hostname)
        answers.push({ name, type: TYPE.PTR, ttl: TTL, target: `${a.hostname}.${ep.metadata.name}.${ep.metadata.namespace}.svc.${domain}` });
    }
  }
  // Addresses that are not the cluster's go upstream.
  if (answers.length === 0) return undefined;
  return { rcode: RCODE.NOERROR, answers: type === TYPE.PTR || type === TYPE.ANY ? answers : [] };
}
