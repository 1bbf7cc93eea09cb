// Host networking of a node: routes to other nodes' podCIDRs (host-gw), a local route that
// makes the whole service CIDR this host's own (every ClusterIP is bindable by the proxy and
// nothing for a ClusterIP ever leaves the node), a blackhole for cluster pod ranges no node
// owns, and iptables rules in per-cluster Skiff chains: forwarding between pod ranges
// allowed ahead of Docker's isolation, and no masquerade pod→pod or pod→ClusterIP.
import { execFile } from "node:child_process";
import { networkInterfaces } from "node:os";
import { promisify } from "node:util";
import type { Logger } from "@skiff/log";
import { ipv4InCidr } from "@skiff/api/ipv4";

const run = promisify(execFile);

/** What the host plumbing needs to know. */
export interface HostNetworkOptions {
  clusterName: string;
  /** All pods' range ("" = unknown: no blackhole, rules by podCIDRs only). */
  clusterCidr: string;
  serviceCidr: string;
}

/** Filter and nat chain names of a cluster (iptables allows 28 characters). */
export function chainNames(cluster: string): { filter: string; nat: string } {
  return { filter: `SKIFF-FWD-${cluster}`.slice(0, 28), nat: `SKIFF-NAT-${cluster}`.slice(0, 28) };
}

/** Whether an address is one of this host's own (its node shares this host: no route needed). */
export function isLocalAddress(ip: string): boolean {
  if (ip.startsWith("127.")) return true;
  return Object.values(networkInterfaces()).some((as) => as?.some((a) => a.address === ip));
}

async function sh(cmd: string, args: string[]): Promise<string> {
  const { stdout } = await run(cmd, args, { timeout: 10_000 });
  return stdout;
}

async function ipt(table: string, args: string[]): Promise<boolean> {
  try {
    await sh("iptables", ["-w", "5", "-t", table, ...args]);
    return true;
  } catch {
    return false;
  }
}

/** Programs the host; idempotent, safe to call on every change. */
export class HostNetwork {
  private readonly routes = new Map<string, string>();

  constructor(
    private readonly opts: HostNetworkOptions,
    private readonly log: Logger,
  ) {}

  /** Service CIDR local route, blackhole, chains and jumps. */
  async setup(): Promise<void> {
    const { serviceCidr, clusterCidr } = this.opts;
    await sh("ip", ["route", "replace", "local", serviceCidr, "dev", "lo", "table", "local"]);
    if (clusterCidr) await sh("ip", ["route", "replace", "blackhole", clusterCidr]);
    const { filter, nat } = chainNames(this.opts.clusterName);
    await ipt("filter", ["-N", filter]);
    await ipt("nat", ["-N", nat]);
    // DOCKER-USER is the chain Docker keeps ahead of its own (isolation of internal networks).
    if (!(await ipt("filter", ["-C", "DOCKER-USER", "-j", filter]))) {
      if (!(await ipt("filter", ["-I", "DOCKER-USER", "1", "-j", filter]))) await ipt("filter", ["-I", "FORWARD", "1", "-j", filter]);
    }
    if (!(await ipt("nat", ["-C", "POSTROUTING", "-j", nat]))) await ipt("nat", ["-I", "POSTROUTING", "1", "-j", nat]);
    this.log.info({ serviceCidr, clusterCidr }, "host network ready");
  }

