// Subresources: status, scale, binding, eviction, and the streaming ones (log, exec, attach,
// portforward), which need a NodeConnector (503 when the apiserver has none).
import type { IncomingMessage, ServerResponse } from "node:http";
import { ApiError, BadRequestError, MethodNotAllowedError, NotFoundError, UnavailableError, type KObject, type ResourceInfo } from "@skiff/api";
import type { RestContext } from "../handlers/context.js";
import type { ResourcePath } from "../http/route.js";
import { parseJsonObject, readBody, sendJson, successStatus } from "../http/respond.js";
import { isDryRun, managerOf } from "../handlers/query.js";
import { readObjectBody } from "../handlers/body.js";
import { patch, sendObject } from "../handlers/resource.js";
import { patchScale, scaleOf, writeScale, type Scale } from "./scale.js";
import { serveLogs } from "../streams/logs.js";

/** The message of the 503 answered when no node connector is configured. */
export const noConnectorMessage = "the apiserver cannot reach node agents (no node connector is configured): logs, exec, attach and port-forward are unavailable";

/** Serves a subresource request (non-upgrade). */
export async function handleSubresource(ctx: RestContext, req: IncomingMessage, res: ServerResponse, info: ResourceInfo, p: ResourcePath, q: URLSearchParams): Promise<void> {
  const ns = info.namespaced ? p.namespace : undefined;
  const name = p.name!;
  const method = req.method ?? "GET";
  const sub = p.subresource!;
  const notAllowed = () => new MethodNotAllowedError(`the server does not allow this method on ${info.resource}/${sub}`);
  if (sub === "status" && info.hasStatus) {
    if (method === "GET") return sendObject(req, res, info, 200, await ctx.registry.get(info.resource, ns, name), q);
    if (method === "PUT") {
      const o = (await readObjectBody(req)).obj;
      o.metadata = { ...(o.metadata ?? {}), name };
      const cur = await ctx.registry.get(info.resource, ns, name);
      if (isDryRun(q)) return sendObject(req, res, info, 200, { ...cur, status: o.status }, q);
      return sendObject(req, res, info, 200, await ctx.registry.updateStatus(info.resource, ns, o), q);
    }
    if (method === "PATCH") return patch(ctx, req, res, info, ns, name, q, "status");
    throw notAllowed();
  }
  if (sub === "scale" && info.scale) {
    const dryRun = isDryRun(q);
    if (method === "GET") return sendJson(res, 200, scaleOf(await ctx.registry.get(info.resource, ns, name)));
    if (method === "PUT") {
      const want = parseJsonObject(await readBody(req)) as Scale;
      return sendJson(res, 200, await writeScale(ctx.registry, info, ns, name, () => want, managerOf(req, q), dryRun));
    }
    if (method === "PATCH") return sendJson(res, 200, await writeScale(ctx.registry, info, ns, name, patchScale(req.headers["content-type"], await readBody(req)), managerOf(req, q), dryRun));
    throw notAllowed();
  }
  if (info.resource === "pods" && info.group === "") {
    switch (sub) {
      case "binding": {
        if (method !== "POST") throw notAllowed();
        const b = (await readObjectBody(req, "Binding")).obj as { target?: { name?: string }; metadata?: { uid?: string } };
        await ctx.registry.bind(ns!, name, b.target?.name ?? "", b.metadata?.uid);
        return sendJson(res, 201, successStatus(201));
      }
      case "eviction": {
        if (method !== "POST") throw notAllowed();
        const e = (await readObjectBody(req, "Eviction")).obj as { metadata?: { name?: string }; deleteOptions?: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } } };
        if (e.metadata?.name && e.metadata.name !== name) throw new BadRequestError(`name in URL does not match name in Eviction object`);
        // No PodDisruptionBudgets exist in Skiff, so every eviction is allowed.
        if (!isDryRun(q)) {
          const d = e.deleteOptions ?? {};
          await ctx.registry.delete("pods", ns, name, { gracePeriodSeconds: d.gracePeriodSeconds, preconditionUid: d.preconditions?.uid, preconditionResourceVersion: d.preconditions?.resourceVersion });
        }
        return sendJson(res, 201, successStatus(201));
      }
      case "log": {
        if (method !== "GET") throw notAllowed();
        if (!ctx.connector) throw new UnavailableError(noConnectorMessage);
        return serveLogs(ctx.connector, req, res, await ctx.registry.get("pods", ns, name), q);
      }
      case "exec": case "attach": case "portforward": {
        if (method !== "GET" && method !== "POST") throw notAllowed();
        if (!ctx.connector) throw new UnavailableError(noConnectorMessage);
        await ctx.registry.get("pods", ns, name);
        throw new ApiError("BadRequest", "Upgrade request required: use a WebSocket (v5.channel.k8s.io / portforward.k8s.io)");
      }
    }
  }
  throw new NotFoundError(`${info.resource}/${sub}`, name);
}
