// The nodes table (kubectl's printNode): STATUS from the Ready condition, ROLES from labels.
import type { Node } from "@skiff/api";
import { ageSince } from "./age.js";
import { column, docs, makeTable, type Table, type TableOptions } from "./types.js";

/** Column definitions of the nodes table, as the Kubernetes apiserver declares them. */
export const nodeColumns = [
  column("Name", docs.name, { format: "name" }),
  column("Status", "The status of the node"),
  column("Roles", "The roles of the node"),
  column("Age", docs.age),
  column("Version", "Kubelet Version reported by the node."),
  column("Internal-IP", "List of addresses reachable to the node.", { priority: 1 }),
  column("External-IP", "List of addresses reachable to the node.", { priority: 1 }),
  column("OS-Image", "OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).", { priority: 1 }),
  column("Kernel-Version", "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
  column("Container-Runtime", "ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).", { priority: 1 }),
];

/** Builds the nodes table. */
export function nodeTable(nodes: Node[], opts: TableOptions = {}): Table {
  return makeTable(
    nodeColumns,
    nodes.map((n) => ({ cells: nodeRow(n, opts.now), object: n })),
  );
}

/** STATUS of a node: Ready / NotReady / Unknown, plus ",SchedulingDisabled" when cordoned. */
export function nodeStatus(node: Node): string {
  const ready = node.status?.conditions?.find((c) => c.type === "Ready");
  // kubectl prints "NotReady" for both False and Unknown; "Unknown" only when no condition exists.
  const status = [ready ? (ready.status === "True" ? "Ready" : "NotReady") : "Unknown"];
  if (node.spec?.unschedulable) status.push("SchedulingDisabled");
  return status.join(",");
}

/** Roles from `node-role.kubernetes.io/<role>` label keys and the `kubernetes.io/role` label. */
export function nodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata.labels ?? {})) {
    if (k.startsWith("node-role.kubernetes.io/")) {
      const role = k.slice("node-role.kubernetes.io/".length);
      if (role) roles.add(role);
    } else if (k === "kubernetes.io/role" && v) {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function address(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address || "<none>";
}

/** The cells of one node row (all columns, wide ones included). */
export function nodeRow(node: Node, now: Date = new Date()): string[] {
  const info = node.status?.nodeInfo ?? {};
  const roles = nodeRoles(node);
  return [
    node.metadata.name ?? "",
    nodeStatus(node),
    roles.length ? roles.join(",") : "<none>",
    ageSince(node.metadata.creationTimestamp, now),
    info.kubeletVersion ?? "",
    address(node, "InternalIP"),
    address(node, "ExternalIP"),
    info.osImage || "<unknown>",
    info.kernelVersion || "<unknown>",
    info.containerRuntimeVersion || "<unknown>",
  ];
}
