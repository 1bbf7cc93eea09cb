// Per-service counters (connections, bytes, errors, UDP sessions) and their Prometheus exposition
// (prom-client) on a small loopback HTTP endpoint. The hot path only adds to plain numbers in a
// Counters object; the prom-client metrics read them when scraped.
import { createServer, type Server } from "node:http";
import { Counter, Gauge, Registry, enableProcessMetrics, exposition } from "@skiff/metrics";

/** Counters of one service port ("namespace/name:port"). */
export interface Counters {
  connections: number;
  active: number;
  bytesIn: number;
  bytesOut: number;
  errors: number;
  udpSessions: number;
  udpPackets: number;
}

/** All counters of a proxy; entries outlive table changes so totals never go back. */
export class Metrics {
  readonly byService = new Map<string, Counters>();
  private readonly registry = new Registry();
  private extra: Record<string, number> = {};

  constructor() {
    const perService = (name: string, help: string, kind: "counter" | "gauge", pick: (c: Counters) => number) => {
      const byService = this.byService;
      const collect = function (this: Counter<"service"> | Gauge<"service">) {
        this.reset();
        for (const [svc, c] of byService) {
          if (this instanceof Gauge) this.set({ service: svc }, pick(c));
          else this.inc({ service: svc }, pick(c));
        }
      };
      const cfg = { name, help, labelNames: ["service"] as const, registers: [this.registry], collect };
      if (kind === "counter") new Counter(cfg);
      else new Gauge(cfg);
    };
    perService("skiff_proxy_connections_total", "TCP connections accepted.", "counter", (c) => c.connections);
    perService("skiff_proxy_active_connections", "TCP connections open now.", "gauge", (c) => c.active);
    perService("skiff_proxy_bytes_received_total", "Bytes from clients.", "counter", (c) => c.bytesIn);
    perService("skiff_proxy_bytes_sent_total", "Bytes to clients.", "counter", (c) => c.bytesOut);
    perService("skiff_proxy_errors_total", "Connections or datagrams that found no reachable endpoint.", "counter", (c) => c.errors);
    perService("skiff_proxy_udp_sessions_total", "UDP client sessions opened.", "counter", (c) => c.udpSessions);
    perService("skiff_proxy_udp_packets_total", "UDP datagrams from clients.", "counter", (c) => c.udpPackets);
    const extra = () => this.extra;
    for (const [name, help] of [
      ["skiff_proxy_open_connections", "TCP connections open now, all services."],
      ["skiff_proxy_open_udp_sessions", "UDP sessions open now, all services."],
      ["skiff_proxy_frontends", "Frontends (ClusterIP/NodePort/LB address:port) listening."],
      ["skiff_proxy_failed_frontends", "Frontends that could not be bound."],
    ])
      new Gauge({
        name,
        help,
        registers: [this.registry],
        collect() {
          if (name in extra()) this.set(extra()[name]);
        },
      });
  }

  of(service: string): Counters {
    let c = this.byService.get(service);
    if (!c) this.byService.set(service, (c = { connections: 0, active: 0, bytesIn: 0, bytesOut: 0, errors: 0, udpSessions: 0, udpPackets: 0 }));
    return c;
  }

  /** Prometheus text format (0.0.4): the proxy's metrics, then the process's own. */
  async render(extra: Record<string, number> = {}): Promise<string> {
    this.extra = extra;
    enableProcessMetrics();
    return (await this.registry.metrics()) + (await exposition()).body;
  }
}

/** Serves GET /metrics; resolves with the bound "host:port". */
export async function serveMetrics(address: string, render: () => Promise<string>): Promise<{ address: string; server: Server }> {
  const i = address.lastIndexOf(":");
  const host = address.slice(0, i),
    port = Number(address.slice(i + 1));
  const server = createServer((req, res) => {
    if (req.url === "/metrics") {
      render().then(
        (body) => {
          res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" });
          res.end(body);
        },
        (err: Error) => res.writeHead(500).end(err.message),
      );
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return { address: `${host}:${(server.address() as { port: number }).port}`, server };
}
