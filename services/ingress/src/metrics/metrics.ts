// Prometheus metrics of the controller (prom-client): requests by Ingress and status, a latency
// histogram, bytes sent, upstream failures and the number of table rebuilds, plus the process's
// own figures, served on a small loopback HTTP endpoint. With workers (workers/), each counts its
// own requests and the primary serves the sum (prom-client's cluster aggregation).
import { createServer, type Server } from "node:http";
import { AggregatorRegistry, Counter, Histogram, Registry, enableProcessMetrics, exposition } from "@skiff/metrics";

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

  /** `reloads`: false in a worker (the primary counts the rebuilds once). */
  constructor(reloads = true) {
    const self = this;
    if (!reloads) return;
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

  /** Label children by ingress and status: prom-client's label lookup per call was a visible share of a request's CPU. */
  private readonly children = new Map<string, { requests: { inc(): void }; bytes: { inc(n: number): void }; seconds: { observe(v: number): void } }>();

  /** Records one finished request. */
  observe(ingress: string, status: number, seconds: number, bytesOut: number): void {
    const key = `${status} ${ingress}`;
    let c = this.children.get(key);
    if (!c) {
      c = { requests: this.requests.labels(ingress, String(status)), bytes: this.bytes.labels(ingress), seconds: this.seconds.labels(ingress) };
      this.children.set(key, c);
    }
    c.requests.inc();
    c.bytes.inc(bytesOut);
    c.seconds.observe(seconds);
    if (status === 502 || status === 504) {
      this.upstreamFailures++;
      this.failures.inc();
    }
  }

  /** This process's counters as JSON, for the primary to add up. */
  json(): ReturnType<Registry["getMetricsAsJSON"]> {
    return this.registry.getMetricsAsJSON();
  }

  /** Where the counters of the workers come from, in the primary (undefined: this process serves). */
  workers?: () => Promise<Awaited<ReturnType<Registry["getMetricsAsJSON"]>>[]>;

  /** The exposition: the controller's metrics (summed over the workers), then the process's own. */
  async render(): Promise<string> {
    enableProcessMetrics();
    const own = this.workers ? await AggregatorRegistry.aggregate([await this.json(), ...(await this.workers())]).metrics() : await this.registry.metrics();
    return own + (await exposition()).body;
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
