import { describe, expect, it } from "vitest";
import type { Endpoints, Service } from "@skiff/api";
import { resolve, type ClusterView } from "./records.js";
import { TYPE, RCODE } from "../wire/wire.js";

const D = "cluster.local";
const services: Service[] = [
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "default" },
    spec: { clusterIP: "10.96.0.20", ports: [{ name: "http", port: 80, protocol: "TCP" }] },
  },
  { apiVersion: "v1", kind: "Service", metadata: { name: "db", namespace: "data" }, spec: { clusterIP: "None", ports: [{ name: "sql", port: 5432 }] } },
  { apiVersion: "v1", kind: "Service", metadata: { name: "ext", namespace: "default" }, spec: { type: "ExternalName", externalName: "db.example.com" } },
];
const endpoints: Endpoints[] = [
  {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "db", namespace: "data" },
    subsets: [
      {
        addresses: [{ ip: "10.1.0.5", hostname: "db-0" }, { ip: "10.1.0.6" }],
        notReadyAddresses: [{ ip: "10.1.0.7", hostname: "db-2" }],
        ports: [{ name: "sql", port: 5432 }],
      },
    ],
  },
];
const view: ClusterView = {
  service: (ns, n) => services.find((s) => s.metadata.namespace === ns && s.metadata.name === n),
  endpoints: (ns, n) => endpoints.find((e) => e.metadata.namespace === ns && e.metadata.name === n),
  services: () => services,
  allEndpoints: () => endpoints,
};
const q = (name: string, type: number) => resolve(view, D, name, type);
const values = (r: ReturnType<typeof q>) => r?.answers.map((a) => ("ip" in a ? a.ip : "target" in a ? a.target : "")) ?? [];

describe("DNS records", () => {
  it("answers A for a ClusterIP service, NOERROR-empty for AAAA, NXDOMAIN for unknown names", () => {
    expect(values(q("web.default.svc.cluster.local", TYPE.A))).toEqual(["10.96.0.20"]);
    expect(q("web.default.svc.cluster.local", TYPE.AAAA)).toEqual({ rcode: RCODE.NOERROR, answers: [] });
    expect(q("nope.default.svc.cluster.local", TYPE.A)?.rcode).toBe(RCODE.NXDOMAIN);
    expect(q("web.nowhere.svc.cluster.local", TYPE.A)?.rcode).toBe(RCODE.NXDOMAIN);
    expect(q("default.svc.cluster.local", TYPE.A)).toEqual({ rcode: RCODE.NOERROR, answers: [] }); // a namespace with services exists
    expect(q("example.com", TYPE.A)).toBeUndefined(); // not ours: forwarded
  });

  it("answers every ready pod of a headless service, and pods by hostname (ready ones only)", () => {
    expect(values(q("db.data.svc.cluster.local", TYPE.A))).toEqual(["10.1.0.5", "10.1.0.6"]);
    expect(values(q("db-0.db.data.svc.cluster.local", TYPE.A))).toEqual(["10.1.0.5"]);
    expect(q("db-2.db.data.svc.cluster.local", TYPE.A)?.rcode).toBe(RCODE.NXDOMAIN);
  });

  it("answers SRV for named ports: the service name for a ClusterIP, each pod for headless", () => {
    const web = q("_http._tcp.web.default.svc.cluster.local", TYPE.SRV)!;
    expect(web.answers).toEqual([expect.objectContaining({ type: TYPE.SRV, port: 80, target: "web.default.svc.cluster.local" })]);
    const db = q("_sql._tcp.db.data.svc.cluster.local", TYPE.SRV)!;
    expect(db.answers.map((a) => "target" in a && a.target)).toEqual(["db-0.db.data.svc.cluster.local", "10-1-0-6.db.data.svc.cluster.local"]);
    expect(q("_nope._tcp.web.default.svc.cluster.local", TYPE.SRV)?.rcode).toBe(RCODE.NXDOMAIN);
  });

  it("answers CNAME for ExternalName, pod-IP names, and PTR for ClusterIPs and pod hostnames", () => {
    expect(q("ext.default.svc.cluster.local", TYPE.A)?.answers).toEqual([expect.objectContaining({ type: TYPE.CNAME, target: "db.example.com" })]);
    expect(values(q("10-1-0-9.data.pod.cluster.local", TYPE.A))).toEqual(["10.1.0.9"]);
    expect(values(q("20.0.96.10.in-addr.arpa", TYPE.PTR))).toEqual(["web.default.svc.cluster.local"]);
    expect(values(q("5.0.1.10.in-addr.arpa", TYPE.PTR))).toEqual(["db-0.db.data.svc.cluster.local"]);
    expect(q("1.2.3.4.in-addr.arpa", TYPE.PTR)).toBeUndefined(); // not a cluster address: upstream
  });
});
