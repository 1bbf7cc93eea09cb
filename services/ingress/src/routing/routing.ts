// The routing table: a pure function of the Ingresses this controller serves. Hosts match
// exactly or by a one-label wildcard, case-insensitively; paths by Kubernetes' rules (Exact,
// Prefix element-wise, ImplementationSpecific = Prefix, or regexes under use-regex); the
// longest path wins, Exact before Prefix at equal length; rules of several Ingresses for one
// host merge (the oldest Ingress wins a conflict); then the host's or the global default backend.
import type { Ingress, IngressBackend, IngressClass, PathType, ServiceBackendPort } from "@skiff/api";
import { parseAnnotations, type RouteOptions } from "../annotations/annotations.js";

/** A Service port in a namespace. */
export interface BackendRef {
  namespace: string;
  service: string;
  port: ServiceBackendPort;
}

/** One path rule of one Ingress. */
export interface Route {
  /** "namespace/name" of the Ingress. */
  ingress: string;
  host: string;
  path: string;
  pathType: PathType;
  backend?: BackendRef;
  /** Set when the backend is not a Service (resource backends are not served). */
  unsupported?: string;
  options: RouteOptions;
  regex?: RegExp;
}

/** What a request resolves to. */
export interface Match {
  route?: Route;
  /** The backend: the route's, or a default backend. */
  backend?: BackendRef;
  options: RouteOptions;
  ingress?: string;
  /** The path to send upstream (rewrite-target applied); the request's own otherwise. */
  upstreamPath?: string;
}

/** A TLS host's certificate source. */
export interface TlsHost {
  ingress: string;
  namespace: string;
  secretName: string;
}

/** A problem to report on an Ingress as a Warning event. */
export interface Problem {
  ingress: string;
  reason: string;
  message: string;
}

/** The controller's name in IngressClass.spec.controller. */
export const CONTROLLER = "skiff.dev/ingress";
export const DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

const keyOf = (i: Ingress) => `${i.metadata.namespace}/${i.metadata.name}`;

/** Older first (creationTimestamp), then by namespace/name: the stable order of conflicts. */
function older(a: Ingress, b: Ingress): number {
  const ta = a.metadata.creationTimestamp ?? "",
    tb = b.metadata.creationTimestamp ?? "";
  return ta < tb ? -1 : ta > tb ? 1 : keyOf(a).localeCompare(keyOf(b));
}

/** Whether this controller serves `ing`: its class (or legacy annotation) is ours, or it has none and one of ours is default. */
export function servedByUs(ing: Ingress, classes: IngressClass[]): boolean {
  const ours = classes.filter((c) => c.spec?.controller === CONTROLLER);
  const name = ing.spec?.ingressClassName ?? ing.metadata.annotations?.["kubernetes.io/ingress.class"];
  if (name) return ours.some((c) => c.metadata.name === name);
  return ours.some((c) => c.metadata.annotations?.[DEFAULT_CLASS_ANNOTATION] === "true");
}

/** Normalises a Host header: port and trailing dot dropped, lower case. */
export function normalizeHost(h: string | undefined): string {
  if (!h) return "";
  let host = h.trim().toLowerCase();
  if (host.startsWith("[")) return host.slice(0, host.indexOf("]") + 1);
  const i = host.lastIndexOf(":");
  if (i >= 0) host = host.slice(0, i);
  return host.replace(/\.$/, "");
}

/** Kubernetes' Prefix match: element-wise, a trailing slash of either side ignored. */
export function prefixMatches(rulePath: string, path: string): boolean {
  const p = rulePath.replace(/\/+$/, "");
  return p === "" || path === p || path.startsWith(p + "/");
}

function routeMatches(r: Route, path: string): boolean {
  if (r.regex) return r.regex.test(path);
  if (r.pathType === "Exact") return path === r.path;
  return prefixMatches(r.path, path);
}

/** Path precedence: longer first; Exact before Prefix at equal length; then the older Ingress. */
function byPrecedence(order: Map<string, number>) {
  return (a: Route, b: Route): number => {
    const la = a.path.replace(/\/+$/, "").length,
      lb = b.path.replace(/\/+$/, "").length;
    if (la !== lb) return lb - la;
    if (a.pathType !== b.pathType) return a.pathType === "Exact" ? -1 : b.pathType === "Exact" ? 1 : 0;
    return (order.get(a.ingress) ?? 0) - (order.get(b.ingress) ?? 0);
  };
}

function toRef(namespace: string, b: IngressBackend | undefined): { ref?: BackendRef; unsupported?: string } {
  if (!b) return {};
  if (b.service) return { ref: { namespace, service: b.service.name, port: b.service.port ?? {} } };
  return { unsupported: `resource backend ${b.resource?.kind}/${b.resource?.name} is not supported by Skiff's ingress controller` };
}

/** Applies nginx's rewrite: the path regex's groups fill $1…$9 of the target; the whole path is replaced. */
export function rewrite(target: string, m: RegExpExecArray): string {
  return target.replace(/\$(\d)/g, (_, d: string) => m[Number(d)] ?? "");
}

interface Group {
  routes: Route[];
  defaultBackend?: { ref: BackendRef; options: RouteOptions; ingress: string };
}

/** The routing table of a set of Ingresses. */
export class RouteTable {
  private readonly exact = new Map<string, Group>();
  private readonly wildcard = new Map<string, Group>();
  private anyHost?: Group;
  private globalDefault?: { ref: BackendRef; options: RouteOptions; ingress: string };
  /** TLS hosts (lower case; "*.x" for wildcards) and their Secrets, the oldest Ingress first. */
  readonly tls = new Map<string, TlsHost>();
  readonly problems: Problem[] = [];
  /** The Ingresses in the table ("namespace/name"), oldest first. */
  readonly ingresses: string[] = [];

