// The node's side of Services: host plumbing (routes, rules, the service CIDR), the proxy
// and dns processes, the proxy's table, and what pods get (service env vars, resolv.conf).
import { statSync } from "node:fs";
import type { Logger } from "@skiff/log";
import { type ApiClient, EventRecorder, Informer } from "@skiff/client";
import type { Endpoints, Node, Pod, Service } from "@skiff/api";
import { HostNetwork, LoadBalancerAddresses } from "./host.js";
import { ProxyProgrammer } from "./programmer.js";
import { hostPortEntries } from "./host-ports.js";
import { externalIpEntries, localAddresses } from "./external-ips.js";
import { ensureChild, readState } from "./children.js";
import { commandLine, componentSpecs, type ComponentSpec } from "./node-components.js";
import type { NodeComponent, ProcessState } from "../mirror/static-pods.js";
import { serviceEnv } from "./service-env.js";
import { podDns, type DnsSettings } from "./dns-config.js";
import type { LocalDns, LocalIngress } from "./proxy-table.js";
import type { NodeAgentOptions } from "../options/options.js";

/** Running service networking of one node. */
export class ServiceNetwork {
  private readonly services: Informer<Service>;
  private readonly endpoints: Informer<Endpoints>;
  private readonly nodes: Informer<Node>;
  private programmer?: ProxyProgrammer;
  private localDns?: LocalDns;
  private localIngress?: LocalIngress;
  private readonly host: HostNetwork;
  private readonly lbAddresses: LoadBalancerAddresses;
  private readonly recorder: EventRecorder;
  /** The processes this node runs (--proxy=spawn). */
  private readonly specs: ComponentSpec[];

  /** `pods`: this node's pods (their host ports go into the proxy's table). */
  constructor(
    client: ApiClient,
    private readonly opts: NodeAgentOptions,
    private readonly log: Logger,
    private readonly pods?: Informer<Pod>,
  ) {
    this.services = new Informer<Service>(client, "services", {}, log.child({ informer: "services" }));
    this.endpoints = new Informer<Endpoints>(client, "endpoints", {}, log.child({ informer: "endpoints" }));
    this.nodes = new Informer<Node>(client, "nodes", {}, log.child({ informer: "nodes" }));
    this.specs = componentSpecs(opts);
    this.lbAddresses = new LoadBalancerAddresses(log.child({ component: "lb-addresses" }));
    this.recorder = new EventRecorder(client, "skiff-proxy", opts.nodeName, log.child({ component: "events" }));
    this.host = new HostNetwork(
      { clusterName: opts.clusterName, clusterCidr: opts.clusterCidr, serviceCidr: opts.serviceCidr },
      log.child({ component: "host-network" }),
    );
  }

