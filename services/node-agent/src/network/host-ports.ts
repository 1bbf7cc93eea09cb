// hostPort: a container port a pod asks to have on its node's address. Like the CNI portmap
// plugin, the node's proxy listens on nodeIP:hostPort (or the hostIP the port names) and relays
// to podIP:containerPort; the scheduler's NodePorts filter keeps two pods of one port apart.
import type { Pod } from "@skiff/api";
import { proxyv1 } from "@skiff/proto";

/** The proxy entries of the host ports of this node's running pods. */
export function hostPortEntries(pods: Pod[], nodeIP: string, nodeName: string): proxyv1.ServicePort[] {
  const out: proxyv1.ServicePort[] = [];
  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || pod.spec.nodeName !== nodeName || pod.metadata.deletionTimestamp) continue;
    // A hostNetwork pod listens on the node's addresses itself.
    if (pod.spec.hostNetwork === true) continue;
    if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
    for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
      for (const p of c.ports ?? []) {
        if (!p.hostPort) continue;
        const protocol = (p.protocol ?? "TCP") === "UDP" ? proxyv1.Protocol.PROTOCOL_UDP : proxyv1.Protocol.PROTOCOL_TCP;
        const address = p.hostIP && p.hostIP !== "0.0.0.0" ? p.hostIP : nodeIP;
        out.push({
          name: `hostport/${pod.metadata.namespace}/${pod.metadata.name}:${p.hostPort}/${p.protocol ?? "TCP"}`,
          protocol,
          clusterIp: "",
          port: p.hostPort,
          nodePort: 0,
          loadBalancerIps: [address],
          endpoints: [{ ip, port: p.containerPort, nodeName, targetRef: `${pod.metadata.namespace}/${pod.metadata.name}` }],
          sessionAffinitySeconds: 0,
          internalLocal: false,
          externalLocal: false,
          preferClose: false,
          proxyProtocol: false,
        });
      }
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}
