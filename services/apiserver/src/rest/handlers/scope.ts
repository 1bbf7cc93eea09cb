// One REST request on a resource path, as every handler receives it: what the server knows
// (context), the HTTP exchange, the resource, the object addressed, the query and the user.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { KObject, ResourceInfo } from "@skiff/api";
import type { UserInfo } from "../../auth/user.js";
import type { WriteOptions } from "../../registry/registry.js";
import type { RestContext } from "./context.js";
import { addWarning, sendJson } from "../http/respond.js";
import { buildTable, partialMetadata, representationOf } from "../tables/negotiate.js";
import { isDryRun, managerOf } from "./query.js";

/** A request on a resource, a named object of it, or one of its subresources. */
export interface RequestScope {
  ctx: RestContext;
  req: IncomingMessage;
  res: ServerResponse;
  info: ResourceInfo;
  /** The namespace of a namespaced resource (undefined across all namespaces and for cluster-scoped ones). */
  namespace?: string;
  name?: string;
  subresource?: string;
  query: URLSearchParams;
  /** The authenticated user. */
  user?: UserInfo;
}

/** The registry's write options of a request: dry run, user, and the subresource written. */
export function writeOptions(s: RequestScope, subresource = s.subresource ?? ""): WriteOptions {
  return { dryRun: isDryRun(s.query), user: s.user, subresource, warn: (m) => addWarning(s.res, m) };
}

/** The field manager of the request's write. */
export function managerOfScope(s: RequestScope): string {
  return managerOf(s.req, s.query);
}

/** A stored object as the request's version shows it (converted when the path names another served version). */
export function viewOf(info: ResourceInfo, o: KObject): KObject {
  return info.conversion ? info.conversion.fromStored(o) : o;
}

/** Sends one object in the representation the client asked for. */
export function sendObject(s: RequestScope, code: number, o: KObject): void {
  const rep = representationOf(s.req.headers.accept);
  if (rep === "table") return sendJson(s.res, code, buildTable(s.info.resource, [o], s.query.get("includeObject"), o.metadata.resourceVersion));
  if (rep === "metadata") return sendJson(s.res, code, partialMetadata(o));
  sendJson(s.res, code, viewOf(s.info, o));
}
