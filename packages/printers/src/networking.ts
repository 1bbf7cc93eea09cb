// Tables of Ingresses and IngressClasses (kubectl's printIngress, printIngressClass).
import type { Ingress, IngressClass } from "@skiff/api";
import { ageSince } from "./age.js";
import { column, docs, makeTable, type Table, type TableOptions } from "./types.js";

/** HOSTS of an Ingress: its rules' hosts ("*" for a rule without one), at most 4 then " + N more...". */
export function ingressHosts(i: Ingress): string {
  const hosts = (i.spec?.rules ?? []).map((r) => r.host || "*");
  if (hosts.length === 0) return "*";
  return hosts.length > 4 ? `${hosts.slice(0, 4).join(",")} + ${hosts.length - 4} more...` : hosts.join(",");
}

/** ADDRESS of an Ingress: its status's IPs and host names. */
export function ingressAddress(i: Ingress): string {
  return (i.status?.loadBalancer?.ingress ?? [])
    .map((x) => x.ip || x.hostname)
    .filter(Boolean)
    .join(",");
}

/** Ingresses: CLASS HOSTS ADDRESS PORTS AGE, as kubectl prints them. */
export function ingressTable(items: Ingress[], opts: TableOptions = {}): Table {
  const cols = [
    column("Name", docs.name, { format: "name" }),
    column("Class", "The name of the IngressClass resource that should be used for additional configuration"),
    column("Hosts", "Hosts that incoming requests are matched against before the ingress rule"),
    column("Address", "Address is a list containing ingress points for the load-balancer"),
    column("Ports", "Ports of TLS configurations that open"),
    column("Age", docs.age),
  ];
  return makeTable(
    cols,
    items.map((i) => ({
      object: i,
      cells: [
        i.metadata.name ?? "",
        i.spec?.ingressClassName || "<none>",
        ingressHosts(i),
        ingressAddress(i),
        i.spec?.tls?.length ? "80, 443" : "80",
        ageSince(i.metadata.creationTimestamp, opts.now),
      ],
    })),
  );
}

/** IngressClasses: CONTROLLER PARAMETERS AGE. */
export function ingressClassTable(items: IngressClass[], opts: TableOptions = {}): Table {
  const cols = [
    column("Name", docs.name, { format: "name" }),
    column("Controller", "Controller that is responsible for handling this class"),
    column("Parameters", "A reference to a resource with additional parameters"),
    column("Age", docs.age),
  ];
  return makeTable(
    cols,
    items.map((c) => {
      const p = c.spec?.parameters;
      return {
        object: c,
        cells: [c.metadata.name ?? "", c.spec?.controller ?? "", p ? `${p.kind}/${p.name}` : "<none>", ageSince(c.metadata.creationTimestamp, opts.now)],
      };
    }),
  );
}
