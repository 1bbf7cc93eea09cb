// `describe node`: labels, taints, conditions, addresses, capacity, allocatable, system
// info, the pods running on it with their requests and limits (kubectl's NodeDescriber).
import { cpuToMilli, formatBytes, formatCpuMilli, memoryToBytes, type Container, type Node, type Pod, type Taint } from "@skiff/api";
import { ageSince } from "@skiff/printers";
import { nodeRoles } from "@skiff/printers";
import { type DescribeWriter, formatTime } from "./writer.js";

const systemInfo: [string, string][] = [
  ["machineID", "Machine ID"],
  ["systemUUID", "System UUID"],
  ["bootID", "Boot ID"],
  ["kernelVersion", "Kernel Version"],
  ["osImage", "OS Image"],
  ["operatingSystem", "Operating System"],
  ["architecture", "Architecture"],
  ["containerRuntimeVersion", "Container Runtime Version"],
  ["kubeletVersion", "Kubelet Version"],
  ["kubeProxyVersion", "Kube-Proxy Version"],
];

/** `key=value:NoSchedule`. */
export function formatTaint(t: Taint): string {
  return `${t.key}${t.value ? `=${t.value}` : ""}:${t.effect}`;
}

/** Writes everything but the events of a node; `pods` are the pods bound to it. */
export function describeNode(w: DescribeWriter, node: Node, pods: Pod[], now: Date = new Date()): void {
  const roles = nodeRoles(node);
  w.line(0, `Name:\t${node.metadata.name}`);
  w.line(0, `Roles:\t${roles.length ? roles.join(",") : "<none>"}`);
  w.map(0, "Labels", node.metadata.labels);
  w.annotations(0, node.metadata.annotations);
  w.line(0, `CreationTimestamp:\t${formatTime(node.metadata.creationTimestamp)}`);
  w.list(0, "Taints", (node.spec?.taints ?? []).map(formatTaint));
  w.line(0, `Unschedulable:\t${node.spec?.unschedulable === true}`);
  const conds = node.status?.conditions ?? [];
  if (conds.length) {
    w.line(0, "Conditions:");
    w.line(1, "Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage");
    w.line(1, "----\t------\t-----------------\t------------------\t------\t-------");
    for (const c of conds) {
      w.line(1, `${c.type} \t${c.status} \t${formatTime(c.lastHeartbeatTime)} \t${formatTime(c.lastTransitionTime)} \t${c.reason ?? ""} \t${c.message ?? ""}`);
    }
  }
  const addrs = node.status?.addresses ?? [];
  if (addrs.length) {
    w.line(0, "Addresses:");
    for (const a of addrs) w.line(1, `${a.type}:\t${a.address}`);
  }
  for (const [title, list] of [
    ["Capacity", node.status?.capacity],
    ["Allocatable", node.status?.allocatable],
  ] as const) {
    const keys = Object.keys(list ?? {}).sort();
    if (!keys.length) continue;
    w.line(0, `${title}:`);
    for (const k of keys) w.line(1, `${k}:\t${list![k]}`);
  }
  const info = node.status?.nodeInfo ?? {};
  w.line(0, "System Info:");
  for (const [key, title] of systemInfo) w.line(1, `${title}:\t${info[key] ?? ""}`);
  if (node.spec?.podCIDR) w.line(0, `PodCIDR:\t${node.spec.podCIDR}`);
  if (node.spec?.podCIDRs?.length) w.line(0, `PodCIDRs:\t${node.spec.podCIDRs.join(",")}`);
  // Skiff's addition (kubectl's describe does not print status.images): what the node's engine holds, largest first.
  const images = node.status?.images ?? [];
  if (images.length) {
    w.line(0, "Images:");
    for (const i of images) w.line(1, `${i.names.filter((n) => !n.includes("@")).join(", ") || i.names[0] || "<none>"}\t${formatBytes(i.sizeBytes)}`);
  }
  describePodsOnNode(
    w,
    node,
    pods.filter((p) => p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed"),
    now,
  );
}

interface Amounts {
  cpuReq: number;
  cpuLim: number;
  memReq: number;
  memLim: number;
}

/** A quantity parser that treats bad quantities as zero: describe should never fail on them. */
function safe(f: (q: string) => number, q: string | undefined): number {
  if (q === undefined) return 0;
  try {
    return f(q);
  } catch {
    return 0;
  }
}

/** Requests and limits of a pod: the sum over containers, at least the largest init container. */
export function podAmounts(pod: Pod): Amounts {
  const of = (c: Container): Amounts => ({
    cpuReq: safe(cpuToMilli, c.resources?.requests?.cpu ?? c.resources?.limits?.cpu),
    cpuLim: safe(cpuToMilli, c.resources?.limits?.cpu),
    memReq: safe(memoryToBytes, c.resources?.requests?.memory ?? c.resources?.limits?.memory),
    memLim: safe(memoryToBytes, c.resources?.limits?.memory),
  });
  const sum: Amounts = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0 };
  for (const c of pod.spec?.containers ?? []) {
    const a = of(c);
    for (const k of Object.keys(sum) as (keyof Amounts)[]) sum[k] += a[k];
  }
  for (const c of pod.spec?.initContainers ?? []) {
    const a = of(c);
    for (const k of Object.keys(sum) as (keyof Amounts)[]) sum[k] = Math.max(sum[k], a[k]);
  }
  return sum;
}

function describePodsOnNode(w: DescribeWriter, node: Node, pods: Pod[], now: Date): void {
  const alloc = node.status?.allocatable ?? node.status?.capacity ?? {};
  const cpuAlloc = safe(cpuToMilli, alloc.cpu);
  const memAlloc = safe(memoryToBytes, alloc.memory);
  const pct = (v: number, total: number) => (total > 0 ? Math.trunc((v / total) * 100) : 0);
  const cpu = (v: number) => `${formatCpuMilli(v)} (${pct(v, cpuAlloc)}%)`;
  const mem = (v: number) => `${formatBytes(v)} (${pct(v, memAlloc)}%)`;
  w.line(0, `Non-terminated Pods:\t(${pods.length} in total)`);
  const total: Amounts = { cpuReq: 0, cpuLim: 0, memReq: 0, memLim: 0 };
  if (pods.length) {
    w.line(1, "Namespace\tName\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge");
    w.line(1, "---------\t----\t------------\t----------\t---------------\t-------------\t---");
    for (const p of pods) {
      const a = podAmounts(p);
      for (const k of Object.keys(total) as (keyof Amounts)[]) total[k] += a[k];
      w.line(
        1,
        `${p.metadata.namespace}\t${p.metadata.name}\t${cpu(a.cpuReq)}\t${cpu(a.cpuLim)}\t${mem(a.memReq)}\t${mem(a.memLim)}\t${ageSince(p.metadata.creationTimestamp, now)}`,
      );
    }
  }
  w.line(0, "Allocated resources:");
  w.line(1, "(Total limits may be over 100 percent, i.e., overcommitted.)");
  w.line(1, "Resource\tRequests\tLimits");
  w.line(1, "--------\t--------\t------");
  w.line(1, `cpu\t${cpu(total.cpuReq)}\t${cpu(total.cpuLim)}`);
  w.line(1, `memory\t${mem(total.memReq)}\t${mem(total.memLim)}`);
}
