// NodePorts plugin: a pod asking for a hostPort only goes to a node where no other pod holds the
// same port and protocol on an overlapping host IP (0.0.0.0, or no hostIP, overlaps every IP).
import type { Pod } from "@skiff/api";
import { success, unschedulable, type CycleContext, type FilterPlugin, type NodeInfo, type Status } from "../../framework/types.js";

/** The plugin's name. */
export const NAME = "NodePorts";
/** Kubernetes' reason for a node whose host ports are taken. */
export const REASON = "node(s) didn't have free ports for the requested pod ports";

/** One host port a pod binds on its node. */
export interface HostPort {
  protocol: string;
  hostIP: string;
  port: number;
}

/** The host ports of a pod's containers (init containers included). */
export function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ protocol: p.protocol ?? "TCP", hostIP: p.hostIP || "0.0.0.0", port: p.hostPort });
    }
  }
  return out;
}

/** Whether two host ports cannot both be bound. */
export function conflicts(a: HostPort, b: HostPort): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.hostIP === b.hostIP || a.hostIP === "0.0.0.0" || b.hostIP === "0.0.0.0");
}

/** Rejects nodes where a wanted host port is taken. */
export function filter(_ctx: CycleContext, pod: Pod, nodeInfo: NodeInfo): Status {
  const wanted = hostPortsOf(pod);
  if (wanted.length === 0) return success;
  for (const other of nodeInfo.pods) {
    if (other.metadata.uid === pod.metadata.uid) continue;
    for (const used of hostPortsOf(other)) if (wanted.some((w) => conflicts(w, used))) return unschedulable(REASON);
  }
  return success;
}

/** The NodePorts filter plugin. */
export const nodePorts: FilterPlugin = { name: NAME, preFilter: (_ctx, pod) => (hostPortsOf(pod).length > 0 ? undefined : "Skip"), filter };
