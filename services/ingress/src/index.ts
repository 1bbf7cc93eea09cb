// Skiff's built-in Ingress controller (class `skiff`, controller skiff.dev/ingress): one per
// node, beside the proxy and dns. Informers feed the configurator (routing, backends,
// certificates, status, events); the server answers HTTP and HTTPS/HTTP2 from its snapshots.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { hostname } from "node:os";
import { createAccessLogger, type Logger } from "@skiff/log";
import { ApiClient, EventRecorder, Informer } from "@skiff/client";
import type { EndpointSlice, Ingress, IngressClass, Secret, Service } from "@skiff/api";
import { bootstrap, INGRESS_SERVICE } from "./bootstrap/bootstrap.js";
import { Configurator } from "./config/configurator.js";
import { StatusWriter } from "./status/status.js";
import { CertStore, DEFAULT_CERT_CN, selfSigned } from "./tls/certs.js";
import { Upstreams } from "./proxy/upstreams.js";
import { Metrics } from "./metrics/metrics.js";
import { IngressServer } from "./server/server.js";
import { hostPort, type IngressOptions } from "./options/options.js";

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
  const access = createAccessLogger({ service: "ingress", bindings: { component: "access" } });
  const flusher = setInterval(() => access.flush(), 1000);
  flusher.unref();
  const server = new IngressServer(
    () => config.snapshot,
    certs,
    pools,
    metrics,
    {
      http: hostPort(opts.httpAddress),
      https: hostPort(opts.httpsAddress),
      publicHttpPort: 80,
      publicHttpsPort: 443,
      accessLog: opts.accessLog,
      defaultCert,
    },
    access,
  );
  await server.start();
  const m = hostPort(opts.metricsAddress);
  const metricsServer = await metrics.serve(m.host, m.port);
  // Serving (503 "starting") before the apiserver answers: the agent that spawned us never waits on it.
  if (opts.stateFile) {
    mkdirSync(dirname(opts.stateFile), { recursive: true });
    writeFileSync(
      opts.stateFile,
      JSON.stringify({ pid: process.pid, httpPort: server.httpPort, httpsPort: server.httpsPort, metricsPort: metricsServer.port, proxyProtocol: "v2" }),
    );
  }
  log.info({ http: server.httpPort, https: server.httpsPort, metrics: metricsServer.port, class: opts.ingressClass }, "ingress controller listening");
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
    log.info("ingress controller serving its Ingresses");
  })();
  return {
    httpPort: server.httpPort,
    httpsPort: server.httpsPort,
    metricsPort: metricsServer.port,
    async stop() {
      stopped = true;
      config.stop();
      await server.stop();
      metricsServer.server.close();
      for (const i of Object.values(inf)) i.stop();
      pools.close();
      client.close();
      clearInterval(flusher);
      access.flush();
    },
  };
}
