// The proxy's table: reconciles open frontends (TCP listeners, UDP sockets) to the desired
// table the agent pushed. Frontends that stay are updated in place (their balancer gets the
// new endpoints), so established connections never notice a table change; frontends that
// go stop accepting but let their connections finish. Listeners that cannot open yet
// (address not there, port taken) are retried.
import type { Logger } from "@skiff/log";
import { proxyv1 } from "@skiff/proto";
import { Balancer, type Route } from "../balancer/balancer.js";
import type { Metrics } from "../metrics/metrics.js";
import { TcpFrontend, type FrontendTarget } from "../tcp/tcp.js";
import { UdpFrontend } from "../udp/udp.js";
import { nodePortAddresses } from "../nodeport/addresses.js";

export interface TableOptions {
  connectTimeoutMs: number;
  maxAttempts: number;
  udpIdleMs: number;
  /** Proxy-wide default: behave as if every service said trafficDistribution: PreferClose. */
  preferCloseDefault: boolean;
  /** Retry period of listeners that failed to open. */
  retryMs: number;
  /** --nodeport-addresses entries (see nodeport/addresses.ts). */
  nodePortAddresses: string[];
}

interface Desired {
  key: string;
  protocol: "tcp" | "udp";
  ip: string;
  port: number;
  service: string;
  external: boolean;
  proxyProtocol: boolean;
}

type Frontend = TcpFrontend | UdpFrontend;

/** The live table of one proxy. */
export class ProxyTable {
  private readonly frontends = new Map<string, Frontend>();
  private readonly balancers = new Map<string, Balancer>();
  /** Frontends that could not be opened, by key, with their service and the reason. */
  private readonly failed = new Map<string, proxyv1.FrontendFailure>();
  private desired = new Map<string, Desired>();
  private version = "";
  private nodeName = "";
  private retryTimer?: NodeJS.Timeout;
  private applying: Promise<void> = Promise.resolve();

  constructor(
    private readonly metrics: Metrics,
    private readonly opts: TableOptions,
    private readonly log: Logger,
  ) {}

  /** Replaces the table; resolves when every frontend that can open is open. */
  set(req: proxyv1.SetTableRequest): Promise<proxyv1.FrontendFailure[]> {
    const run = this.applying.then(() => this.apply(req));
    this.applying = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async apply(req: proxyv1.SetTableRequest): Promise<proxyv1.FrontendFailure[]> {
    this.version = req.version;
    this.nodeName = req.nodeName;
    const desired = new Map<string, Desired>();
    const routes = new Map<string, Route>();
    const nodePortIps = nodePortAddresses(this.opts.nodePortAddresses, req.nodeIp);
    for (const sp of req.services) {
      const protocol = sp.protocol === proxyv1.Protocol.PROTOCOL_UDP ? "udp" : "tcp";
      routes.set(sp.name, {
        endpoints: sp.endpoints.map((e) => ({ ip: e.ip, port: e.port, nodeName: e.nodeName })),
        affinitySeconds: sp.sessionAffinitySeconds,
        internalLocal: sp.internalLocal,
        externalLocal: sp.externalLocal,
        preferClose: sp.preferClose || this.opts.preferCloseDefault,
      });
      const add = (ip: string, port: number, external: boolean) => {
        if (!ip || !port) return;
        const key = `${protocol}:${ip}:${port}`;
        desired.set(key, { key, protocol, ip, port, service: sp.name, external, proxyProtocol: sp.proxyProtocol });
      };
      if (sp.clusterIp && sp.clusterIp !== "None") add(sp.clusterIp, sp.port, false);
      if (sp.nodePort) for (const ip of nodePortIps) add(ip, sp.nodePort, true);
      for (const lb of sp.loadBalancerIps) add(lb, sp.port, true);
    }
    // Balancers are per service port, kept across tables (round-robin position, affinity).
    for (const [name, route] of routes) {
      const b = this.balancers.get(name);
      if (b) b.route = route;
      else this.balancers.set(name, new Balancer(route, this.nodeName));
    }
    for (const name of this.balancers.keys()) if (!routes.has(name)) this.balancers.delete(name);
    for (const [key, f] of this.frontends) {
      const d = desired.get(key);
      if (!d) {
        f.close();
        this.frontends.delete(key);
        this.log.info({ frontend: key }, "frontend closed");
      } else {
        f.target = this.target(d);
      }
    }
    this.desired = desired;
    for (const k of this.failed.keys()) if (!desired.has(k)) this.failed.delete(k);
    await this.openMissing();
    return this.failedList();
  }

  private target(d: Desired): FrontendTarget {
    return { balancer: this.balancers.get(d.service)!, counters: this.metrics.of(d.service), external: d.external, proxyProtocol: d.proxyProtocol };
  }

  private async openMissing(): Promise<void> {
    await Promise.all(
      [...this.desired.values()]
        .filter((d) => !this.frontends.has(d.key))
        .map(async (d) => {
          // servicePort: "service" is the process name in every Skiff log line.
          const log = this.log.child({ frontend: d.key, servicePort: d.service });
          const f: Frontend =
            d.protocol === "tcp"
              ? new TcpFrontend(d.ip, d.port, this.target(d), { connectTimeoutMs: this.opts.connectTimeoutMs, maxAttempts: this.opts.maxAttempts }, log)
              : new UdpFrontend(d.ip, d.port, this.target(d), this.opts.udpIdleMs, log);
          try {
            await f.listen();
            // The table may have changed while we were opening.
            if (!this.desired.has(d.key) || this.frontends.has(d.key)) {
              f.close();
              return;
            }
            this.frontends.set(d.key, f);
            this.failed.delete(d.key);
            log.info("frontend open");
          } catch (err) {
            const reason = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
            if (this.failed.get(d.key)?.reason !== reason) log.warn({ err }, "cannot open frontend; will retry");
            // The table names service ports "namespace/name:port"; failures name the Service.
            this.failed.set(d.key, { frontend: d.key, service: d.service.slice(0, d.service.lastIndexOf(":")), reason });
          }
        }),
    );
    if (this.failed.size > 0 && !this.retryTimer) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.applying = this.applying.then(() => this.openMissing()).catch(() => undefined);
      }, this.opts.retryMs);
      this.retryTimer.unref();
    }
  }

  private failedList(): proxyv1.FrontendFailure[] {
    return [...this.failed.values()];
  }

  /** Version, open frontends and failures (GetStatus). */
  status(): { version: string; listeners: number; failed: proxyv1.FrontendFailure[] } {
    return { version: this.version, listeners: this.frontends.size, failed: this.failedList() };
  }

  /** Open TCP connections and UDP sessions (for metrics and leak checks). */
  open(): { connections: number; udpSessions: number } {
    let connections = 0,
      udpSessions = 0;
    for (const f of this.frontends.values()) {
      if (f instanceof TcpFrontend) connections += f.connections;
      else udpSessions += f.sessionCount;
    }
    return { connections, udpSessions };
  }

  /** Closes every frontend (process exit). */
  close(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    for (const f of this.frontends.values()) f.close();
    this.frontends.clear();
  }
}
