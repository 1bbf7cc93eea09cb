// The proxy's desired table as a pure function of Services and Endpoints: one entry per
// service port with its ready endpoints (target ports resolved per subset). The kube-dns
// service is sent to this node's own dns process (node-local DNS behind the DNS ClusterIP), and
// kube-system/skiff-ingress (ports http, https) to this node's own ingress controller.
import type { Endpoints, Service } from "@skiff/api";
import { proxyv1 } from "@skiff/proto";

/** Where this node's dns process listens (127.0.0.1:port), if it runs. */
export interface LocalDns {
  ip: string;
  port: number;
}

/** Where this node's ingress controller listens (127.0.0.1, its HTTP and HTTPS ports). */
export interface LocalIngress {
  ip: string;
  httpPort: number;
  httpsPort: number;
  /** It accepts a PROXY protocol v2 header from the proxy (so it sees the client's address). */
  proxyProtocol?: boolean;
}

/** The controller's Service (created by the controller; see services/ingress/src/bootstrap). */
const INGRESS_SERVICE = "kube-system/skiff-ingress";

/** Builds the service entries of the table. */
export function buildTable(
  services: Service[],
  endpoints: Map<string, Endpoints>,
  nodeName: string,
  localDns?: LocalDns,
  localIngress?: LocalIngress,
): proxyv1.ServicePort[] {
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
      } else if (key === INGRESS_SERVICE) {
        const port = p.name === "https" ? localIngress?.httpsPort : p.name === "http" ? localIngress?.httpPort : undefined;
        if (localIngress && port) eps.push({ ip: localIngress.ip, port, nodeName, targetRef: "node-local ingress" });
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
        protocol,
        clusterIp: ip,
        port: p.port,
        nodePort: type === "NodePort" || type === "LoadBalancer" ? (p.nodePort ?? 0) : 0,
        loadBalancerIps: type === "LoadBalancer" ? (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((x): x is string => !!x) : [],
        endpoints: eps,
        sessionAffinitySeconds: s.spec.sessionAffinity === "ClientIP" ? (s.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : 0,
        internalLocal: s.spec.internalTrafficPolicy === "Local",
        externalLocal: s.spec.externalTrafficPolicy === "Local",
        preferClose: s.spec.trafficDistribution === "PreferClose",
        proxyProtocol: key === INGRESS_SERVICE && !!localIngress?.proxyProtocol,
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
