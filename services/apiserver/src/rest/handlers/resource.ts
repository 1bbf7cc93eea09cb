// Requests on a resource path: the scope is built once, then list, watch, get, the writes
// (write.ts), delete, and subresources (../subresources/) are each one function of it.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, MethodNotAllowedError, apiVersionOf, isNotFound, type KObject, type ResourceInfo } from "@skiff/api";
import type { UserInfo } from "../../auth/user.js";
import type { RestContext } from "./context.js";
import type { ResourcePath } from "../http/route.js";
import { sendJson } from "../http/respond.js";
import { readOptionalBody } from "./body.js";
import { buildTable, partialMetadata, representationOf } from "../tables/negotiate.js";
import { deleteOptions, flag, intParam, listOptions } from "./query.js";
import { serveWatch } from "./watch.js";
import { handleSubresource } from "../subresources/index.js";
import { sendObject, viewOf, type RequestScope } from "./scope.js";
import { create, patch, replace } from "./write.js";
import { handleReview } from "../reviews/reviews.js";

/** Finds the resource a path names in its group/version; 404 when the server has none. */
export function resourceInfoFor(ctx: RestContext, p: ResourcePath): ResourceInfo {
  const info = ctx.registry.resources.served.find((r) => r.resource === p.resource && r.group === p.group && r.version === p.version);
  if (!info || (!info.namespaced && p.namespace !== undefined)) throw new ApiError("NotFound", "the server could not find the requested resource");
  return info;
}

/** Serves one request on a resource path. */
export async function handleResource(
  ctx: RestContext,
  req: IncomingMessage,
  res: ServerResponse,
  p: ResourcePath,
  query: URLSearchParams,
  user?: UserInfo,
): Promise<void> {
  const info = resourceInfoFor(ctx, p);
  const s: RequestScope = { ctx, req, res, info, namespace: info.namespaced ? p.namespace : undefined, name: p.name, subresource: p.subresource, query, user };
  if (info.virtual) return handleReview(s);
  if (p.subresource) return handleSubresource(s);
  const method = req.method ?? "GET";
  if (method === "GET" && (p.watchPrefix || flag(query, "watch"))) return watch(s);
  const notAllowed = () => new MethodNotAllowedError("the server does not allow this method on the requested resource");
  if (!s.name) {
    if (info.namespaced && p.namespace === undefined && method !== "GET")
      throw new MethodNotAllowedError(`${method} is not supported on ${info.resource} across all namespaces`);
    switch (method) {
      case "GET":
        return list(s);
      case "POST":
        return create(s);
      case "DELETE":
        return deleteCollection(s);
      default:
        throw notAllowed();
    }
  }
  switch (method) {
    case "GET":
      return sendObject(s, 200, await ctx.registry.get(info.resource, s.namespace, s.name));
    case "PUT":
      return replace(s);
    case "PATCH":
      return patch(s);
    case "DELETE":
      return remove(s);
    default:
      throw notAllowed();
  }
}

function watch(s: RequestScope): Promise<void> {
  const q = s.query;
  let fieldSelector = q.get("fieldSelector") ?? undefined;
  if (s.name) fieldSelector = [`metadata.name=${s.name}`, fieldSelector].filter(Boolean).join(",");
  return serveWatch(s.ctx, s.req, s.res, s.info, {
    namespace: s.namespace,
    labelSelector: q.get("labelSelector") ?? undefined,
    fieldSelector,
    resourceVersion: q.get("resourceVersion") ?? undefined,
    allowBookmarks: flag(q, "allowWatchBookmarks"),
    timeoutSeconds: intParam(q, "timeoutSeconds"),
    representation: representationOf(s.req.headers.accept),
    includeObject: q.get("includeObject"),
  });
}

async function list(s: RequestScope): Promise<void> {
  const r = await s.ctx.registry.list(s.info.resource, listOptions(s.query, s.namespace));
  const rep = representationOf(s.req.headers.accept);
  if (rep === "table") return sendJson(s.res, 200, buildTable(s.info.resource, r.items, s.query.get("includeObject"), r.resourceVersion, r.continueToken));
  const metadata = { resourceVersion: r.resourceVersion, ...(r.continueToken ? { continue: r.continueToken } : {}) };
  if (rep === "metadata")
    return sendJson(s.res, 200, { apiVersion: "meta.k8s.io/v1", kind: "PartialObjectMetadataList", metadata, items: r.items.map(partialMetadata) });
  sendJson(s.res, 200, { apiVersion: apiVersionOf(s.info), kind: s.info.listKind, metadata, items: r.items.map((o) => viewOf(s.info, o)) });
}

async function remove(s: RequestScope): Promise<void> {
  const opts = deleteOptions(await readOptionalBody(s.req, "DeleteOptions"), s.query);
  const r = await s.ctx.registry.delete(s.info.resource, s.namespace, s.name!, { ...opts, user: s.user });
  // 202 while the object terminates (finalizers, pods stopping), 200 once it is gone (or on a dry run).
  sendObject(s, r.finished || opts.dryRun ? 200 : 202, r.object);
}

async function deleteCollection(s: RequestScope): Promise<void> {
  const opts = deleteOptions(await readOptionalBody(s.req, "DeleteOptions"), s.query);
  const { items, resourceVersion } = await s.ctx.registry.list(s.info.resource, {
    namespace: s.namespace,
    labelSelector: s.query.get("labelSelector") ?? undefined,
    fieldSelector: s.query.get("fieldSelector") ?? undefined,
  });
  const deleted: KObject[] = [];
  for (const o of items) {
    try {
      deleted.push((await s.ctx.registry.delete(s.info.resource, o.metadata.namespace, o.metadata.name!, { ...opts, user: s.user })).object);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  sendJson(s.res, 200, {
    apiVersion: apiVersionOf(s.info),
    kind: s.info.listKind,
    metadata: { resourceVersion },
    items: deleted.map((o) => viewOf(s.info, o)),
  });
}
