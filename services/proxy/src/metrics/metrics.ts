// Per-service counters (connections, bytes, errors, UDP sessions) and their Prometheus text
// exposition on a small loopback HTTP endpoint.
import { createServer, type Server } from "node:http";

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

  of(service: string): Counters {
    let c = this.byService.get(service);
    if (!c) this.byService.set(service, (c = { connections: 0, active: 0, bytesIn: 0, bytesOut: 0, errors: 0, udpSessions: 0, udpPackets: 0 }));
    return c;
  }

  /** Prometheus text format (version 0.0.4). */
  render(extra: Record<string, number> = {}): string {
    const lines: string[] = [];
    const metric = (name: string, help: string, type: string, pick: (c: Counters) => number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [svc, c] of this.byService) lines.push(`${name}{service="${svc.replace(/["\\\n]/g, "_")}"} ${pick(c)}`);
    };
    metric("skiff_proxy_connections_total", "TCP connections accepted.", "counter", (c) => c.connections);
    metric("skiff_proxy_active_connections", "TCP connections open now.", "gauge", (c) => c.active);
    metric("skiff_proxy_bytes_received_total", "Bytes from clients.", "counter", (c) => c.bytesIn);
    metric("skiff_proxy_bytes_sent_total", "Bytes to clients.", "counter", (c) => c.bytesOut);
    metric("skiff_proxy_errors_total", "Connections or datagrams that found no reachable endpoint.", "counter", (c) => c.errors);
    metric("skiff_proxy_udp_sessions_total", "UDP client sessions opened.", "counter", (c) => c.udpSessions);
    metric("skiff_proxy_udp_packets_total", "UDP datagrams from clients.", "counter", (c) => c.udpPackets);
    for (const [k, v] of Object.entries(extra)) lines.push(`# TYPE ${k} gauge`, `${k} ${v}`);
    return lines.join("\n") + "\n";
  }
}

/** Serves GET /metrics; resolves with the bound "host:port". */
export async function serveMetrics(address: string, render: () => string): Promise<{ address: string; server: Server }> {
  const i = address.lastIndexOf(":");
  const host = address.slice(0, i), port = Number(address.slice(i + 1));
  const server = createServer((req, res) => {
    if (req.url === "/metrics") {
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" });
      res.end(render());
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve, reject) => { server.once("error", reject); server.listen(port, host, () => resolve()); });
  return { address: `${host}:${(server.address() as { port: number }).port}`, server };
}
