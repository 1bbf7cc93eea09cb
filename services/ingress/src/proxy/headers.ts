// Request and response headers across the proxy: hop-by-hop headers (and HTTP/2 pseudo
// headers) dropped, the X-Forwarded-* family and X-Real-IP set from what this proxy saw.
import type { IncomingHttpHeaders } from "node:http";

const HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "http2-settings",
  "proxy-authenticate",
  "proxy-authorization",
]);
/** Not sent upstream: the client's `Expect: 100-continue` was already answered by this server. */
const REQUEST_ONLY = new Set(["expect"]);

const NONE: ReadonlySet<string> = new Set();

/** Header names listed in a Connection header (hop-by-hop too); most requests name none but keep-alive. */
function connectionNamed(v: string | string[] | undefined): ReadonlySet<string> {
  if (v === undefined || v === "keep-alive" || v === "close") return NONE;
  return new Set(
    String(v)
      .toLowerCase()
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

/** What the proxy knows about the client side of a request. */
export interface ClientSide {
  remoteAddress: string;
  proto: "http" | "https";
  host: string;
  port: number;
}

/** Headers for the upstream request. `upgrade` keeps Connection/Upgrade (WebSocket and the like). */
export function upstreamHeaders(h: IncomingHttpHeaders, c: ClientSide, upgrade = false): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  // Headers named in Connection are hop-by-hop too.
  const named = connectionNamed(h.connection);
  for (const k in h) {
    const v = h[k];
    if (v === undefined || k.charCodeAt(0) === 58 /* ":" */ || HOP.has(k) || REQUEST_ONLY.has(k) || named.has(k)) continue;
    out[k] = v;
  }
  out.host = c.host;
  // The client's own X-Forwarded-* are not trusted (ingress-nginx's default): this proxy is the edge.
  out["x-forwarded-for"] = c.remoteAddress;
  out["x-real-ip"] = c.remoteAddress;
  out["x-forwarded-proto"] = c.proto;
  out["x-forwarded-host"] = c.host;
  out["x-forwarded-port"] = String(c.port);
  if (upgrade) {
    out.connection = "Upgrade";
    if (h.upgrade) out.upgrade = h.upgrade;
  }
  return out;
}

/**
 * The upstream's raw response headers (name, value, …) to pass to the client:
 * hop-by-hop dropped. HTTP/1.1: a flat [name, value, …] list that writeHead takes as is (repeated
 * headers kept, no object built); HTTP/2 takes the same list (names lower-cased by Node).
 */
export function downstreamRaw(raw: string[]): string[] {
  const out: string[] = [];
  let named: ReadonlySet<string> = NONE;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i];
    const lk = k.toLowerCase();
    if (HOP.has(lk)) {
      if (lk === "connection") named = connectionNamed(raw[i + 1]);
      continue;
    }
    out.push(k, raw[i + 1]);
  }
  if (named === NONE) return out;
  const kept: string[] = [];
  for (let i = 0; i < out.length; i += 2) if (!named.has(out[i].toLowerCase())) kept.push(out[i], out[i + 1]);
  return kept;
}
