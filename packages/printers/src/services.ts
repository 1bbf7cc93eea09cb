// Tables of Services and Endpoints (kubectl's printService, printEndpoints).
import type { Endpoints, Service } from "@skiff/api";
import { ageSince } from "./age.js";
import { column, docs, makeTable, type Table, type TableOptions } from "./types.js";

/** PORT(S) of a service: 80/TCP, 80:30080/TCP for node ports. */
export function servicePorts(s: Service): string {
  const ports = s.spec?.ports ?? [];
  if (ports.length === 0) return "<none>";
  return ports.map((p) => (p.nodePort ? `${p.port}:${p.nodePort}/${p.protocol ?? "TCP"}` : `${p.port}/${p.protocol ?? "TCP"}`)).join(",");
}

function externalIP(s: Service): string {
  const type = s.spec?.type ?? "ClusterIP";
  const lb = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip || i.hostname).filter(Boolean) as string[];
  const ext = (s.spec as { externalIPs?: string[] })?.externalIPs ?? [];
  if (type === "ExternalName") return s.spec?.externalName ?? "<none>";
  if (type === "LoadBalancer") return [...lb, ...ext].join(",") || "<pending>";
  return ext.join(",") || "<none>";
}

/** Services: TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE, SELECTOR wide. */
export function serviceTable(items: Service[], opts: TableOptions = {}): Table {
  const cols = [
    column("Name", docs.name, { format: "name" }),
    column("Type", "The type of the service."),
    column("Cluster-IP", "The cluster IP of the service."),
    column("External-IP", "The external IP of the service."),
    column("Port(s)", "The ports of the service."),
    column("Age", docs.age),
    column("Selector", "The label selector of the service.", { priority: 1 }),
  ];
  return makeTable(
    cols,
    items.map((s) => ({
      object: s,
      cells: [
        s.metadata.name ?? "",
        s.spec?.type ?? "ClusterIP",
        s.spec?.clusterIP || "<none>",
        externalIP(s),
        servicePorts(s),
        ageSince(s.metadata.creationTimestamp, opts.now),
        Object.entries(s.spec?.selector ?? {})
          .map(([k, v]) => `${k}=${v}`)
          .join(",") || "<none>",
      ],
    })),
  );
}

/** ENDPOINTS of an Endpoints object: ip:port pairs, at most 3 then " + N more...". */
export function endpointsText(e: Endpoints): string {
  const list: string[] = [];
  for (const s of e.subsets ?? []) {
    const ports = s.ports?.length ? s.ports : [undefined];
    for (const a of s.addresses ?? []) for (const p of ports) list.push(p ? `${a.ip}:${p.port}` : a.ip);
  }
  if (list.length === 0) return "<none>";
  return list.length > 3 ? `${list.slice(0, 3).join(",")} + ${list.length - 3} more...` : list.join(",");
}

/** Endpoints: ENDPOINTS AGE. */
export function endpointsTable(items: Endpoints[], opts: TableOptions = {}): Table {
  const cols = [column("Name", docs.name, { format: "name" }), column("Endpoints", "Endpoints of the service"), column("Age", docs.age)];
  return makeTable(
    cols,
    items.map((e) => ({ object: e, cells: [e.metadata.name ?? "", endpointsText(e), ageSince(e.metadata.creationTimestamp, opts.now)] })),
  );
}
