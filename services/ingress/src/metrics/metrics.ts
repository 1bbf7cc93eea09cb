// Prometheus metrics of the controller (prom-client): requests by Ingress and status, a latency
// histogram, bytes sent, upstream failures and the number of table rebuilds, plus the process's
// own figures, served on a small loopback HTTP endpoint.
import { createServer, type Server } from "node:http";
import { Counter, Histogram, Registry, enableProcessMetrics, exposition } from "@skiff/metrics";

const BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Counters of the controller. */
export class Metrics {
  private readonly registry = new Registry();
  private readonly requests = new Counter({
    name: "skiff_ingress_requests_total",
    help: 'Requests answered, by Ingress ("" = no rule) and status.',
    labelNames: ["ingress", "status"],
    registers: [this.registry],
  });
  private readonly bytes = new Counter({
    name: "skiff_ingress_response_bytes_total",
    help: "Response body bytes sent to clients.",
    labelNames: ["ingress"],
    registers: [this.registry],
  });
  private readonly seconds = new Histogram({
    name: "skiff_ingress_request_duration_seconds",
    help: "Time from request to the end of the response.",
    labelNames: ["ingress"],
    buckets: BUCKETS,
    registers: [this.registry],
  });
  private readonly failures = new Counter({ name: "skiff_ingress_upstream_failures_total", help: "Requests answered 502 or 504.", registers: [this.registry] });
  upstreamFailures = 0;
  reloads = 0;

  constructor() {
    const self = this;
    new Counter({
      name: "skiff_ingress_config_reloads_total",
      help: "Routing table rebuilds.",
      registers: [this.registry],
      collect() {
        this.reset();
        this.inc(self.reloads);
      },
    });
  }

  /** Records one finished request. */
  observe(ingress: string, status: number, seconds: number, bytesOut: number): void {
    this.requests.inc({ ingress, status: String(status) });
    this.bytes.inc({ ingress }, bytesOut);
    this.seconds.observe({ ingress }, seconds);
    if (status === 502 || status === 504) {
      this.upstreamFailures++;
      this.failures.inc();
    }
  }

  /** The exposition: the controller's metrics, then the process's own. */
  async render(): Promise<string> {
    enableProcessMetrics();
    return (await this.registry.metrics()) + (await exposition()).body;
  }

  /** Serves GET /metrics on host:port; resolves with the bound port. */
  serve(host: string, port: number): Promise<{ server: Server; port: number }> {
    const server = createServer((req, res) => {
      if (req.url !== "/metrics") {
        res.writeHead(404).end();
        return;
      }
      this.render().then(
        (body) => res.writeHead(200, { "content-type": "text/plain; version=0.0.4; charset=utf-8" }).end(body),
        (err: Error) => res.writeHead(500).end(err.message),
      );
    });
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, host, () => resolve({ server, port: (server.address() as { port: number }).port }));
    });
  }
}
