// Service spec.externalIPs: traffic that reaches a node for externalIP:port goes to the service's
// endpoints, as kube-proxy does. The proxy listens on an external IP only where that address is
// already the node's own (the node IP or another local address): Skiff never claims an address
// on the host for it, so a Service cannot capture traffic meant for another machine.
import { networkInterfaces } from "node:os";
import type { Endpoints, Service } from "@skiff/api";
import type { proxyv1 } from "@skiff/proto";
import { buildTable } from "./proxy-table.js";

/** The node's local IPv4 addresses. */
export function localAddresses(): Set<string> {
  return new Set(
    Object.values(networkInterfaces())
      .flatMap((l) => l ?? [])
      .filter((i) => i.family === "IPv4")
      .map((i) => i.address),
  );
}

/** Proxy entries answering services' external IPs that are local to this node. */
export function externalIpEntries(services: Service[], endpoints: Map<string, Endpoints>, nodeName: string, local: Set<string>): proxyv1.ServicePort[] {
  const out: proxyv1.ServicePort[] = [];
  for (const s of services) {
    const ips = ((s.spec as { externalIPs?: string[] } | undefined)?.externalIPs ?? []).filter((ip) => local.has(ip));
    if (ips.length === 0) continue;
    // The service's own entries, re-targeted: same endpoints and policies, the external IPs as frontends.
    for (const e of buildTable([s], endpoints, nodeName)) {
      out.push({ ...e, name: `${e.name}#external`, clusterIp: "", nodePort: 0, loadBalancerIps: ips });
    }
  }
  return out;
}
