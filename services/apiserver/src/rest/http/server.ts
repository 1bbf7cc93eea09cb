// The Kubernetes REST API over HTTPS: authentication, then discovery, OpenAPI and resource
// paths; WebSocket upgrades for exec/attach/port-forward. Every error leaves as a Status.
import { createServer, type Server } from "node:https";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces, hostname } from "node:os";
import { ApiError } from "@skiff/api";
import type { RestContext } from "../handlers/context.js";
import { StaticTokens, TokenAuthenticator, type TokenChecker } from "../auth/authn.js";
import { identify } from "../auth/gate.js";
import { nonResourceAttributes, resourceAttributes } from "../../auth/authz/request.js";
import type { ClusterAuth } from "../auth/bootstrap.js";
import { sendError, sendJson } from "./respond.js";
import { parseResourcePath } from "./route.js";
import { apiGroup, apiGroupList, apiResourceList, apiVersions, kubeVersion } from "../discovery/discovery.js";
import { openApiV2, openApiV3, openApiV3Root } from "../openapi/documents.js";
import { openApiV2Protobuf, openApiV2ProtobufType } from "../openapi/gnostic.js";
import { handleResource } from "../handlers/resource.js";
import { upgradeHandler } from "../streams/upgrade.js";
import { compileFlowControlOptions, FlowControl, type FlowControlOptions } from "../flowcontrol/flowcontrol.js";
import { dashboard } from "../dashboard/index.js";
import { parseProxyPath } from "../proxy/path.js";
import { serveProxy } from "../proxy/proxy.js";
import { observeRestRequest } from "../../instrumentation/metrics.js";
import { sendMetrics } from "../../instrumentation/exposition.js";
import { metricsApiGroup, metricsGet, metricsGroup, metricsResourceList, metricsVersion } from "../metrics/metrics.js";

/** Options of the REST server. */
export interface RestServerOptions {
  /** host:port to listen on (port 0 = any free port). */
  address: string;
  /** Extra DNS names / IPs for the serving certificate. */
  tlsSans: string[];
  /** Bearer-token checkers besides the admin token (ServiceAccount tokens). */
  tokenCheckers?: TokenChecker[];
  /** Bounds on requests in flight, queues and the request timeout (default compileFlowControlOptions()). */
  flowControl?: FlowControlOptions;
}

/** A running REST server. */
export interface RunningRestServer {
  /** host:port actually bound. */
  address: string;
  stop(): Promise<void>;
}

/** Names the serving certificate covers: loopback, the host's addresses and names, the in-cluster names. */
export function servingNames(bindHost: string, extra: string[]): string[] {
  const ips = Object.values(networkInterfaces())
    .flatMap((l) => l ?? [])
    .map((i) => i.address);
  const names = [
    "127.0.0.1",
    "::1",
    "localhost",
    hostname(),
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    "10.96.0.1",
    ...ips,
    ...extra,
  ];
  if (bindHost && bindHost !== "0.0.0.0" && bindHost !== "::") names.push(bindHost);
  return names;
}