  /** Sets the host up, starts (or adopts) the children, and starts programming the proxy. */
  async start(): Promise<void> {
    const { opts, log } = this;
    void this.services.start();
    void this.endpoints.start();
    void this.nodes.start();
    if (opts.proxyMode === "none") return;
    try {
      await this.host.setup();
    } catch (err) {
      // Without root (CAP_NET_ADMIN) ClusterIPs cannot be bound; pods and NodePorts still work.
      log.error({ err }, "cannot program the host network (need root); ClusterIPs will not answer");
    }
    const syncNodes = () =>
      void this.host
        .sync(
          this.nodes
            .list()
            .filter((n) => n.spec?.podCIDR)
            .map((n) => ({
              podCIDR: n.spec!.podCIDR!,
              nodeIP: n.status?.addresses?.find((a) => a.type === "InternalIP")?.address ?? "",
              self: n.metadata.name === opts.nodeName,
            }))
            .filter((n) => n.nodeIP),
        )
        .catch((err) => log.warn({ err }, "host network sync failed"));
    this.nodes.addHandlers({
      onAdd: syncNodes,
      onUpdate: (o, n) => {
        if (o.spec?.podCIDR !== n.spec?.podCIDR || JSON.stringify(o.status?.addresses) !== JSON.stringify(n.status?.addresses)) syncNodes();
      },
      onDelete: syncNodes,
    });
    if (opts.proxyMode === "spawn") {
      for (const c of this.specs) {
        try {
          await this.ensureComponent(c.name);
        } catch (err) {
          if (!c.optional) throw err;
          // The node still runs pods and Services without it; Ingresses are then not served here
          // (its mirror pod shows it down, and the agent tries again).
          log.error({ err }, `cannot start the ${c.name} process; it is retried with back-off`);
        }
      }
    } else if (opts.dnsAddress) {
      const i = opts.dnsAddress.lastIndexOf(":");
      this.localDns = { ip: opts.dnsAddress.slice(0, i), port: Number(opts.dnsAddress.slice(i + 1)) };
    }
    await Promise.all([this.services.waitForSync(), this.endpoints.waitForSync(), this.nodes.waitForSync()]);
    syncNodes();
    this.programmer = new ProxyProgrammer(
      this.services,
      this.endpoints,
      {
        nodeName: opts.nodeName,
        nodeIP: opts.nodeIP,
        proxyAddress: opts.proxyAddress,
        localDns: () => this.localDns,
        localIngress: () => this.localIngress,
        resyncMs: 30_000,
        onLoadBalancerIPs: (ips) => this.lbAddresses.sync(ips),
        extra: {
          entries: () => [
            ...(this.pods ? hostPortEntries(this.pods.list(), opts.nodeIP, opts.nodeName) : []),
            ...externalIpEntries(
              this.services.list(),
              new Map(this.endpoints.list().map((e) => [`${e.metadata.namespace}/${e.metadata.name}`, e])),
              opts.nodeName,
              new Set([...localAddresses(), opts.nodeIP]),
            ),
          ],
          informers: this.pods ? [this.pods as unknown as Informer] : [],
        },
        // A port the proxy cannot open (another process holds it) is the Service's problem to see.
        onFailedFrontend: (svc, frontend, reason) =>
          this.recorder.record(svc, "Warning", "FailedToOpenPort", `node ${opts.nodeName}: cannot open ${frontend}: ${reason} (retrying)`),
      },
      log.child({ component: "proxy-programmer" }),
    );
    this.programmer.start();
  }

  /**
   * Starts (or adopts) one node process and takes in where it listens; a restarted one gets the
   * proxy's table pushed again (a new proxy starts empty, a new DNS or controller on new ports).
   */
  async ensureComponent(name: string): Promise<void> {
    const c = this.specs.find((x) => x.name === name);
    if (!c) throw new Error(`no node process ${name}`);
    const st = await ensureChild(c.name, c.main, c.args, c.stateFile, c.logFile, this.log);
    if (c.name === "dns") this.localDns = { ip: "127.0.0.1", port: Number(st.port) };
    // A controller that says so reads a PROXY protocol header (the client address) first.
    if (c.name === "ingress")
      this.localIngress = { ip: "127.0.0.1", httpPort: Number(st.httpPort), httpsPort: Number(st.httpsPort), proxyProtocol: st.proxyProtocol === "v2" };
    this.programmer?.schedule();
  }

  /** The processes this node runs, as its mirror pods show them (mirror/). */
  components(): NodeComponent[] {
    return this.specs.map((c) => ({ name: `skiff-${c.name}`, container: c.name, command: commandLine(c), stateFile: c.stateFile, logFile: c.logFile }));
  }

  /** Whether a node process runs (its state file names a live pid) and since when (the file's time: written once it serves). */
  processState(c: NodeComponent): ProcessState {
    const st = readState(c.stateFile);
    if (!st) return {};
    let startedAt: string | undefined;
    try {
      startedAt = new Date(statSync(c.stateFile).mtimeMs).toISOString().replace(/\.\d+Z$/, "Z");
    } catch {
      /* gone meanwhile */
    }
    return { pid: st.pid, startedAt };
  }

  /** Service environment variables for a new container of `pod`. */
  envFor(pod: Pod): string[] {
    return serviceEnv(pod.metadata.namespace!, this.services.list(), pod.spec.enableServiceLinks !== false);
  }

  /** Resolver settings for `pod`'s sandbox. */
  dnsFor(pod: Pod): DnsSettings | undefined {
    return podDns(pod, this.opts.proxyMode === "none" ? "" : this.opts.clusterDns, this.opts.clusterDomain);
  }

  /** Stops watching and programming; the proxy and dns keep serving (a restarted agent adopts them). */
  stop(): void {
    this.programmer?.stop();
    this.services.stop();
    this.endpoints.stop();
    this.nodes.stop();
  }
}
