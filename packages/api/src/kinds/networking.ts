// Ingress and IngressClass (networking.k8s.io/v1): types and validation with Kubernetes' field
// paths and messages (pathType required, absolute paths, host syntax, one backend each).
import { field, type FieldError } from "../errors.js";
import type { KObject } from "../types.js";
import { isDNS1123Label, isDNS1123Subdomain } from "../validation/index.js";
import * as networkingSchema from "../schema/networking.js";
import { gv, withMeta, type Info } from "./common.js";

/** A Service port by number or by name (exactly one). */
export interface ServiceBackendPort {
  name?: string;
  number?: number;
}

/** Where matching requests go: a Service port (or a resource, which Skiff does not serve). */
export interface IngressBackend {
  service?: { name: string; port?: ServiceBackendPort };
  resource?: { apiGroup?: string; kind: string; name: string };
}

export type PathType = "Exact" | "Prefix" | "ImplementationSpecific";

export interface HTTPIngressPath {
  path?: string;
  pathType?: PathType;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths: HTTPIngressPath[] };
}

export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
}

export interface Ingress extends KObject {
  spec: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls?: IngressTLS[];
    rules?: IngressRule[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string; ports?: { port: number; protocol: string }[] }[] } };
}

export interface IngressClass extends KObject {
  spec: {
    controller?: string;
    parameters?: { apiGroup?: string; kind: string; name: string; namespace?: string; scope?: string };
  };
}

const wildcardMsg =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

/** Kubernetes' host check: a DNS subdomain or `*.` + one, never an IP address. */
export function validateIngressHost(host: string, path: string): FieldError[] {
  if (/^\d+\.\d+\.\d+\.\d+$/.test(host) || host.includes(":")) return [field.invalid(path, host, "must be a DNS name, not an IP address")];
  if (host.startsWith("*.")) return isDNS1123Subdomain(host.slice(2)) ? [field.invalid(path, host, wildcardMsg)] : [];
  if (host.includes("*")) return [field.invalid(path, host, wildcardMsg)];
  const bad = isDNS1123Subdomain(host);
  return bad ? [field.invalid(path, host, bad)] : [];
}

const pathTypes = ["Exact", "ImplementationSpecific", "Prefix"];

/** Kubernetes' path check for Exact and Prefix (ImplementationSpecific: only absolute). */
function validatePath(p: HTTPIngressPath, path: string): FieldError[] {
  if (p.pathType === undefined) return [field.required(`${path}.pathType`, "pathType must be specified")];
  if (!pathTypes.includes(p.pathType)) return [field.notSupported(`${path}.pathType`, p.pathType, pathTypes)];
  const v = p.path ?? "";
  if (p.pathType === "ImplementationSpecific") return v && !v.startsWith("/") ? [field.invalid(`${path}.path`, v, "must be an absolute path")] : [];
  if (!v.startsWith("/")) return [field.invalid(`${path}.path`, v, "must be an absolute path")];
  for (const bad of ["//", "/./", "/../", "%2f", "%2F"]) if (v.includes(bad)) return [field.invalid(`${path}.path`, v, `must not contain '${bad}'`)];
  for (const bad of ["/..", "/."]) if (v.endsWith(bad)) return [field.invalid(`${path}.path`, v, `cannot end with '${bad}'`)];
  return [];
}

