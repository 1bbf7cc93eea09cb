// Prometheus metrics of the controller (text format 0.0.4, written by hand like the proxy's):
// requests by Ingress and status, a latency histogram, bytes sent, upstream failures and the
// number of table rebuilds, served on a small loopback HTTP endpoint.
import { createServer, type Server } from "node:http";

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const esc = (v: string) => v.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");

/** Counters of the controller. */
export class Metrics {
  private readonly requests = new Map<string, number>();
  private readonly bytes = new Map<string, number>();
  private readonly hist = new Map<string, { counts: number[]; sum: number; count: number }>();
  upstreamFailures = 0;
  reloads = 0;

  /** Records one finished request. */
  observe(ingress: string, status: number, seconds: number, bytesOut: number): void {
    const k = `ingress="${esc(ingress)}",status="${status}"`;
    this.requests.set(k, (this.requests.get(k) ?? 0) + 1);
    const ik = `ingress="${esc(ingress)}"`;
    this.bytes.set(ik, (this.bytes.get(ik) ?? 0) + bytesOut);
    let h = this.hist.get(ik);
    if (!h) this.hist.set(ik, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]) h.counts[i]++;
    h.sum += seconds;
    h.count++;
    if (status === 502 || status === 504) this.upstreamFailures++;
  }

  render(): string {
    const out: string[] = [];
    out.push("# HELP skiff_ingress_requests_total Requests answered, by Ingress (\"\" = no rule) and status.", "# TYPE skiff_ingress_requests_total counter");
    for (const [k, v] of this.requests) out.push(`skiff_ingress_requests_total{${k}} ${v}`);
    out.push("# HELP skiff_ingress_response_bytes_total Response body bytes sent to clients.", "# TYPE skiff_ingress_response_bytes_total counter");
    for (const [k, v] of this.bytes) out.push(`skiff_ingress_response_bytes_total{${k}} ${v}`);
    out.push("# HELP skiff_ingress_request_duration_seconds Time from request to the end of the response.", "# TYPE skiff_ingress_request_duration_seconds histogram");
    for (const [k, h] of this.hist) {
      BUCKETS.forEach((b, i) => { out.push(`skiff_ingress_request_duration_seconds_bucket{${k},le="${b}"} ${h.counts[i]}`); });
      out.push(`skiff_ingress_request_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`, `skiff_ingress_request_duration_seconds_sum{${k}} ${h.sum}`, `skiff_ingress_request_duration_seconds_count{${k}} ${h.count}`);
    }
    out.push("# HELP skiff_ingress_upstream_failures_total Requests answered 502 or 504.", "# TYPE skiff_ingress_upstream_failures_total counter", `skiff_ingress_upstream_failures_total ${this.upstreamFailures}`);
    out.push("# HELP skiff_ingress_config_reloads_total Routing table rebuilds.", "# TYPE skiff_ingress_config_reloads_total counter", `skiff_ingress_config_reloads_total ${this.reloads}`);
    return out.join("\n") + "\n";
  }

  /** Serves GET /metrics on host:port; resolves with the bound port. */
  serve(host: string, port: number): Promise<{ server: Server; port: number }> {
    const server = createServer((req, res) => {
      if (req.url !== "/metrics") { res.writeHead(404).end(); return; }
      res.writeHead(200, { "content-type": "text/plain; version=0.0.4" }).end(this.render());
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve({ server, port: (server.address() as { port: number }).port }));
    });
  }
}
