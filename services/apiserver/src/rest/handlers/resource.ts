// CRUD, list, watch and patch of every resource at its Kubernetes path; subresources are
// handed to subresources/ and streams/.
import type { IncomingMessage, ServerResponse } from "node:http";
import {
  ApiError, BadRequestError, MethodNotAllowedError, apiVersionOf, isConflict, isNotFound,
  type KObject, type ResourceInfo,
} from "@skiff/api";
import type { RestContext } from "./context.js";
import type { ResourcePath } from "../http/route.js";
import { readBody, sendJson } from "../http/respond.js";
import { readObjectBody, readOptionalBody } from "./body.js";
import { enforceFieldValidation, fieldValidationOf, unknownFields } from "../validation/unknown-fields.js";
import { buildTable, partialMetadata, representationOf } from "../tables/negotiate.js";
import { ApplyConflictError, applyPatch, parsePatchBody, patchTypeOf, recordUpdate, serverSideApply } from "../patch/index.js";
import { deleteOptions, flag, intParam, isDryRun, listOptions, managerOf } from "./query.js";
import { serveWatch } from "./watch.js";
import { handleSubresource } from "../subresources/index.js";

/** Finds the resource a path names in its group/version; 404 when the server has none. */
export function resourceInfoFor(ctx: RestContext, p: ResourcePath): ResourceInfo {
  const info = ctx.registry.resources.all.find((r) => r.resource === p.resource && r.group === p.group && r.version === p.version);
  if (!info || (!info.namespaced && p.namespace !== undefined)) throw new ApiError("NotFound", "the server could not find the requested resource");
  return info;
}

/** Sends one object in the representation the client asked for. */
export function sendObject(req: IncomingMessage, res: ServerResponse, info: ResourceInfo, code: number, o: KObject, q: URLSearchParams): void {
  const rep = representationOf(req.headers.accept);
  if (rep === "table") return sendJson(res, code, buildTable(info.resource, [o], q.get("includeObject"), o.metadata.resourceVersion));
  if (rep === "metadata") return sendJson(res, code, partialMetadata(o));
  sendJson(res, code, o);
}

/** Serves one request on a resource path. */
export async function handleResource(ctx: RestContext, req: IncomingMessage, res: ServerResponse, p: ResourcePath, q: URLSearchParams): Promise<void> {
  const info = resourceInfoFor(ctx, p);
  if (p.subresource) return handleSubresource(ctx, req, res, info, p, q);
  const ns = info.namespaced ? p.namespace : undefined;
  const method = req.method ?? "GET";
  const watch = p.watchPrefix || flag(q, "watch");
  if (method === "GET" && watch) {
    let fieldSelector = q.get("fieldSelector") ?? undefined;
    if (p.name) fieldSelector = [`metadata.name=${p.name}`, fieldSelector].filter(Boolean).join(",");
    return serveWatch(ctx, req, res, info, {
      namespace: ns, labelSelector: q.get("labelSelector") ?? undefined, fieldSelector, resourceVersion: q.get("resourceVersion") ?? undefined,
      allowBookmarks: flag(q, "allowWatchBookmarks"), timeoutSeconds: intParam(q, "timeoutSeconds"),
      representation: representationOf(req.headers.accept), includeObject: q.get("includeObject"),
    });
  }
  if (!p.name) {
    if (info.namespaced && p.namespace === undefined && method !== "GET") throw new MethodNotAllowedError(`${method} is not supported on ${info.resource} across all namespaces`);
    switch (method) {
      case "GET": return list(ctx, req, res, info, ns, q);
      case "POST": return create(ctx, req, res, info, ns, q);
      case "DELETE": return deleteCollection(ctx, req, res, info, ns, q);
      default: throw new MethodNotAllowedError(`the server does not allow this method on the requested resource`);
    }
  }
  switch (method) {
    case "GET": return sendObject(req, res, info, 200, await ctx.registry.get(info.resource, ns, p.name), q);
    case "PUT": return update(ctx, req, res, info, ns, p.name, q);
    case "PATCH": return patch(ctx, req, res, info, ns, p.name, q, "main");
    case "DELETE": return remove(ctx, req, res, info, ns, p.name, q);
    default: throw new MethodNotAllowedError(`the server does not allow this method on the requested resource`);
  }
}