  /** Builds the table from the Ingresses served (already filtered by class). */
  constructor(ingresses: Ingress[]) {
    const sorted = [...ingresses].sort(older);
    const order = new Map(sorted.map((i, n) => [keyOf(i), n]));
    const seen = new Map<string, string>();
    for (const ing of sorted) {
      const key = keyOf(ing);
      const ns = ing.metadata.namespace ?? "default";
      this.ingresses.push(key);
      const { options, warnings } = parseAnnotations(ing);
      for (const w of warnings) this.problems.push({ ingress: key, reason: "InvalidAnnotation", message: w });
      const def = toRef(ns, ing.spec?.defaultBackend);
      if (def.unsupported) this.problems.push({ ingress: key, reason: "UnsupportedBackend", message: def.unsupported });
      const defEntry = def.ref ? { ref: def.ref, options, ingress: key } : undefined;
      if (defEntry && !this.globalDefault) this.globalDefault = defEntry;
      for (const rule of ing.spec?.rules ?? []) {
        const host = (rule.host ?? "").toLowerCase();
        const g = this.group(host);
        if (defEntry && !g.defaultBackend) g.defaultBackend = defEntry;
        for (const p of rule.http?.paths ?? []) {
          const pathType = p.pathType ?? "ImplementationSpecific";
          const path = p.path || "/";
          const { ref, unsupported } = toRef(ns, p.backend);
          if (unsupported) this.problems.push({ ingress: key, reason: "UnsupportedBackend", message: unsupported });
          let regex: RegExp | undefined;
          if (options.regex) {
            try {
              regex = new RegExp("^" + path, "i");
            } catch {
              continue;
            }
          }
          const id = `${host} ${regex ? "regex" : pathType === "Exact" ? "Exact" : "Prefix"} ${regex ? path : pathType === "Exact" ? path : path.replace(/\/+$/, "")}`;
          const owner = seen.get(id);
          if (owner && owner !== key) {
            this.problems.push({
              ingress: key,
              reason: "Conflict",
              message: `host ${JSON.stringify(host || "*")} path ${JSON.stringify(path)} (${pathType}) is already served by the older Ingress ${owner}; this rule is ignored`,
            });
            continue;
          }
          seen.set(id, key);
          g.routes.push({ ingress: key, host, path, pathType, backend: ref, unsupported, options, regex });
        }
      }
      for (const t of ing.spec?.tls ?? []) {
        for (const h of t.hosts ?? []) {
          const host = h.toLowerCase();
          if (!this.tls.has(host) && t.secretName) this.tls.set(host, { ingress: key, namespace: ns, secretName: t.secretName });
        }
      }
    }
    for (const g of [...this.exact.values(), ...this.wildcard.values(), ...(this.anyHost ? [this.anyHost] : [])]) g.routes.sort(byPrecedence(order));
  }

  private group(host: string): Group {
    if (!host) return (this.anyHost ??= { routes: [] });
    const [map, k] = host.startsWith("*.") ? [this.wildcard, host.slice(2)] : [this.exact, host];
    let g = map.get(k);
    if (!g) map.set(k, (g = { routes: [] }));
    return g;
  }

  /** The group serving a host: exact, then one-label wildcard, then rules without a host. */
  private groupFor(host: string): Group | undefined {
    const exact = this.exact.get(host);
    if (exact) return exact;
    const dot = host.indexOf(".");
    const wild = dot > 0 ? this.wildcard.get(host.slice(dot + 1)) : undefined;
    return wild ?? this.anyHost;
  }

  /** Resolves a request (Host header, path without the query); undefined = nothing serves it (404). */
  match(hostHeader: string | undefined, path: string): Match | undefined {
    const host = normalizeHost(hostHeader);
    const g = this.groupFor(host);
    for (const r of g?.routes ?? []) {
      if (!routeMatches(r, path)) continue;
      let upstreamPath: string | undefined;
      if (r.options.rewriteTarget !== undefined && r.regex) upstreamPath = rewrite(r.options.rewriteTarget, r.regex.exec(path)!);
      return { route: r, backend: r.backend, options: r.options, ingress: r.ingress, upstreamPath };
    }
    const def = g?.defaultBackend ?? this.globalDefault;
    return def ? { backend: def.ref, options: def.options, ingress: def.ingress } : undefined;
  }

  /** The TLS entry of a host (exact, then wildcard). */
  tlsFor(hostHeader: string | undefined): TlsHost | undefined {
    const host = normalizeHost(hostHeader);
    const dot = host.indexOf(".");
    return this.tls.get(host) ?? (dot > 0 ? this.tls.get("*." + host.slice(dot + 1)) : undefined);
  }

  /** Every backend the table names (routes and defaults). */
  backends(): { ingress: string; ref: BackendRef }[] {
    const out: { ingress: string; ref: BackendRef }[] = [];
    for (const g of [...this.exact.values(), ...this.wildcard.values(), ...(this.anyHost ? [this.anyHost] : [])]) {
      for (const r of g.routes) if (r.backend) out.push({ ingress: r.ingress, ref: r.backend });
      if (g.defaultBackend) out.push({ ingress: g.defaultBackend.ingress, ref: g.defaultBackend.ref });
    }
    if (this.globalDefault) out.push({ ingress: this.globalDefault.ingress, ref: this.globalDefault.ref });
    return out;
  }
}

/** Whether a plain-HTTP request to `host` matched as `m` must be redirected to HTTPS. */
export function wantsHttpsRedirect(table: RouteTable, host: string | undefined, m: Match | undefined): boolean {
  if (m?.options.forceSslRedirect) return true;
  if (!table.tlsFor(host)) return false;
  return m ? m.options.sslRedirect : true;
}