/** One backend: a Service with a name and exactly one of port name / number, or a resource. */
function validateBackend(b: IngressBackend | undefined, path: string): FieldError[] {
  if (!b) return [field.required(path)];
  if (!!b.service === !!b.resource) return [field.invalid(path, b, "one backend (service or resource) must be specified")];
  if (b.resource) return b.resource.kind && b.resource.name ? [] : [field.required(`${path}.resource`, "kind and name")];
  const errs: FieldError[] = [];
  const s = b.service!;
  if (!s.name) errs.push(field.required(`${path}.service.name`));
  else if (isDNS1123Label(s.name)) errs.push(field.invalid(`${path}.service.name`, s.name, isDNS1123Label(s.name)!));
  const port = s.port;
  if (!port || (port.name === undefined && port.number === undefined)) errs.push(field.required(`${path}.service.port`, "port name or number is required"));
  else if (port.name !== undefined && port.number !== undefined)
    errs.push(field.invalid(`${path}.service.port`, port, "cannot set both port name & port number"));
  else if (port.number !== undefined && !(Number.isInteger(port.number) && port.number >= 1 && port.number <= 65535))
    errs.push(field.invalid(`${path}.service.port.number`, port.number, "must be between 1 and 65535, inclusive"));
  else if (port.name !== undefined && isDNS1123Label(port.name)) errs.push(field.invalid(`${path}.service.port.name`, port.name, isDNS1123Label(port.name)!));
  return errs;
}

/** Validates an Ingress's spec (Kubernetes' ValidateIngressSpec). */
export function validateIngress(o: KObject): FieldError[] {
  const s = (o as Ingress).spec;
  if (!s) return [field.required("spec")];
  const errs: FieldError[] = [];
  if (!s.defaultBackend && !s.rules?.length) errs.push(field.invalid("spec", s, "either `defaultBackend` or `rules` must be specified"));
  if (s.defaultBackend) errs.push(...validateBackend(s.defaultBackend, "spec.defaultBackend"));
  if (s.ingressClassName !== undefined && isDNS1123Subdomain(s.ingressClassName))
    errs.push(field.invalid("spec.ingressClassName", s.ingressClassName, isDNS1123Subdomain(s.ingressClassName)!));
  (s.rules ?? []).forEach((r, i) => {
    const path = `spec.rules[${i}]`;
    if (r.host) errs.push(...validateIngressHost(r.host, `${path}.host`));
    if (!r.http) return;
    if (!r.http.paths?.length) {
      errs.push(field.required(`${path}.http.paths`));
      return;
    }
    r.http.paths.forEach((p, j) => {
      const pp = `${path}.http.paths[${j}]`;
      errs.push(...validatePath(p, pp), ...validateBackend(p.backend, `${pp}.backend`));
    });
  });
  (s.tls ?? []).forEach((t, i) => {
    (t.hosts ?? []).forEach((h, j) => {
      errs.push(...validateIngressHost(h, `spec.tls[${i}].hosts[${j}]`));
    });
    if (t.secretName !== undefined && t.secretName !== "" && isDNS1123Subdomain(t.secretName))
      errs.push(field.invalid(`spec.tls[${i}].secretName`, t.secretName, isDNS1123Subdomain(t.secretName)!));
  });
  return errs;
}

function validateIngressClass(o: KObject): FieldError[] {
  const c = (o as IngressClass).spec;
  if (!c?.controller) return [field.required("spec.controller")];
  return /^[a-z0-9.-]+(\/[-a-zA-Z0-9_.]+)*$/.test(c.controller) && c.controller.length <= 250
    ? []
    : [field.invalid("spec.controller", c.controller, 'must be a domain-prefixed path (such as "acme.io/foo")')];
}

export const networkingResources: Info[] = [
  {
    ...gv("networking.k8s.io", "v1"),
    resource: "ingresses",
    singular: "ingress",
    kind: "Ingress",
    listKind: "IngressList",
    schema: networkingSchema.Ingress,
    namespaced: true,
    shortNames: ["ing"],
    hasStatus: true,
    gracefulDelete: false,
    validate: withMeta(true, validateIngress),
  },
  {
    ...gv("networking.k8s.io", "v1"),
    resource: "ingressclasses",
    singular: "ingressclass",
    kind: "IngressClass",
    schema: networkingSchema.IngressClass,
    listKind: "IngressClassList",
    namespaced: false,
    shortNames: [],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(false, validateIngressClass),
  },
];
