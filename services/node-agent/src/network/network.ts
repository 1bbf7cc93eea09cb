// The node's pod network: a Docker bridge for the podCIDR the controller-manager assigned
// to this Node (node IPAM). Pods' sandboxes join it, one IP each.

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
