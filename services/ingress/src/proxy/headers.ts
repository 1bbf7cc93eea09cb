// Request and response headers across the proxy: hop-by-hop headers (and HTTP/2 pseudo
// headers) dropped, the X-Forwarded-* family and X-Real-IP set from what this proxy saw.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from "node:http";

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
export function upstreamHeaders(h: IncomingHttpHeaders, c: ClientSide, upgrade = false): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
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

/** Response headers to pass to the client (no hop-by-hop; valid for HTTP/1.1 and HTTP/2). */
export function downstreamHeaders(h: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = connectionNamed(h.connection);
  for (const k in h) {
    const v = h[k];
    if (v !== undefined && !HOP.has(k) && !named.has(k)) out[k] = v;
  }
  return out;
}
