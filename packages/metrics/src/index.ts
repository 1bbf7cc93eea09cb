// @skiff/metrics: Prometheus metrics for every Skiff process (prom-client): the process's own
// figures (RSS, CPU, event loop), a loopback-only /metrics listener, and the work-queue provider
// (client-go's workqueue metric names) that @skiff/client's WorkQueue reports through.
import { createServer, type Server } from "node:http";
import { collectDefaultMetrics, type Histogram, register } from "prom-client";

export { AggregatorRegistry, Counter, Gauge, Histogram, Registry, register } from "prom-client";

/** Kubernetes' default latency buckets (seconds), as its apiserver and scheduler use. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** Buckets for fast in-process work (work queues, store calls): 1 µs … 10 s, ×10 each. */
export const FAST_BUCKETS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10];

let processMetrics = false;
/** Turns on process_* and nodejs_* metrics (resident memory, CPU, heap, event-loop lag) once. */
export function enableProcessMetrics(): void {
  if (processMetrics) return;
  processMetrics = true;
  collectDefaultMetrics();
}

/** The exposition of every metric of this process (Prometheus text format 0.0.4). */
export async function exposition(): Promise<{ contentType: string; body: string }> {
  return { contentType: register.contentType, body: await register.metrics() };
}

/** What is wrong with a metrics address ("" = off is fine): metrics listeners are loopback-only. */
export function metricsAddressProblem(address: string): string | undefined {
  if (address === "") return undefined;
  if (!/^(127\.\d+\.\d+\.\d+|localhost|\[::1\]):\d{1,5}$/.test(address))
    return `must be a loopback host:port (metrics are not served to the network; use the apiserver's node proxy), got ${JSON.stringify(address)}`;
  return undefined;
}

/** An error message naming the flag when `address` is not a loopback host:port. */
export function checkMetricsAddress(flag: string, address: string): string | undefined {
  const p = metricsAddressProblem(address);
  return p && `${flag}: ${p}`;
}

/** A running /metrics listener. */
export interface MetricsServer {
  /** host:port actually bound. */
  address: string;
  close(): Promise<void>;
}

/**
 * Serves GET /metrics (and /healthz) on a loopback host:port (port 0 = any); resolves once bound.
 * Loopback only, as kube-proxy's 127.0.0.1:10249: it has no authentication of its own.
 */
export async function serveMetrics(address: string, extra?: () => string): Promise<MetricsServer> {
  const err = checkMetricsAddress("metrics address", address);
  if (err) throw new Error(err);
  enableProcessMetrics();
  const i = address.lastIndexOf(":");
  const host = address.slice(0, i).replace(/^\[|\]$/g, ""),
    port = Number(address.slice(i + 1));
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405).end();
      return;
    }
    if (path === "/healthz") {
      res.writeHead(200, { "content-type": "text/plain" }).end("ok");
      return;
    }
    if (path !== "/metrics") {
      res.writeHead(404).end();
      return;
    }
    exposition().then(
      ({ contentType, body }) => {
        res.writeHead(200, { "content-type": contentType }).end(body + (extra?.() ?? ""));
      },
      (e: Error) => res.writeHead(500, { "content-type": "text/plain" }).end(String(e.message)),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  const a = server.address() as { address: string; port: number; family: string };
  return {
    address: `${a.family === "IPv6" ? `[${a.address}]` : a.address}:${a.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Times an async call into a histogram (seconds), whether it resolves or rejects. */
export async function timed<T>(h: Histogram<string>, labels: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const end = h.startTimer(labels);
  try {
    return await fn();
  } finally {
    end();
  }
}

export * from "./workqueue.js";

/**
 * Starts a process's loopback /metrics listener unless `address` is "" (off). A port already in
 * use is logged as an error, not fatal: the process's own work matters more than its metrics
 * (several schedulers or test clusters on one host).
 */
export async function startMetricsListener(
  address: string,
  log: { info(o: object, m: string): void; error(o: object, m: string): void },
): Promise<MetricsServer | undefined> {
  enableProcessMetrics();
  if (!address) return undefined;
  try {
    const s = await serveMetrics(address);
    log.info({ metricsAddress: s.address }, "serving /metrics");
    return s;
  } catch (err) {
    log.error({ err, metricsAddress: address }, "cannot serve /metrics (is another process on this port? set --metrics-address)");
    return undefined;
  }
}