async function list(ctx: RestContext, req: IncomingMessage, res: ServerResponse, info: ResourceInfo, ns: string | undefined, q: URLSearchParams): Promise<void> {
  const r = await ctx.registry.list(info.resource, listOptions(q, ns));
  const rep = representationOf(req.headers.accept);
  if (rep === "table") return sendJson(res, 200, buildTable(info.resource, r.items, q.get("includeObject"), r.resourceVersion, r.continueToken));
  const metadata = { resourceVersion: r.resourceVersion, ...(r.continueToken ? { continue: r.continueToken } : {}) };
  if (rep === "metadata") return sendJson(res, 200, { apiVersion: "meta.k8s.io/v1", kind: "PartialObjectMetadataList", metadata, items: r.items.map(partialMetadata) });
  sendJson(res, 200, { apiVersion: apiVersionOf(info), kind: info.listKind, metadata, items: r.items });
}

async function create(ctx: RestContext, req: IncomingMessage, res: ServerResponse, info: ResourceInfo, ns: string | undefined, q: URLSearchParams): Promise<void> {
  const validation = fieldValidationOf(q);
  const { obj, format } = await readObjectBody(req);
  // Protobuf decoding keeps only fields of its schema: nothing unknown can remain.
  if (format !== "protobuf") enforceFieldValidation(validation, res, ctx.registry.resources.all, info, obj);
  if (obj.metadata) recordUpdate(undefined, obj, managerOf(req, q), { except: ["f:status"] });
  const created = await ctx.registry.create(info.resource, ns, obj, isDryRun(q));
  sendObject(req, res, info, 201, created, q);
}

