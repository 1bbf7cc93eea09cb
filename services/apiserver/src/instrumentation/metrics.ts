// The apiserver's Prometheus metrics, under Kubernetes' names: REST requests by verb, resource
// and code (apiserver_request_total, apiserver_request_duration_seconds), gRPC calls
// (go-grpc-prometheus' grpc_server_*), store calls (etcd_request_duration_seconds: the store is
// NATS KV, the name is Kubernetes'), objects, watch-cache window and watchers.
import type { IncomingMessage, ServerResponse } from "node:http";
import { ServerInterceptingCall, status as grpcStatus, type ServerInterceptor } from "@grpc/grpc-js";
import { Counter, Gauge, Histogram, LATENCY_BUCKETS, enableProcessMetrics } from "@skiff/metrics";
import { parseResourcePath, type ResourcePath } from "../rest/http/route.js";
import { parseProxyPath } from "../rest/proxy/path.js";

const requestLabels = ["verb", "group", "version", "resource", "subresource", "scope", "component"] as const;
const requests = new Counter({
  name: "apiserver_request_total",
  help: "Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.",
  labelNames: [...requestLabels, "code"],
});
const durations = new Histogram({
  name: "apiserver_request_duration_seconds",
  help: "Response latency distribution in seconds for each verb, group, version, resource, subresource, scope and component (WATCH and CONNECT excluded, as in Kubernetes).",
  labelNames: requestLabels,
  buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
});
const inflight = new Gauge({
  name: "apiserver_current_inflight_requests",
  help: "Maximal number of currently used inflight request limit of this apiserver per request kind in last second.",
  labelNames: ["request_kind"],
});
const grpcHandled = new Counter({
  name: "grpc_server_handled_total",
  help: "Total number of RPCs completed on the server, regardless of success or failure.",
  labelNames: ["grpc_service", "grpc_method", "grpc_code"],
});
const grpcSeconds = new Histogram({
  name: "grpc_server_handling_seconds",
  help: "Histogram of response latency (seconds) of gRPC that had been application-level handled by the server (streams until they end).",
  labelNames: ["grpc_service", "grpc_method"],
  buckets: LATENCY_BUCKETS,
});
const storeSeconds = new Histogram({
  name: "etcd_request_duration_seconds",
  help: "Store (NATS JetStream KV) request latency in seconds for each operation and object type.",
  labelNames: ["operation", "type"],
  buckets: [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60],
});
const storeErrors = new Counter({
  name: "etcd_request_errors_total",
  help: "Store (NATS JetStream KV) requests that failed, for each operation and object type.",
  labelNames: ["operation", "type"],
});

/** The REST verb Kubernetes' metrics use: GET/LIST/WATCH/POST/PUT/PATCH/APPLY/DELETE/DELETECOLLECTION/CONNECT. */
export function requestVerb(
  method: string,
  path: string,
  query: URLSearchParams,
  contentType = "",
): { verb: string; group: string; version: string; resource: string; subresource: string; scope: string } {
  let rp: ResourcePath | undefined;
  try {
    rp = parseProxyPath(path)?.rp ?? parseResourcePath(path);
  } catch {
    rp = undefined; // a malformed proxy target: the request itself answers 400
  }
  if (!rp) return { verb: method === "HEAD" ? "GET" : method, group: "", version: "", resource: "", subresource: "", scope: "" };
  const sub = rp.subresource ?? "";
  const scope = rp.name ? "resource" : rp.namespace !== undefined ? "namespace" : "cluster";
  let verb = method;
  if (sub === "proxy" || sub === "exec" || sub === "attach" || sub === "portforward") verb = "CONNECT";
  else if (method === "GET" || method === "HEAD") verb = rp.watchPrefix || /^(1|t|true)$/i.test(query.get("watch") ?? "") ? "WATCH" : rp.name ? "GET" : "LIST";
  else if (method === "PATCH" && contentType.startsWith("application/apply-patch")) verb = "APPLY";
  else if (method === "DELETE" && !rp.name) verb = "DELETECOLLECTION";
  return { verb, group: rp.group, version: rp.version, resource: rp.resource, subresource: sub, scope };
}

