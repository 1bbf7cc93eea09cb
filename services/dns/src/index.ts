// Cluster DNS (svc.cluster.local): wire format, records from Services/Endpoints, and the
// UDP/TCP server. `start` wires it to the apiserver's informers.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import type { Logger } from "@skiff/log";
import { ApiClient, Informer } from "@skiff/client";
import type { Endpoints, Service } from "@skiff/api";
import { DnsServer } from "./server/server.js";
import { resolveUpstreams } from "./upstream/resolv-conf.js";
import { instrumentDns } from "./metrics/metrics.js";
import { startMetricsListener } from "@skiff/metrics";
import type { ClusterView } from "./records/records.js";
import type { DnsOptions } from "./options/options.js";

export * from "./wire/wire.js";
export { resolve, type ClusterView } from "./records/records.js";
export { DnsServer } from "./server/server.js";

/** Starts informers and the server; resolves once both serve. */
export async function start(opts: DnsOptions, log: Logger): Promise<{ port: number; metricsAddress: string; stop(): Promise<void> }> {
  const client = new ApiClient({ addresses: opts.apiservers, tls: { dir: opts.tlsDir } });
  const services = new Informer<Service>(client, "services", {}, log.child({ informer: "services" }));
  const endpoints = new Informer<Endpoints>(client, "endpoints", {}, log.child({ informer: "endpoints" }));
  void services.start();
  void endpoints.start();
  await Promise.all([services.waitForSync(), endpoints.waitForSync()]);
  const view: ClusterView = {
    service: (ns, n) => services.get(`${ns}/${n}`),
    endpoints: (ns, n) => endpoints.get(`${ns}/${n}`),
    services: () => services.list(),
    allEndpoints: () => endpoints.list(),
  };
  const i = opts.listen.lastIndexOf(":");
  const server = new DnsServer(
    view,
    {
      host: opts.listen.slice(0, i),
      port: Number(opts.listen.slice(i + 1)),
      domain: opts.clusterDomain,
      upstreams: resolveUpstreams(opts.upstream, opts.resolvConf, opts.listen),
      upstreamTimeoutMs: opts.upstreamTimeoutMs,
    },
    log.child({ component: "server" }),
  );
  instrumentDns(server, opts.clusterDomain, opts.listen.includes("[") ? "2" : "1");
  await server.start();
  const metrics = await startMetricsListener(opts.metricsAddress, log);
  if (opts.stateFile) {
    mkdirSync(dirname(opts.stateFile), { recursive: true });
    writeFileSync(opts.stateFile, JSON.stringify({ pid: process.pid, port: server.port, metricsAddress: metrics?.address ?? "" }));
  }
  log.info({ port: server.port, domain: opts.clusterDomain, upstreams: server.upstreams }, "dns serving");
  return {
    port: server.port,
    metricsAddress: metrics?.address ?? "",
    async stop() {
      server.stop();
      await metrics?.close();
      services.stop();
      endpoints.stop();
      client.close();
    },
  };
}
