// The proxy's desired table as a pure function of Services and Endpoints: one entry per
// service port with its ready endpoints (target ports resolved per subset). The kube-dns
// service is sent to this node's own dns process (node-local DNS behind the DNS ClusterIP).
import type { Endpoints, Service } from "@skiff/api";
import { proxyv1 } from "@skiff/proto";

/** Where this node's dns process listens (127.0.0.1:port), if it runs. */
export interface LocalDns {
  ip: string;
  port: number;
}

/** Builds the service entries of the table. */
export function buildTable(services: Service[], endpoints: Map<string, Endpoints>, nodeName: string, localDns?: LocalDns): proxyv1.ServicePort[] {
  const out: proxyv1.ServicePort[] = [];
  for (const s of services) {
    const ip = s.spec?.clusterIP;
    const type = s.spec?.type ?? "ClusterIP";
    if (type === "ExternalName" || !ip || ip === "None") continue;
    const key = `${s.metadata.namespace}/${s.metadata.name}`;
    const isDns = key === "kube-system/kube-dns" && localDns;
    const ep = endpoints.get(key);
    for (const p of s.spec.ports ?? []) {
      const protocol = (p.protocol ?? "TCP") === "UDP" ? proxyv1.Protocol.PROTOCOL_UDP : proxyv1.Protocol.PROTOCOL_TCP;
      const eps: proxyv1.Endpoint[] = [];
      if (isDns) {
        eps.push({ ip: localDns.ip, port: localDns.port, nodeName, targetRef: "node-local dns" });
      } else {
        for (const sub of ep?.subsets ?? []) {
          // The subset port that serves this service port: by name, or the only one.
          const sp = sub.ports?.find((x) => (p.name ? x.name === p.name : true) && (x.protocol ?? "TCP") === (p.protocol ?? "TCP"));
          if (!sp) continue;
          for (const a of sub.addresses ?? []) {
            eps.push({ ip: a.ip, port: sp.port, nodeName: a.nodeName ?? "", targetRef: a.targetRef ? `${a.targetRef.namespace}/${a.targetRef.name}` : "" });
          }
        }
      }
      out.push({
        name: `${key}:${p.name || p.port}`,
        protocol, clusterIp: ip, port: p.port,
        nodePort: type === "NodePort" || type === "LoadBalancer" ? (p.nodePort ?? 0) : 0,
        loadBalancerIps: type === "LoadBalancer" ? (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((x): x is string => !!x) : [],
        endpoints: eps,
        sessionAffinitySeconds: s.spec.sessionAffinity === "ClientIP" ? (s.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : 0,
        internalLocal: s.spec.internalTrafficPolicy === "Local",
        externalLocal: s.spec.externalTrafficPolicy === "Local",
        preferClose: s.spec.trafficDistribution === "PreferClose",
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
