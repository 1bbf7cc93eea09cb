// Parses proxy subresource URLs: /api/v1/nodes/NAME/proxy/PATH,
// /api/v1/namespaces/NS/pods/[SCHEME:]NAME[:PORT]/proxy/PATH and
// /api/v1/namespaces/NS/services/[SCHEME:]NAME[:PORT]/proxy/PATH (Kubernetes' SplitSchemeNamePort).
import { BadRequestError } from "@skiff/api";
import type { ResourcePath } from "../http/route.js";

/** A proxy request's target. */
export interface ProxyTarget {
  /** For authorization and the metrics: the object and subresource "proxy". */
  rp: ResourcePath;
  resource: "nodes" | "pods" | "services";
  namespace?: string;
  name: string;
  /** "http" or "https" ("" = http). */
  scheme: string;
  /** A port number or a port name ("" = the default). */
  port: string;
  /** The path after .../proxy, raw (percent-encoding kept), with its leading "/" ("/" when none). */
  path: string;
  /** The path up to and including "/proxy" (what Location headers are rewritten under). */
  prefix: string;
}

const re = /^\/api\/v1\/(?:namespaces\/([^/]+)\/(pods|services)|(nodes))\/([^/]+)\/proxy(\/.*)?$/;

/** The target of a proxy URL; undefined when the path is no proxy path. */
export function parseProxyPath(rawPath: string): ProxyTarget | undefined {
  const m = re.exec(rawPath);
  if (!m) return undefined;
  const namespace = m[1] === undefined ? undefined : decodeURIComponent(m[1]);
  const resource = (m[2] ?? m[3]) as ProxyTarget["resource"];
  const { scheme, name, port } = splitSchemeNamePort(decodeURIComponent(m[4]));
  const path = m[5] ?? "/";
  return {
    rp: { group: "", version: "v1", namespace, resource, name, subresource: "proxy", watchPrefix: false },
    resource,
    namespace,
    name,
    scheme,
    port,
    path,
    prefix: rawPath.slice(0, rawPath.length - (m[5]?.length ?? 0)),
  };
}

/** "name", "name:port" or "scheme:name:port" (scheme http or https). */
export function splitSchemeNamePort(id: string): { scheme: string; name: string; port: string } {
  const parts = id.split(":");
  let scheme = "",
    name: string,
    port = "";
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) [name, port] = parts;
  else if (parts.length === 3) [scheme, name, port] = parts;
  else throw new BadRequestError(`invalid proxy target "${id}": expected [scheme:]name[:port]`);
  if (scheme !== "" && scheme !== "http" && scheme !== "https")
    throw new BadRequestError(`invalid proxy scheme "${scheme}": only http and https are supported`);
  if (!name) throw new BadRequestError(`invalid proxy target "${id}": the name is empty`);
  return { scheme, name, port };
}