  /** The pod ranges of every node (this one included) decide the rules; others get routes. */
  async sync(nodes: { podCIDR: string; nodeIP: string; self: boolean }[]): Promise<void> {
    const ranges = this.opts.clusterCidr ? [this.opts.clusterCidr] : nodes.map((n) => n.podCIDR);
    const { filter, nat } = chainNames(this.opts.clusterName);
    await ipt("filter", ["-F", filter]);
    await ipt("nat", ["-F", nat]);
    for (const src of ranges) {
      for (const dst of ranges) {
        await ipt("filter", ["-A", filter, "-s", src, "-d", dst, "-j", "ACCEPT"]);
        await ipt("nat", ["-A", nat, "-s", src, "-d", dst, "-j", "RETURN"]);
      }
      await ipt("nat", ["-A", nat, "-s", src, "-d", this.opts.serviceCidr, "-j", "RETURN"]);
    }
    // Other nodes' own addresses talk to pods here too: their proxies dial endpoints on this
    // node (NodePort, ClusterIP) from their node IP, and the pods answer.
    for (const ip of new Set(nodes.filter((n) => !n.self && n.nodeIP).map((n) => n.nodeIP))) {
      for (const r of ranges) {
        await ipt("filter", ["-A", filter, "-s", ip, "-d", r, "-j", "ACCEPT"]);
        await ipt("filter", ["-A", filter, "-s", r, "-d", ip, "-j", "ACCEPT"]);
      }
    }
    for (const n of nodes) {
      // Nodes on this very host reach each other's bridges directly (kernel routes).
      if (n.self || isLocalAddress(n.nodeIP)) continue;
      if (this.routes.get(n.podCIDR) === n.nodeIP) continue;
      try {
        await sh("ip", ["route", "replace", n.podCIDR, "via", n.nodeIP]);
        this.routes.set(n.podCIDR, n.nodeIP);
        this.log.info({ podCIDR: n.podCIDR, via: n.nodeIP }, "route to node's pods");
      } catch (err) {
        this.log.warn({ err, podCIDR: n.podCIDR, via: n.nodeIP }, "cannot add route to node's pods");
      }
    }
  }
}

/** Marks the local routes of load-balancer addresses as ours (an unused routing protocol number). */
const LB_ROUTE_PROTO = "250";

/** Load-balancer addresses this host accepts: a local route each, like the service CIDR's. */
export class LoadBalancerAddresses {
  private readonly have = new Set<string>();
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly log: Logger) {}

  /** Makes exactly `ips` (of the routes added by this process) local; serialized, idempotent. */
  sync(ips: string[]): Promise<void> {
    this.running = this.running.then(() => this.apply(ips)).catch((err) => this.log.warn({ err }, "load-balancer address sync failed"));
    return this.running;
  }

  private async apply(ips: string[]): Promise<void> {
    const want = new Set(ips);
    for (const ip of want) {
      if (this.have.has(ip) || isLocalAddress(ip)) continue;
      await sh("ip", ["route", "replace", "local", `${ip}/32`, "dev", "lo", "table", "local", "proto", LB_ROUTE_PROTO]);
      this.have.add(ip);
      this.log.info({ ip }, "load-balancer address is local");
    }
    for (const ip of this.have) {
      if (want.has(ip)) continue;
      await sh("ip", ["route", "del", "local", `${ip}/32`, "dev", "lo", "table", "local"]).catch(() => undefined);
      this.have.delete(ip);
    }
  }
}

/** Removes what HostNetwork.setup made (tests and `skiff down`). */
export async function teardownHostNetwork(opts: HostNetworkOptions): Promise<void> {
  const { filter, nat } = chainNames(opts.clusterName);
  await run("ip", ["route", "del", "local", opts.serviceCidr, "dev", "lo", "table", "local"]).catch(() => undefined);
  if (opts.clusterCidr) await run("ip", ["route", "del", "blackhole", opts.clusterCidr]).catch(() => undefined);
  // Load-balancer addresses made local inside this cluster's ranges (the pool of a test cluster lives there).
  const { stdout } = await run("ip", ["-o", "route", "show", "table", "local", "proto", LB_ROUTE_PROTO]).catch(() => ({ stdout: "" }));
  for (const line of stdout.split("\n")) {
    const ip = /^local (\d+\.\d+\.\d+\.\d+)/.exec(line)?.[1];
    if (ip && [opts.clusterCidr, opts.serviceCidr].some((c) => c && ipv4InCidr(ip, c)))
      await run("ip", ["route", "del", "local", `${ip}/32`, "dev", "lo", "table", "local"]).catch(() => undefined);
  }
  for (const parent of ["DOCKER-USER", "FORWARD"]) while (await ipt("filter", ["-D", parent, "-j", filter]));
  while (await ipt("nat", ["-D", "POSTROUTING", "-j", nat]));
  await ipt("filter", ["-F", filter]);
  await ipt("filter", ["-X", filter]);
  await ipt("nat", ["-F", nat]);
  await ipt("nat", ["-X", nat]);
}