/** Starts the HTTPS server. */
export async function startRestServer(ctx: RestContext, auth: ClusterAuth, opts: RestServerOptions): Promise<RunningRestServer> {
  const i = opts.address.lastIndexOf(":");
  const host = opts.address.slice(0, i).replace(/^\[|\]$/g, "");
  const port = Number(opts.address.slice(i + 1));
  const ui = dashboard(ctx.tokens);
  const authn = new TokenAuthenticator([
    new StaticTokens([{ token: auth.adminToken, user: { name: "skiff-admin", groups: ["system:masters", "system:authenticated"] } }]),
    ...(opts.tokenCheckers ?? []),
    ...(ui.checker ? [ui.checker] : []),
  ]);
  ctx = { ...ctx, authn };
  const docs = new Map<string, unknown>();
  const cached = (key: string, make: () => unknown) => {
    if (!docs.has(key)) docs.set(key, make());
    return docs.get(key);
  };
  const resources = ctx.registry.resources;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "https://apiserver");
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path === "/healthz" || path === "/livez" || path === "/readyz") {
      res.writeHead(200, { "Content-Type": "text/plain" });
      res.end("ok");
      return;
    }
    if (auth.bootstrap && path.startsWith("/skiff/v1/")) return auth.bootstrap(req, res, path);
    if (path === "/dashboard" || path.startsWith("/dashboard/")) return ui.serve(req, res, () => identify(authn, ctx.authz, req));
    const user = await identify(authn, ctx.authz, req);
    const proxy = parseProxyPath(url.pathname);
    if (proxy) {
      ctx.authz?.check(resourceAttributes(user, req.method ?? "GET", proxy.rp, url.searchParams));
      return serveProxy(ctx, req, res, proxy, url.search);
    }
    const rp = parseResourcePath(path);
    // Every request is authorized: on its resource when it names one, else on its path.
    ctx.authz?.check(rp ? resourceAttributes(user, req.method ?? "GET", rp, url.searchParams) : nonResourceAttributes(user, req.method ?? "GET", path));
    const get = req.method === "GET" || req.method === "HEAD";
    const doc = (body: unknown) => {
      if (!get) throw new ApiError("MethodNotAllowed", `${req.method} is not allowed on ${path}`);
      if (body === undefined) throw new ApiError("NotFound", "the server could not find the requested resource");
      sendJson(res, 200, body);
    };
    if (path === "/version") return doc(kubeVersion);
    if (path === "/metrics" && get) return sendMetrics(res);
    if (path === "/api") return doc(apiVersions(`${host === "0.0.0.0" ? "127.0.0.1" : host}:${port}`));
    // The metrics API is served here (not from the store) when node agents can be reached.
    const metrics = !!ctx.connector?.podStats;
    if (path === "/apis") {
      const list = apiGroupList(resources);
      return doc(metrics ? { ...list, groups: [...list.groups, metricsApiGroup()] } : list);
    }
    if (path === "/openapi/v2" || path === "/swagger-2.0.0.pb-v1") {
      // kubectl before 1.27 asks for gnostic protobuf (then the old /swagger-2.0.0.pb-v1); newer clients for JSON.
      const accept = req.headers.accept ?? "";
      const pb = path !== "/openapi/v2" || accept.includes(openApiV2ProtobufType);
      if (!pb && accept && !/application\/json|\*\/\*/.test(accept))
        throw Object.assign(new ApiError("BadRequest", `only application/json and ${openApiV2ProtobufType} are served for /openapi/v2`), { code: 406 });
      if (!pb) return doc(cached("v2", () => openApiV2(resources.served)));
      if (!get) throw new ApiError("MethodNotAllowed", `${req.method} is not allowed on ${path}`);
      const body = cached("v2pb", () => Buffer.from(openApiV2Protobuf(cached("v2", () => openApiV2(resources.served)) as Record<string, unknown>))) as Buffer;
      // As kube-openapi answers: Go's mime parser (client-go) rejects the "@" of the protobuf media type.
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": body.length, "Cache-Control": "no-cache, private" });
      return void res.end(body);
    }
    if (path === "/openapi/v3") return doc(cached("v3", () => openApiV3Root(resources.served)));
    if (path.startsWith("/openapi/v3/")) {
      const gv = path.slice("/openapi/v3/".length);
      return doc(cached(`v3/${gv}`, () => openApiV3(resources.served, gv)));
    }
    const segs = path.split("/").filter(Boolean);
    if (metrics && segs[0] === "apis" && segs[1] === metricsGroup) {
      if (segs.length === 2) return doc({ kind: "APIGroup", apiVersion: "v1", ...metricsApiGroup() });
      if (segs[2] !== metricsVersion) return doc(undefined);
      if (segs.length === 3) return doc(metricsResourceList());
      return doc(await metricsGet({ registry: ctx.registry, connector: ctx.connector, log: ctx.log }, segs.slice(3), url.searchParams));
    }
    if (segs[0] === "api" && segs.length === 2) return doc(apiResourceList(resources, "", segs[1]));
    if (segs[0] === "apis" && segs.length === 2) return doc(apiGroup(resources, segs[1]));
    if (segs[0] === "apis" && segs.length === 3) return doc(apiResourceList(resources, segs[1], segs[2]));
    if (!rp) throw new ApiError("NotFound", "the server could not find the requested resource");
    return handleResource(ctx, req, res, rp, url.searchParams, user);
  }

  const flow = new FlowControl(opts.flowControl ?? compileFlowControlOptions());
  const server: Server = createServer(
    {
      key: auth.serving.key,
      cert: auth.serving.cert,
      requestTimeout: 0,
      // Client certificates are asked for (node renewal), not required (kubectl uses the token).
      ca: auth.ca.cert,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      observeRestRequest(req, res);
      flow.serve(req, res, () => route(req, res)).catch((err) => sendError(res, err, ctx.log));
    },
  );
  server.on("upgrade", upgradeHandler(ctx, authn));
  auth.onRotate?.((c) => server.setSecureContext({ key: c.key, cert: c.cert, ca: auth.ca.cert }));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host || undefined, () => resolve());
  });
  const a = server.address() as AddressInfo;
  const address = `${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`;
  return {
    address,
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
