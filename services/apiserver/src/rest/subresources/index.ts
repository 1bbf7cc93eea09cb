// Subresources: status, scale, binding, eviction, and the streaming ones (log, exec, attach,
// portforward), which need a NodeConnector (503 when the apiserver has none).
import { ApiError, BadRequestError, MethodNotAllowedError, NotFoundError, UnavailableError, type KObject, type TokenRequest } from "@skiff/api";
import { requestToken } from "../../auth/serviceaccount/token-request.js";
import { parseJsonObject, readBody, sendJson, successStatus } from "../http/respond.js";
import { isDryRun } from "../handlers/query.js";
import { readObjectBody } from "../handlers/body.js";
import { managerOfScope, sendObject, writeOptions, type RequestScope } from "../handlers/scope.js";
import { patch, replace } from "../handlers/write.js";
import { patchScale, scaleOf, writeScale, type Scale } from "./scale.js";
import { serveLogs } from "../streams/logs.js";
import { noConnectorMessage } from "../../nodes/containers.js";
import { bindPod } from "../../registry/binding.js";
import { evictPod } from "../../registry/eviction.js";

/** Serves a subresource request (non-upgrade). */
export async function handleSubresource(s: RequestScope): Promise<void> {
  const { ctx, info, req, res } = s;
  const ns = s.namespace;
  const name = s.name!;
  const method = req.method ?? "GET";
  const sub = s.subresource!;
  const notAllowed = () => new MethodNotAllowedError(`the server does not allow this method on ${info.resource}/${sub}`);
  if (sub === "status" && info.hasStatus) {
    if (method === "GET") return sendObject(s, 200, await ctx.registry.get(info.resource, ns, name));
    if (method === "PUT") return replace(s);
    if (method === "PATCH") return patch(s);
    throw notAllowed();
  }
  if (sub === "scale" && info.scale) {
    if (method === "GET") return sendJson(res, 200, scaleOf(await ctx.registry.get(info.resource, ns, name)));
    if (method === "PUT") {
      const want = parseJsonObject(await readBody(req)) as Scale;
      return sendJson(res, 200, await writeScale(ctx.registry, info, ns, name, () => want, managerOfScope(s), writeOptions(s)));
    }
    if (method === "PATCH")
      return sendJson(
        res,
        200,
        await writeScale(ctx.registry, info, ns, name, patchScale(req.headers["content-type"], await readBody(req)), managerOfScope(s), writeOptions(s)),
      );
    throw notAllowed();
  }
  if (sub === "token" && info.resource === "serviceaccounts" && info.group === "") {
    if (method !== "POST") throw notAllowed();
    if (!ctx.tokens) throw new UnavailableError("this apiserver issues no service account tokens");
    const body = (await readObjectBody(req, "TokenRequest")).obj as TokenRequest;
    const sa = await ctx.registry.get("serviceaccounts", ns, name);
    const getPod = (pod: string) =>
      ctx.registry.get("pods", ns, pod).then(
        (p): KObject | undefined => p,
        () => undefined,
      );
    return sendJson(res, 201, await requestToken(ctx.tokens, sa, body, getPod));
  }
  if (info.resource === "pods" && info.group === "") {
    switch (sub) {
      case "binding": {
        if (method !== "POST") throw notAllowed();
        const b = (await readObjectBody(req, "Binding")).obj as { target?: { name?: string }; metadata?: { uid?: string } };
        await bindPod(ctx.registry, ns!, name, b.target?.name ?? "", b.metadata?.uid, s.user);
        return sendJson(res, 201, successStatus(201));
      }
      case "eviction": {
        if (method !== "POST") throw notAllowed();
        const e = (await readObjectBody(req, "Eviction")).obj as {
          metadata?: { name?: string };
          deleteOptions?: { gracePeriodSeconds?: number; preconditions?: { uid?: string; resourceVersion?: string } };
        };
        if (e.metadata?.name && e.metadata.name !== name) throw new BadRequestError(`name in URL does not match name in Eviction object`);
        const d = e.deleteOptions ?? {};
        await evictPod(
          ctx.registry,
          ns!,
          name,
          { gracePeriodSeconds: d.gracePeriodSeconds, preconditionUid: d.preconditions?.uid, preconditionResourceVersion: d.preconditions?.resourceVersion },
          isDryRun(s.query),
          s.user,
        );
        return sendJson(res, 201, successStatus(201));
      }
      case "log": {
        if (method !== "GET") throw notAllowed();
        if (!ctx.connector) throw new UnavailableError(noConnectorMessage);
        return serveLogs(ctx.connector, req, res, await ctx.registry.get("pods", ns, name), s.query);
      }
      case "exec":
      case "attach":
      case "portforward": {
        if (method !== "GET" && method !== "POST") throw notAllowed();
        if (!ctx.connector) throw new UnavailableError(noConnectorMessage);
        await ctx.registry.get("pods", ns, name);
        throw new ApiError("BadRequest", "Upgrade request required: use a WebSocket (v5.channel.k8s.io / portforward.k8s.io)");
      }
    }
  }
  throw new NotFoundError(`${info.resource}/${sub}`, name);
}