/** Records one REST request when its response ends (call first thing in the request handler). */
export function observeRestRequest(req: IncomingMessage, res: ServerResponse): void {
  enableProcessMetrics();
  const start = performance.now();
  const url = new URL(req.url ?? "/", "https://apiserver");
  const l = requestVerb(req.method ?? "GET", url.pathname.replace(/\/+$/, ""), url.searchParams, String(req.headers["content-type"] ?? ""));
  const kind = req.method === "GET" || req.method === "HEAD" ? "readOnly" : "mutating";
  inflight.inc({ request_kind: kind });
  res.once("close", () => {
    inflight.dec({ request_kind: kind });
    const labels = {
      verb: l.verb,
      group: l.group,
      version: l.version,
      resource: l.resource,
      subresource: l.subresource,
      scope: l.scope,
      component: "apiserver",
    };
    requests.inc({ ...labels, code: String(res.statusCode) });
    if (l.verb !== "WATCH" && l.verb !== "CONNECT") durations.observe(labels, (performance.now() - start) / 1000);
  });
}

/** The gRPC interceptor that counts and times every call by service, method and status code. */
export function grpcMetricsInterceptor(): ServerInterceptor {
  enableProcessMetrics();
  return (method, call) => {
    const start = performance.now();
    const [, service = "", name = ""] = /^\/([^/]+)\/([^/]+)$/.exec(method.path) ?? [];
    return new ServerInterceptingCall(call, {
      sendStatus(status, next) {
        observeGrpcCall(service, name, status.code, start);
        next(status);
      },
    });
  };
}

/** Counts and times one call that ended with `code`; a call carried by Multiplex counts under its own method. */
export function observeGrpcCall(service: string, method: string, code: number, startMs: number): void {
  const labels = { grpc_service: service, grpc_method: method };
  grpcHandled.inc({ ...labels, grpc_code: grpcStatus[code] ?? String(code) });
  grpcSeconds.observe(labels, (performance.now() - startMs) / 1000);
}

/** The store methods that are timed, and how each names its object type (the key's first token). */
const timedOps: Record<string, string> = {
  get: "get",
  create: "create",
  update: "update",
  delete: "delete",
  list: "list",
  currentRevision: "revision",
  compact: "compact",
};

/** What the metrics read of the store beyond its calls. */
export interface StoreFigures {
  cacheStats?(): { objects: [string, number][]; events: number; watchers: [string, number][] } | undefined;
}

/**
 * Wraps the store so every call is timed into etcd_request_duration_seconds (one place, no
 * change to the store), and exposes its watch cache as gauges read when scraped.
 */
export function instrumentStore<T extends object & StoreFigures>(store: T): T {
  enableProcessMetrics();
  figures = store;
  return new Proxy(store, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver);
      const op = typeof prop === "string" ? timedOps[prop] : undefined;
      if (!op || typeof v !== "function") return v;
      return (...args: unknown[]) => {
        const type = typeof args[0] === "string" ? args[0].split(".")[0] || "*" : "";
        const end = storeSeconds.startTimer({ operation: op, type });
        const p = (v as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        return p.then(
          (r) => {
            end();
            return r;
          },
          (err: unknown) => {
            end();
            storeErrors.inc({ operation: op, type });
            throw err;
          },
        );
      };
    },
  });
}

let figures: StoreFigures | undefined;
new Gauge({
  name: "apiserver_storage_objects",
  help: "Number of stored objects at the time of last check split by kind (from the watch cache).",
  labelNames: ["resource"],
  collect() {
    this.reset();
    for (const [r, n] of figures?.cacheStats?.()?.objects ?? []) this.set({ resource: r }, n);
  },
});
new Gauge({
  name: "apiserver_registered_watchers",
  help: "Number of currently registered watchers for a given resource (served from the watch cache).",
  labelNames: ["resource"],
  collect() {
    this.reset();
    for (const [r, n] of figures?.cacheStats?.()?.watchers ?? []) this.set({ resource: r }, n);
  },
});
new Gauge({
  name: "apiserver_watch_cache_events",
  help: "Events held in the watch cache's window (what a resuming watch can be served from).",
  collect() {
    this.set(figures?.cacheStats?.()?.events ?? 0);
  },
});
