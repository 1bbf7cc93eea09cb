// Keeps the node's proxy programmed: on every Service or Endpoints change it rebuilds the
// full table and pushes it over the proxy's local gRPC socket (coalescing bursts, retrying
// when the proxy is not there, re-pushing periodically in case the proxy restarted).
import { credentials, Metadata } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import type { Informer } from "@skiff/client";
import type { Endpoints, Service } from "@skiff/api";
import { proxyv1 } from "@skiff/proto";
import { buildTable, type LocalDns, type LocalIngress } from "./proxy-table.js";

export interface ProgrammerOptions {
  nodeName: string;
  nodeIP: string;
  /** The proxy's programming address ("unix:/…sock"). */
  proxyAddress: string;
  localDns: () => LocalDns | undefined;
  /** This node's ingress controller, behind kube-system/skiff-ingress (undefined: none). */
  localIngress?: () => LocalIngress | undefined;
  /** Full re-push period (a restarted proxy gets its table back). */
  resyncMs: number;
  /** Told about each frontend the proxy could not open (once per new failure), with its Service. */
  onFailedFrontend?: (service: Service, frontend: string, reason: string) => void;
  /** Told the load-balancer addresses of the table pushed (the host must accept them). */
  onLoadBalancerIPs?: (ips: string[]) => Promise<void>;
  /** Entries beside the Services' (the node's pods' host ports), and the informers whose changes change them. */
  extra?: { entries: () => proxyv1.ServicePort[]; informers: Informer[] };
}

/** Pushes tables to one proxy. */
export class ProxyProgrammer {
  private readonly client: proxyv1.ProxyServiceClient;
  private version = 0;
  private pending = false;
  private pushing = false;
  private timer?: NodeJS.Timeout;
  private resync?: NodeJS.Timeout;
  private stopped = false;
  private lastFailed = "";

  constructor(
    private readonly services: Informer<Service>,
    private readonly endpoints: Informer<Endpoints>,
    private readonly opts: ProgrammerOptions,
    private readonly log: Logger,
  ) {
    this.client = new proxyv1.ProxyServiceClient(opts.proxyAddress, credentials.createInsecure());
  }

  start(): void {
    const kick = () => this.schedule();
    for (const inf of [this.services, this.endpoints, ...(this.opts.extra?.informers ?? [])] as Informer[])
      inf.addHandlers({ onAdd: kick, onUpdate: kick, onDelete: kick });
    this.resync = setInterval(kick, this.opts.resyncMs);
    this.resync.unref();
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.resync) clearInterval(this.resync);
    this.client.close();
  }

  /** Coalesces changes: one push in flight, the next one carries everything since. */
  schedule(delayMs = 0): void {
    this.pending = true;
    if (this.pushing || this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.push();
    }, delayMs);
  }

  /** Frontends that failed and were not failing at the previous push go to onFailedFrontend. */
  private reported = new Set<string>();
  /** Tells onFailedFrontend about each failure not reported by the previous push. */
  private reportFailures(failures: proxyv1.FrontendFailure[]): void {
    const now = new Set<string>();
    for (const f of failures) {
      const id = `${f.frontend}: ${f.reason}`;
      now.add(id);
      const svc = this.services.get(f.service);
      if (svc && !this.reported.has(id)) this.opts.onFailedFrontend?.(svc, f.frontend, f.reason);
    }
    this.reported = now;
  }

  private async push(): Promise<void> {
    if (!this.pending || this.stopped) return;
    this.pending = false;
    this.pushing = true;
    const eps = new Map(this.endpoints.list().map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e]));
    const req: proxyv1.SetTableRequest = {
      version: String(++this.version),
      nodeName: this.opts.nodeName,
      nodeIp: this.opts.nodeIP,
      services: buildTable(this.services.list(), eps, this.opts.nodeName, this.opts.localDns(), this.opts.localIngress?.()),
    };

    // Load-balancer addresses must be local before the proxy can listen on them (host ports are on the node's own addresses).
    const lbIps = [...new Set(req.services.flatMap((s) => s.loadBalancerIps))].sort();
    req.services.push(...(this.opts.extra?.entries() ?? []));
    try {
      await this.opts.onLoadBalancerIPs?.(lbIps);
      const res = await new Promise<proxyv1.SetTableResponse>((resolve, reject) => {
        this.client.setTable(req, new Metadata(), { deadline: Date.now() + 10_000 }, (err, r) => (err ? reject(err) : resolve(r!)));
      });
      const failed = res.failures.map((f) => `${f.frontend}: ${f.reason}`).join(", ");
      if (failed !== this.lastFailed) {
        if (failed) this.log.warn({ failed: res.failures }, "proxy could not open some frontends (retrying)");
        this.reportFailures(res.failures);
      }
      this.lastFailed = failed;
      this.pushing = false;
      if (this.pending) this.schedule();
    } catch (err) {
      this.pushing = false;
      this.log.warn({ err: (err as Error).message }, "cannot program the proxy; retrying");
      this.schedule(1000);
    }
  }
}
