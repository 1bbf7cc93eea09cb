// Wires the node proxy: the table of frontends, its gRPC programming API on a local socket,
// and /metrics. It serves its last table for as long as it runs, agent or no agent.
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { Server, ServerCredentials } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import { proxyv1 } from "@skiff/proto";
import { ProxyTable } from "./table/table.js";
import { Metrics, serveMetrics } from "./metrics/metrics.js";
import { proxyService } from "./grpc/service.js";
import type { ProxyOptions } from "./options/options.js";

export { ProxyTable } from "./table/table.js";
export { Metrics } from "./metrics/metrics.js";

export interface RunningProxy {
  listen: string;
  metricsAddress: string;
  table: ProxyTable;
  stop(): Promise<void>;
}

/** Starts the proxy; resolves once the programming API and /metrics serve. */
export async function start(opts: ProxyOptions, log: Logger): Promise<RunningProxy> {
  const metrics = new Metrics();
  const table = new ProxyTable(metrics, opts, log.child({ component: "table" }));
  const server = new Server();
  server.addService(proxyv1.ProxyServiceService, proxyService(table, log.child({ component: "grpc" })));
  if (opts.listen.startsWith("unix:")) {
    const path = opts.listen.slice(5);
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true }); // a stale socket of a previous run
  }
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(opts.listen, ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  const listen = opts.listen.startsWith("unix:") ? opts.listen : `${opts.listen.slice(0, opts.listen.lastIndexOf(":"))}:${port}`;
  const m = await serveMetrics(opts.metricsAddress, () => {
    const open = table.open();
    const st = table.status();
    return metrics.render({
      skiff_proxy_open_connections: open.connections,
      skiff_proxy_open_udp_sessions: open.udpSessions,
      skiff_proxy_frontends: st.listeners,
      skiff_proxy_failed_frontends: st.failed.length,
    });
  });
  if (opts.stateFile) {
    mkdirSync(dirname(opts.stateFile), { recursive: true });
    writeFileSync(opts.stateFile, JSON.stringify({ pid: process.pid, listen, metricsAddress: m.address }));
  }
  log.info({ listen, metricsAddress: m.address }, "proxy serving");
  return {
    listen,
    metricsAddress: m.address,
    table,
    async stop() {
      table.close();
      m.server.close();
      await new Promise<void>((resolve) => server.tryShutdown(() => resolve()));
    },
  };
}

export type { proxyv1 };
