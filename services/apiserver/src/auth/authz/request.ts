// The authorization attributes of a REST request (Kubernetes' RequestInfo): the verb from the
// method (GET → get/list/watch, POST → create, …), the resource parts from the path.
import type { UserInfo } from "../user.js";
import type { Attributes } from "./attributes.js";

/** The parts of a resource URL the authorizer needs (what rest/http/route.ts parses). */
export interface ResourceRequest {
  group: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  watchPrefix?: boolean;
}

const truthy = (v: string | null) => v !== null && /^(1|t|true)$/i.test(v);

/** Attributes of a request on a resource path. */
export function resourceAttributes(user: UserInfo, method: string, p: ResourceRequest, query: URLSearchParams, upgrade = false): Attributes {
  let verb: string;
  switch (method) {
    case "GET":
    case "HEAD":
      verb = p.watchPrefix || truthy(query.get("watch")) ? "watch" : p.name ? "get" : "list";
      break;
    case "POST":
      verb = "create";
      break;
    case "PUT":
      verb = "update";
      break;
    case "PATCH":
      verb = "patch";
      break;
    case "DELETE":
      verb = p.name ? "delete" : "deletecollection";
      break;
    default:
      verb = method.toLowerCase();
  }
  // A WebSocket or SPDY upgrade to exec/attach/portforward is a GET that creates a session:
  // Kubernetes (since 1.31) asks for "create" on it.
  if (upgrade) verb = "create";
  // A namespace's own path names it twice: namespaces/<ns> is the object, not a namespace scope.
  const namespace = p.resource === "namespaces" && p.group === "" ? (p.name ?? undefined) : p.namespace;
  return { user, verb, resourceRequest: true, apiGroup: p.group, resource: p.resource, subresource: p.subresource, namespace, name: p.name };
}

/** Attributes of a request on a non-resource path (/version, /api, /openapi/v2, …). */
export function nonResourceAttributes(user: UserInfo, method: string, path: string): Attributes {
  const verb = method === "HEAD" ? "get" : method.toLowerCase();
  return { user, verb, resourceRequest: false, path };
}
