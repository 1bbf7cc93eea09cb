// Service, Endpoints (core/v1) and EndpointSlice (discovery.k8s.io/v1). Allocation of
// ClusterIPs and NodePorts happens in the apiserver (admission/service-allocation.ts).
import { field } from "../errors.js";
import { ipv4InCidr, parseIPv4 } from "../ipv4.js";
import type { KObject } from "../types.js";
import { gv, withMeta, type Info } from "./common.js";
import * as serviceSchema from "../schema/service.js";

export interface ServicePort {
  name?: string;
  protocol?: "TCP" | "UDP" | "SCTP";
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  appProtocol?: string;
}

export interface Service extends KObject {
  spec: {
    type?: "ClusterIP" | "NodePort" | "LoadBalancer" | "ExternalName";
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    clusterIPs?: string[];
    externalName?: string;
    sessionAffinity?: "None" | "ClientIP";
    sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
    externalTrafficPolicy?: "Cluster" | "Local";
    internalTrafficPolicy?: "Cluster" | "Local";
    trafficDistribution?: string;
    publishNotReadyAddresses?: boolean;
    ipFamilies?: string[];
    ipFamilyPolicy?: string;
    loadBalancerIP?: string;
    loadBalancerClass?: string;
    externalIPs?: string[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface EndpointAddress {
  ip: string;
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind?: string; name?: string; namespace?: string; uid?: string };
}

export interface Endpoints extends KObject {
  subsets?: { addresses?: EndpointAddress[]; notReadyAddresses?: EndpointAddress[]; ports?: { name?: string; port: number; protocol?: string }[] }[];
}

export interface EndpointSlice extends KObject {
  addressType: "IPv4" | "IPv6" | "FQDN";
  endpoints: {
    addresses: string[];
    conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
    hostname?: string;
    nodeName?: string;
    targetRef?: EndpointAddress["targetRef"];
  }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

function validateService(o: KObject) {
  const s = (o as Service).spec;
  if (!s) return [field.required("spec")];
  const errs = [];
  const type = s.type ?? "ClusterIP";
  if (!["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"].includes(type))
    errs.push(field.notSupported("spec.type", type, ["ClusterIP", "ExternalName", "LoadBalancer", "NodePort"]));
  if (type === "ExternalName" && !s.externalName) errs.push(field.required("spec.externalName"));
  if (type !== "ExternalName" && s.clusterIP !== "None" && !s.ports?.length) errs.push(field.required("spec.ports"));
  const names = new Set<string>();
  (s.ports ?? []).forEach((p, i) => {
    const path = `spec.ports[${i}]`;
    if (!(Number.isInteger(p.port) && p.port >= 1 && p.port <= 65535))
      errs.push(field.invalid(`${path}.port`, p.port, "must be between 1 and 65535, inclusive"));
    if ((s.ports?.length ?? 0) > 1 && !p.name) errs.push(field.required(`${path}.name`));
    if (p.name) {
      if (names.has(p.name)) errs.push(field.duplicate(`${path}.name`, p.name));
      names.add(p.name);
    }
    if (p.protocol && !["TCP", "UDP", "SCTP"].includes(p.protocol)) errs.push(field.notSupported(`${path}.protocol`, p.protocol, ["SCTP", "TCP", "UDP"]));
    if (p.nodePort !== undefined && type !== "NodePort" && type !== "LoadBalancer")
      errs.push(field.forbidden(`${path}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
  });
  if (s.loadBalancerClass !== undefined && type !== "LoadBalancer")
    errs.push(field.forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"));
  if (s.sessionAffinity && !["None", "ClientIP"].includes(s.sessionAffinity))
    errs.push(field.notSupported("spec.sessionAffinity", s.sessionAffinity, ["ClientIP", "None"]));
  // Kubernetes' ValidateNonSpecialIP: an external IP must be a real, routable address.
  (s.externalIPs ?? []).forEach((ip, i) => {
    const p = `spec.externalIPs[${i}]`;
    const n = parseIPv4(String(ip));
    if (n === undefined) errs.push(field.invalid(p, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
    else if (ip === "0.0.0.0") errs.push(field.invalid(p, ip, "may not be unspecified (0.0.0.0)"));
    else if (ipv4InCidr(ip, "127.0.0.0/8")) errs.push(field.invalid(p, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
    else if (ipv4InCidr(ip, "169.254.0.0/16")) errs.push(field.invalid(p, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
    else if (ipv4InCidr(ip, "224.0.0.0/4")) errs.push(field.invalid(p, ip, "may not be in the multicast range (224.0.0.0/4, ff00::/8)"));
  });
  return errs;
}

export const serviceResources: Info[] = [
  {
    ...gv("", "v1"),
    resource: "services",
    singular: "service",
    kind: "Service",
    listKind: "ServiceList",
    schema: serviceSchema.Service,
    categories: ["all"],
    garbageCollected: true,
    namespaced: true,
    shortNames: ["svc"],
    hasStatus: true,
    gracefulDelete: false,
    validate: withMeta(true, validateService, true),
    applyDefaults: (o) => {
      const s = (o as Service).spec;
      if (!s) return;
      s.type ??= "ClusterIP";
      s.sessionAffinity ??= "None";
      if (s.type !== "ExternalName") s.internalTrafficPolicy ??= "Cluster";
      if (s.type === "NodePort" || s.type === "LoadBalancer") s.externalTrafficPolicy ??= "Cluster";
      for (const p of s.ports ?? []) {
        p.protocol ??= "TCP";
        p.targetPort ??= p.port;
      }
    },
  },
  {
    ...gv("", "v1"),
    resource: "endpoints",
    singular: "endpoints",
    kind: "Endpoints",
    listKind: "EndpointsList",
    schema: serviceSchema.Endpoints,
    namespaced: true,
    shortNames: ["ep"],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(true),
  },
  {
    ...gv("discovery.k8s.io", "v1"),
    resource: "endpointslices",
    singular: "endpointslice",
    kind: "EndpointSlice",
    listKind: "EndpointSliceList",
    schema: serviceSchema.EndpointSlice,
    namespaced: true,
    shortNames: [],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(true, (o) => ((o as EndpointSlice).addressType ? [] : [field.required("addressType")])),
  },
];
