// A pod's resolver settings from dnsPolicy/dnsConfig, as the kubelet computes them:
// ClusterFirst → the cluster DNS with <ns>.svc.<domain>, svc.<domain>, <domain> and ndots:5;
// Default → the node's own resolv.conf (Docker's default); None → dnsConfig only.
import type { Pod } from "@skiff/api";

/** Docker's Dns / DnsSearch / DnsOptions for the sandbox; undefined = Docker's default. */
export interface DnsSettings {
  servers: string[];
  searches: string[];
  options: string[];
}

interface DnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

/** Resolver settings for a pod. */
export function podDns(pod: Pod, clusterDns: string, domain: string): DnsSettings | undefined {
  const policy = (pod.spec.dnsPolicy as string | undefined) ?? "ClusterFirst";
  const cfg = (pod.spec.dnsConfig as DnsConfig | undefined) ?? {};
  const hostNetwork = pod.spec.hostNetwork === true;
  const extraOpts = (cfg.options ?? []).map((o) => (o.value !== undefined ? `${o.name}:${o.value}` : o.name));
  let base: DnsSettings | undefined;
  if (policy === "None") base = { servers: [], searches: [], options: [] };
  else if (policy === "Default" || (policy === "ClusterFirst" && hostNetwork) || !clusterDns) base = undefined;
  else base = { servers: [clusterDns], searches: [`${pod.metadata.namespace}.svc.${domain}`, `svc.${domain}`, domain], options: ["ndots:5"] };
  if (!base && !cfg.nameservers?.length && !cfg.searches?.length && !extraOpts.length) return undefined;
  const b = base ?? { servers: [], searches: [], options: [] };
  // dnsConfig is merged in: options of the same name replace the policy's.
  const names = new Set(extraOpts.map((o) => o.split(":")[0]));
  return {
    servers: [...b.servers, ...(cfg.nameservers ?? [])].slice(0, 3),
    searches: [...b.searches, ...(cfg.searches ?? [])].slice(0, 32),
    options: [...b.options.filter((o) => !names.has(o.split(":")[0])), ...extraOpts],
  };
}
