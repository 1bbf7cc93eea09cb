// The ingress-nginx annotations Skiff honours (nginx.ingress.kubernetes.io/…), parsed once per
// Ingress into route options; a malformed value is ignored with a warning (reported as an Event).
import type { Ingress } from "@skiff/api";

/** The annotation prefix users bring from ingress-nginx. */
export const NGINX = "nginx.ingress.kubernetes.io/";

/** How the routes of one Ingress are served. */
export interface RouteOptions {
  /** rewrite-target: the whole path is replaced by this ($1…$9 from the path regex). */
  rewriteTarget?: string;
  /** use-regex (implied by rewrite-target, as in ingress-nginx): paths are case-insensitive regexes anchored at the start. */
  regex: boolean;
  /** ssl-redirect (default true): plain HTTP to a TLS host gets 308 to https. */
  sslRedirect: boolean;
  /** force-ssl-redirect: 308 to https even for hosts without TLS. */
  forceSslRedirect: boolean;
  /** proxy-body-size in bytes (0 = no limit; Skiff's default, see README). */
  bodyLimit: number;
  /** proxy-read-timeout (seconds; default 60): no response byte for this long → 504. */
  readTimeoutMs: number;
  /** proxy-connect-timeout (seconds; default 5): a connect attempt longer than this tries the next endpoint. */
  connectTimeoutMs: number;
  /** backend-protocol: HTTP (default) or HTTPS to the pods. */
  backendProtocol: "HTTP" | "HTTPS";
}

export const defaultRouteOptions: RouteOptions = {
  regex: false,
  sslRedirect: true,
  forceSslRedirect: false,
  bodyLimit: 0,
  readTimeoutMs: 60_000,
  connectTimeoutMs: 5000,
  backendProtocol: "HTTP",
};

/** nginx sizes: 0, 1024, 8k, 10m, 1g (case-insensitive). */
export function parseSize(v: string): number | undefined {
  const m = /^\s*(\d+)\s*([kmg]?)\s*$/i.exec(v);
  if (!m) return undefined;
  const mult = { "": 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2].toLowerCase() as "" | "k" | "m" | "g"];
  return Number(m[1]) * mult;
}

function bool(v: string): boolean | undefined {
  return v === "true" ? true : v === "false" ? false : undefined;
}

/** Parses an Ingress's annotations; `warnings` name the ignored values. */
export function parseAnnotations(ing: Ingress): { options: RouteOptions; warnings: string[] } {
  const a = ing.metadata.annotations ?? {};
  const o: RouteOptions = { ...defaultRouteOptions };
  const warnings: string[] = [];
  const get = (k: string) => a[NGINX + k];
  const bad = (k: string, why: string) => warnings.push(`annotation ${NGINX}${k}: ${JSON.stringify(get(k))}: ${why}; ignored`);
  for (const k of ["use-regex", "ssl-redirect", "force-ssl-redirect"] as const) {
    const v = get(k);
    if (v === undefined) continue;
    const b = bool(v);
    if (b === undefined) {
      bad(k, "must be true or false");
      continue;
    }
    if (k === "use-regex") o.regex = b;
    else if (k === "ssl-redirect") o.sslRedirect = b;
    else o.forceSslRedirect = b;
  }
  const rt = get("rewrite-target");
  if (rt !== undefined) {
    if (!rt.startsWith("/") && !/^https?:\/\//.test(rt)) bad("rewrite-target", "must be a path starting with /");
    else {
      o.rewriteTarget = rt;
      o.regex = true;
    }
  }
  const size = get("proxy-body-size");
  if (size !== undefined) {
    const n = parseSize(size);
    if (n === undefined) bad("proxy-body-size", "must be a size such as 0, 8k, 10m or 1g");
    else o.bodyLimit = n;
  }
  for (const [k, key] of [
    ["proxy-read-timeout", "readTimeoutMs"],
    ["proxy-connect-timeout", "connectTimeoutMs"],
  ] as const) {
    const v = get(k);
    if (v === undefined) continue;
    const n = Number(v.replace(/s$/, ""));
    if (!(Number.isFinite(n) && n > 0)) bad(k, "must be a positive number of seconds");
    else o[key] = n * 1000;
  }
  const bp = get("backend-protocol");
  if (bp !== undefined) {
    const v = bp.toUpperCase();
    if (v === "HTTP" || v === "HTTPS") o.backendProtocol = v;
    else bad("backend-protocol", "Skiff supports HTTP and HTTPS");
  }
  if (o.regex) {
    for (const r of ing.spec?.rules ?? []) {
      for (const p of r.http?.paths ?? []) {
        try {
          new RegExp(p.path ?? "/");
        } catch {
          warnings.push(`path ${JSON.stringify(p.path)} is not a valid regular expression (use-regex); the path is skipped`);
        }
      }
    }
  }
  return { options: o, warnings };
}
