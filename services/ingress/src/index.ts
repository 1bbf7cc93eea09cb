// Skiff's built-in Ingress controller (class `skiff`, controller skiff.dev/ingress): one per
// node, beside the proxy and dns. Informers feed the configurator (routing, backends,
// certificates, status, events); the server answers HTTP and HTTPS/HTTP2 from its snapshots,
// in this process (--workers 1) or in worker processes fed with replicas of the informers.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { availableParallelism, hostname } from "node:os";
import type { Logger } from "@skiff/log";
import { ApiClient, EventRecorder, Informer } from "@skiff/client";
import type { EndpointSlice, Ingress, IngressClass, Secret, Service } from "@skiff/api";
import { bootstrap, INGRESS_SERVICE } from "./bootstrap/bootstrap.js";
import { Configurator } from "./config/configurator.js";
import { StatusWriter } from "./status/status.js";
import { CertStore, DEFAULT_CERT_CN, selfSigned } from "./tls/certs.js";
import { Upstreams } from "./proxy/upstreams.js";
import { Metrics } from "./metrics/metrics.js";
import { IngressServer } from "./server/server.js";
import { AccessLog } from "./server/access-log.js";
import { hostPort, serverOptions, type IngressOptions } from "./options/options.js";
import { WorkerPool } from "./workers/primary.js";

export { RouteTable, servedByUs, CONTROLLER } from "./routing/routing.js";
export { parseAnnotations } from "./annotations/annotations.js";
export { INGRESS_SERVICE } from "./bootstrap/bootstrap.js";

/** Starts the controller; resolves once it serves. */
export async function start(opts: IngressOptions, log: Logger): Promise<{ httpPort: number; httpsPort: number; metricsPort: number; stop(): Promise<void> }> {
  const client = new ApiClient({ addresses: opts.apiservers, ...(opts.tlsDir ? { tls: { dir: opts.tlsDir } } : {}) });
  const mk = <T extends Ingress | IngressClass | Service | EndpointSlice | Secret>(resource: string, o = {}) =>
    new Informer<T>(client, resource, o, log.child({ informer: resource }));
  const inf = {
    ingresses: mk<Ingress>("ingresses"),
    classes: mk<IngressClass>("ingressclasses"),
    services: mk<Service>("services"),
    slices: mk<EndpointSlice>("endpointslices"),
    // Only TLS Secrets: the controller never holds other credentials of the cluster.
    secrets: mk<Secret>("secrets", { fieldSelector: "type=kubernetes.io/tls" }),
  };
  const defaultCert = selfSigned(DEFAULT_CERT_CN);
  const certs = new CertStore(defaultCert);
  const pools = new Upstreams();
  const metrics = new Metrics();
  const recorder = new EventRecorder(client, "skiff-ingress", opts.nodeName || hostname(), log.child({ component: "events" }));
  const lbAddresses = () =>
    (inf.services.get(`${INGRESS_SERVICE.namespace}/${INGRESS_SERVICE.name}`)?.status?.loadBalancer?.ingress ?? [])
      .map((i) => i.ip)
      .filter((x): x is string => !!x);
  const status = new StatusWriter(client, lbAddresses, log.child({ component: "status" }));
  const config = new Configurator(inf, certs, pools, metrics, recorder, status, log.child({ component: "config" }));
  // Access lines are many: a buffered logger of their own (flushed on stop and every second).
  const access = new AccessLog({ service: "ingress", component: "access" });
  const flusher = setInterval(() => access.flush(), 1000);
  flusher.unref();
  // --workers 0: one per CPU (ingress-nginx's worker_processes auto).
  const workers = opts.workers || availableParallelism();
  const pool = workers > 1 ? new WorkerPool(workers, inf, defaultCert, log.child({ component: "workers" })) : undefined;
  const server = pool ? undefined : new IngressServer(() => config.snapshot, certs, pools, metrics, serverOptions(opts, defaultCert), access);
  if (pool) metrics.workers = () => pool.metrics() as ReturnType<NonNullable<Metrics["workers"]>>;
  await (pool ?? server!).start();
  const ports = pool ?? server!;
  const m = hostPort(opts.metricsAddress);
  const metricsServer = await metrics.serve(m.host, m.port);
  // Serving (503 "starting") before the apiserver answers: the agent that spawned us never waits on it.
  if (opts.stateFile) {
    mkdirSync(dirname(opts.stateFile), { recursive: true });
    writeFileSync(
      opts.stateFile,
      JSON.stringify({ pid: process.pid, httpPort: ports.httpPort, httpsPort: ports.httpsPort, metricsPort: metricsServer.port, proxyProtocol: "v2", workers }),
    );
  }
  log.info({ http: ports.httpPort, https: ports.httpsPort, metrics: metricsServer.port, class: opts.ingressClass, workers }, "ingress controller listening");
  let stopped = false;
  void (async () => {
    for (let i = 0; opts.bootstrap && !stopped; i++) {
      try {
        await bootstrap(client, opts.ingressClass, log.child({ component: "bootstrap" }));
        break;
      } catch (err) {
        if (i % 10 === 0) log.warn({ err: (err as Error).message }, "cannot create the IngressClass and Service yet; retrying");
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
    for (const i of Object.values(inf)) void i.start();
    await Promise.all(Object.values(inf).map((i) => i.waitForSync()));
    if (stopped) return;
    config.start();
    pool?.replicate();
    log.info("ingress controller serving its Ingresses");
  })();
  return {
    httpPort: ports.httpPort,
    httpsPort: ports.httpsPort,
    metricsPort: metricsServer.port,
    async stop() {
      stopped = true;
      config.stop();
      await (pool ?? server!).stop();
      metricsServer.server.close();
      for (const i of Object.values(inf)) i.stop();
      pools.close();
      client.close();
      clearInterval(flusher);
      access.flush();
    },
  };
}
