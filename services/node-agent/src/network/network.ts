// The node's pod network: a Docker bridge for the podCIDR the controller-manager assigned
// to this Node (node IPAM). Pods' sandboxes join it, one IP each. Also the IPv4 arithmetic the
// agent's network code shares (routes, rules, the sandboxes' IPAM).

/** An IPv4 address as a number (no validation: the agent's addresses come from its own config). */
export function ipToInt(ip: string): number {
  return ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

export function intToIp(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".");
}

/** A CIDR's first address (as a number) and its size. */
export function cidrRange(cidr: string): { net: number; size: number } {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return { net: Math.floor(ipToInt(base) / size) * size, size };
}

export function inCidr(ip: string, cidr: string): boolean {
  const { net, size } = cidrRange(cidr);
  return Math.floor(ipToInt(ip) / size) * size === net;
}

/** Gateway of a podCIDR: its first address (10.244.3.0/24 → 10.244.3.1). */
export function gatewayOf(cidr: string): string {
  const [addr] = cidr.split("/");
  const parts = addr.split(".").map(Number);
  parts[3] += 1;
  return parts.join(".");
}

/** Docker network name of a node's pod network. */
export function podNetworkName(cluster: string, node: string): string {
  return `skiff-${cluster}-${node}`.slice(0, 60);
}
