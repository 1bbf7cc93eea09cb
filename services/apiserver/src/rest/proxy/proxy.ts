// The proxy subresource: nodes/NAME/proxy reaches the node agent's own paths (/metrics, /healthz,
// /pods) over its NodeService; pods/NAME:PORT/proxy and services/NAME:PORT/proxy carry one HTTP
// request to a pod's port through the pod's node agent (the port-forward stream into the pod's
// network namespace), so they work wherever the apiserver runs, without a route to pod IPs.
// A service's target is one of its ready endpoints (picked at random, as Kubernetes does).
import { request as httpRequest, type IncomingMessage, type ServerResponse } from "node:http";
import { connect as tlsConnect } from "node:tls";
import type { Duplex } from "node:stream";
import { ApiError, BadRequestError, MethodNotAllowedError, UnavailableError, type Endpoints, type Pod, type Service } from "@skiff/api";
import type { RestContext } from "../handlers/context.js";
import type { ProxyTarget } from "./path.js";

/** Request headers never sent on: hop-by-hop ones, and the caller's credentials for the apiserver. */
const dropRequest = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "upgrade",
  "te",
  "trailer",
  "host",
  "authorization",
  "impersonate-user",
  "impersonate-group",
  "impersonate-uid",
]);
const dropResponse = new Set(["connection", "keep-alive", "transfer-encoding", "upgrade", "trailer"]);

/** Serves one proxy request. */
export async function serveProxy(ctx: RestContext, req: IncomingMessage, res: ServerResponse, t: ProxyTarget, search: string): Promise<void> {
  if (req.headers.upgrade) throw new BadRequestError("upgrade requests (WebSocket) are not proxied by this apiserver");
  if (t.resource === "nodes") return nodeProxy(ctx, req, res, t, search);
  if (!ctx.connector) throw new UnavailableError("the apiserver cannot reach node agents");
  const { pod, port } = t.resource === "pods" ? await podTarget(ctx, t) : await serviceTarget(ctx, t);
  const stream = await ctx.connector.portForward(pod, port);
  await forward(req, res, stream, t, search, `${pod.status?.podIP ?? pod.metadata.name}:${port}`);
}

async function nodeProxy(ctx: RestContext, req: IncomingMessage, res: ServerResponse, t: ProxyTarget, search: string): Promise<void> {
  await ctx.registry.get("nodes", undefined, t.name); // 404 for an unknown node
  if (req.method !== "GET" && req.method !== "HEAD")
    throw new MethodNotAllowedError(`${req.method} is not supported on node proxy paths: the node agent serves GET only`);
  if (!ctx.connector?.nodeProxy) throw new UnavailableError("the apiserver cannot reach node agents");
  const r = await ctx.connector.nodeProxy(t.name, t.path, search.replace(/^\?/, ""));
  res.writeHead(r.statusCode, { "Content-Type": r.contentType, "Content-Length": r.body.length });
  res.end(req.method === "HEAD" ? undefined : r.body);
}

/** The pod and the port number: the given one (a number or a container port's name), else its first container port, else 80. */
async function podTarget(ctx: RestContext, t: ProxyTarget): Promise<{ pod: Pod; port: number }> {
  const pod = (await ctx.registry.get("pods", t.namespace, t.name)) as Pod;
  const ports = pod.spec.containers.flatMap((c) => c.ports ?? []);
  let port: number | undefined;
  if (t.port === "") port = ports[0]?.containerPort ?? 80;
  else if (/^\d+$/.test(t.port)) port = Number(t.port);
  else port = ports.find((p) => p.name === t.port)?.containerPort;
  if (!port || port > 65535) throw new BadRequestError(`pod ${t.name} has no port ${JSON.stringify(t.port)}`);
  return { pod, port };
}

/** A ready endpoint of the service's port (named, numbered, or its only one) and the target port. */
async function serviceTarget(ctx: RestContext, t: ProxyTarget): Promise<{ pod: Pod; port: number }> {
  const svc = (await ctx.registry.get("services", t.namespace, t.name)) as Service;
  const ports = svc.spec.ports ?? [];
  const sp = t.port === "" ? (ports.length === 1 ? ports[0] : ports.find((p) => !p.name)) : ports.find((p) => p.name === t.port || String(p.port) === t.port);
  if (!sp)
    throw new BadRequestError(
      t.port === ""
        ? `service ${t.name} has several ports: name one (${t.name}:PORT)`
        : `no service port ${JSON.stringify(t.port)} found for service "${t.name}"`,
    );
  let eps: Endpoints;
  try {
    eps = (await ctx.registry.get("endpoints", t.namespace, t.name)) as Endpoints;
  } catch (err) {
    if (err instanceof ApiError && err.reason === "NotFound") throw new UnavailableError(`no endpoints available for service "${t.name}"`);
    throw err;
  }
  const choices: { ns: string; pod: string; port: number }[] = [];
  for (const ss of eps.subsets ?? []) {
    const ep = (ss.ports ?? []).find((p) => (p.name ?? "") === (sp.name ?? ""));
    if (!ep) continue;
    for (const a of ss.addresses ?? [])
      if (a.targetRef?.kind === "Pod" && a.targetRef.name)
        choices.push({ ns: a.targetRef.namespace ?? t.namespace ?? "default", pod: a.targetRef.name, port: ep.port });
  }
  if (!choices.length) throw new UnavailableError(`no endpoints available for service "${t.name}"`);
  const c = choices[Math.floor(Math.random() * choices.length)];
  try {
    return { pod: (await ctx.registry.get("pods", c.ns, c.pod)) as Pod, port: c.port };
  } catch (err) {
    if (err instanceof ApiError && err.reason === "NotFound") throw new UnavailableError(`endpoint pod ${c.pod} of service "${t.name}" is gone`);
    throw err;
  }
}

/** Sends the request over the stream (TLS over it for https:) and pipes the answer back. */
async function forward(req: IncomingMessage, res: ServerResponse, stream: Duplex, t: ProxyTarget, search: string, host: string): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !dropRequest.has(k)) headers[k] = v;
  headers.host = host;
  const conn = t.scheme === "https" ? tlsConnect({ socket: stream, rejectUnauthorized: false }) : stream;
  await new Promise<void>((resolve, reject) => {
    const up = httpRequest({ method: req.method, path: t.path + search, headers, createConnection: () => conn as never }, (r) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(r.headers)) if (v !== undefined && !dropResponse.has(k)) out[k] = v;
      // A redirect to an absolute path stays under the proxy (what Kubernetes' proxy rewrites too).
      if (typeof out.location === "string" && out.location.startsWith("/")) out.location = t.prefix + out.location;
      res.writeHead(r.statusCode ?? 502, r.statusMessage, out);
      r.pipe(res);
      r.on("end", () => {
        stream.destroy();
        resolve();
      });
      r.on("error", (err) => {
        res.destroy(err);
        resolve();
      });
    });
    up.on("error", (err) => {
      stream.destroy();
      if (res.headersSent) {
        res.destroy();
        resolve();
        return;
      }
      reject(
        err instanceof ApiError ? err : new UnavailableError(`error trying to reach ${t.resource === "pods" ? "pod" : "service"} ${t.name}: ${err.message}`),
      );
    });
    res.on("close", () => {
      if (!res.writableFinished) {
        up.destroy();
        stream.destroy();
      }
    });
    req.pipe(up);
  });
}