async function update(ctx: RestContext, req: IncomingMessage, res: ServerResponse, info: ResourceInfo, ns: string | undefined, name: string, q: URLSearchParams): Promise<void> {
  const validation = fieldValidationOf(q);
  const { obj, format } = await readObjectBody(req);
  if (format !== "protobuf") enforceFieldValidation(validation, res, ctx.registry.resources.all, info, obj);
  obj.metadata ??= {};
  if (obj.metadata.name && obj.metadata.name !== name) throw new BadRequestError(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${name})`);
  obj.metadata.name = name;
  if (info.namespaced && obj.metadata.namespace && obj.metadata.namespace !== ns) throw new BadRequestError(`the namespace of the object (${obj.metadata.namespace}) does not match the namespace on the URL (${ns})`);
  // The fields this write changes are recorded against the stored object it replaces.
  const manager = managerOf(req, q);
  const written = await ctx.registry.update(info.resource, ns, obj, isDryRun(q), (next, old) => recordUpdate(old, next, manager, { except: ["f:status"] }));
  sendObject(req, res, info, 200, written, q);
}

/** Which part of an object a patch writes: the object, or its status subresource. */
export type PatchTarget = "main" | "status";

/**
 * Patches an object: reads it, applies the patch, writes with the read resourceVersion, and
 * retries on conflicts unless the patch itself pinned a resourceVersion.
 */
export async function patch(ctx: RestContext, req: IncomingMessage, res: ServerResponse, info: ResourceInfo, ns: string | undefined, name: string, q: URLSearchParams, target: PatchTarget): Promise<void> {
  const type = patchTypeOf(req.headers["content-type"]);
  const validation = fieldValidationOf(q);
  const body = parsePatchBody(type, await readBody(req));
  // JSON patches name paths, not fields: their result is checked below instead.
  if (type !== "json") enforceFieldValidation(validation, res, ctx.registry.resources.all, info, body, { patch: true });
  const dryRun = isDryRun(q);
  if (type === "apply") {
    const manager = q.get("fieldManager");
    if (!manager) throw new BadRequestError("fieldManager is required for apply requests");
    if (!body || typeof body !== "object" || Array.isArray(body)) throw new BadRequestError("an apply configuration must be an object");
  }
  const pinned = type !== "json" && !!(body as KObject)?.metadata?.resourceVersion;
  for (let attempt = 0; ; attempt++) {
    let cur: KObject | undefined;
    try {
      cur = await ctx.registry.get(info.resource, ns, name);
    } catch (err) {
      if (!(isNotFound(err) && type === "apply" && target === "main")) throw err;
    }
    try {
      if (!cur) {
        const obj = serverSideApply(undefined, body as KObject, q.get("fieldManager")!);
        obj.metadata.name ??= name;
        const created = await ctx.registry.create(info.resource, ns, obj, dryRun);
        return sendObject(req, res, info, 201, created, q);
      }
      const next = type === "apply" ? serverSideApply(cur, body as KObject, q.get("fieldManager")!, { force: flag(q, "force") }) : applyPatch(type, cur, body);
      // Status writes are not tracked (the main resource's entries own no status fields).
      if (type !== "apply" && target === "main") recordUpdate(cur, next, managerOf(req, q), { except: ["f:status"] });
      if (type === "json" && attempt === 0) {
        // Only what the patch added counts: the stored object may hold fields written without validation.
        enforceFieldValidation(validation, res, ctx.registry.resources.all, info, next, { except: unknownFields(ctx.registry.resources.all, info, cur) });
      }
      if (next.metadata.name !== name) throw new BadRequestError(`the name of the object (${next.metadata.name}) does not match the name on the URL (${name})`);
      if (!pinned || type === "apply") next.metadata.resourceVersion = cur.metadata.resourceVersion;
      const written = target === "status"
        ? (dryRun ? next : await ctx.registry.updateStatus(info.resource, ns, next))
        : await ctx.registry.update(info.resource, ns, next, dryRun);
      return sendObject(req, res, info, 200, written, q);
    } catch (err) {
      // A stale read is retried; an apply's field conflict is the answer.
      if (isConflict(err) && !(err instanceof ApplyConflictError) && !pinned && attempt < 5) continue;
      throw err;
    }
  }
}

async function readDeleteBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  return readOptionalBody(req, "DeleteOptions");
}

async function remove(ctx: RestContext, req: IncomingMessage, res: ServerResponse, info: ResourceInfo, ns: string | undefined, name: string, q: URLSearchParams): Promise<void> {
  const opts = deleteOptions(await readDeleteBody(req), q);
  if (opts.dryRun) return sendObject(req, res, info, 200, await ctx.registry.get(info.resource, ns, name), q);
  const r = await ctx.registry.delete(info.resource, ns, name, opts);
  // 202 while the object terminates (finalizers, pods stopping), 200 once it is gone.
  sendObject(req, res, info, r.finished ? 200 : 202, r.object, q);
}

async function deleteCollection(ctx: RestContext, req: IncomingMessage, res: ServerResponse, info: ResourceInfo, ns: string | undefined, q: URLSearchParams): Promise<void> {
  const opts = deleteOptions(await readDeleteBody(req), q);
  const { items, resourceVersion } = await ctx.registry.list(info.resource, { namespace: ns, labelSelector: q.get("labelSelector") ?? undefined, fieldSelector: q.get("fieldSelector") ?? undefined });
  const deleted: KObject[] = [];
  for (const o of items) {
    if (opts.dryRun) { deleted.push(o); continue; }
    try {
      deleted.push((await ctx.registry.delete(info.resource, o.metadata.namespace, o.metadata.name!, opts)).object);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
  sendJson(res, 200, { apiVersion: apiVersionOf(info), kind: info.listKind, metadata: { resourceVersion }, items: deleted });
}

