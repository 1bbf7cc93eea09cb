// Pod sandboxes attached to the node's bridge by the agent itself, as a CNI bridge plugin does,
// instead of through Docker's networking. Why: on this kind of host Docker spends ~230 ms of a
// sandbox's start in its libnetwork prestart hook (it re-executes dockerd inside runc) and ~170 ms
// more on a user-defined bridge (endpoint, embedded DNS rules), while a sandbox created with
// NetworkDisabled starts in ~190 ms and two `ip` commands attach it in ~40 ms. The sandbox keeps
// its own network namespace (only `lo`, from runc); the agent picks its IP (PodIpam), creates a
// veth pair with one end as the pod's eth0 and the other on the Docker network's bridge (so
// Docker's iptables rules for that bridge still apply), and writes the pod's /etc/hosts and
// /etc/resolv.conf, which every app container bind-mounts (Docker writes /etc/hostname itself).
import { execFile, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";
import { formatIPv4, parseIPv4, parseIPv4Cidr } from "@skiff/api/ipv4";

const run = promisify(execFile);

/** Label carrying a veth-attached sandbox's IP (its network is invisible to the engine). */
export const POD_IP_LABEL = "io.skiff.pod-ip";

/** Host-side interface of a sandbox's veth pair (15 characters at most; Docker's own are veth + 7). */
export function vethName(sandboxId: string): string {
  return `veth${sandboxId.slice(0, 11)}`;
}

/** Docker's MAC for an IP (02:42 + the address): an IP used again keeps its MAC, so no stale ARP entry misdirects traffic. */
export function macFor(ip: string): string {
  return ["02", "42", ...ip.split(".").map((o) => Number(o).toString(16).padStart(2, "0"))].join(":");
}

/**
 * The part of a pod network Docker's own IPAM may hand out (its network's IPRange): the last
 * sixteenth, for containers someone runs on the network with `docker run --network` (the agent's
 * sandboxes use the rest). Undefined for networks too small to share (beyond /26).
 */
export function dockerRange(subnet: string): string | undefined {
  const c = parseIPv4Cidr(subnet);
  if (!c || c.bits > 26) return undefined;
  return `${formatIPv4(c.net + c.size - c.size / 16)}/${c.bits + 4}`;
}

/**
 * Addresses of one pod network (a podCIDR): every host address but the gateway and Docker's own
 * range, handed out next-fit (an address just released is the last to come back, like Docker's IPAM).
 */
export class PodIpam {
  private readonly used = new Map<string, string>();
  private readonly first: number;
  private readonly last: number;
  private cursor: number;

  constructor(
    readonly subnet: string,
    readonly gateway: string,
    /** Docker's range inside the subnet (left to it). */
    dockerIpRange?: string,
  ) {
    const c = parseIPv4Cidr(subnet);
    if (!c) throw new Error(`invalid pod CIDR ${JSON.stringify(subnet)}`);
    this.first = c.net + 1;
    this.last = c.net + c.size - 2;
    const docker = dockerIpRange ? parseIPv4Cidr(dockerIpRange) : undefined;
    if (docker) this.last = Math.min(this.last, docker.net - 1);
    this.cursor = this.first;
  }

  get prefixLength(): number {
    return Number(this.subnet.split("/")[1]);
  }

  /** Whether an address is one this IPAM hands out. */
  owns(ip: string): boolean {
    const n = parseIPv4(ip) ?? -1;
    return n >= this.first && n <= this.last && ip !== this.gateway;
  }

  /** Marks an address as held by a sandbox (found on the engine, or allocated). */
  hold(ip: string, owner: string): void {
    this.used.set(ip, owner);
  }

  release(ip: string): void {
    this.used.delete(ip);
  }

  /** The next free address for owner, or undefined when every address is held. */
  allocate(owner: string): string | undefined {
    const count = this.last - this.first + 1;
    for (let i = 0; i < count; i++) {
      const n = this.first + ((this.cursor - this.first + i) % count);
      const ip = formatIPv4(n);
      if (ip === this.gateway || this.used.has(ip)) continue;
      this.used.set(ip, owner);
      this.cursor = n + 1 > this.last ? this.first : n + 1;
      return ip;
    }
    return undefined;
  }

  /**
   * Forgets every holder not in keep (a fresh look at the engine after an exhaustion), but not
   * allocations still being created (owners named "pending:…").
   */
  retain(keep: Set<string>): void {
    for (const [ip, owner] of this.used) if (!keep.has(owner) && !owner.startsWith("pending:")) this.used.delete(ip);
  }
}

/** The pod's /etc/hosts, as Docker writes a sandbox's on a user-defined network, then the pod's hostAliases as the kubelet adds them. */
export function hostsFile(ip: string, hostname: string, aliases: { ip: string; hostnames: string[] }[] = []): string {
  const extra = aliases.filter((a) => a.hostnames?.length);
  return [
    "127.0.0.1\tlocalhost",
    "::1\tlocalhost ip6-localhost ip6-loopback",
    "fe00::0\tip6-localnet",
    "ff00::0\tip6-mcastprefix",
    "ff02::1\tip6-allnodes",
    "ff02::2\tip6-allrouters",
    ...(hostname ? [`${ip}\t${hostname}`] : []),
    ...(extra.length ? ["", "# Entries added by HostAliases.", ...extra.map((a) => `${a.ip}\t${a.hostnames.join("\t")}`)] : []),
    "",
  ].join("\n");
}

/** The nameservers, search domains and options of a resolv.conf text. */
function parseResolv(text: string): { servers: string[]; searches: string[]; options: string[] } {
  const out = { servers: [] as string[], searches: [] as string[], options: [] as string[] };
  for (const line of text.split("\n")) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key === "nameserver" && rest[0]) out.servers.push(rest[0]);
    else if (key === "search" || key === "domain") out.searches = rest;
    else if (key === "options") out.options.push(...rest);
  }
  return out;
}

const loopback = (ip: string) => ip.startsWith("127.") || ip === "::1";

/**
 * The pod's /etc/resolv.conf: the settings of its dnsPolicy, or (none given: dnsPolicy Default)
 * the node's own resolv.conf without loopback nameservers, which a pod cannot reach (the kubelet's
 * rule); hostUpstream is read when the node's names only loopback ones (systemd-resolved's list).
 */
export function resolvConf(dns: { servers: string[]; searches: string[]; options: string[] } | undefined, hostText: string, hostUpstream = ""): string {
  let d = dns;
  if (!d) {
    const host = parseResolv(hostText);
    let servers = host.servers.filter((s) => !loopback(s));
    if (!servers.length && hostUpstream) servers = parseResolv(hostUpstream).servers.filter((s) => !loopback(s));
    d = { ...host, servers };
  }
  return [
    ...d.servers.map((s) => `nameserver ${s}`),
    ...(d.searches.length ? [`search ${d.searches.join(" ")}`] : []),
    ...(d.options.length ? [`options ${d.options.join(" ")}`] : []),
    "",
  ].join("\n");
}

/** Runs a command with its standard input given (ip -batch -). */
function runWithInput(cmd: string, args: string[], input: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ["pipe", "ignore", "pipe"] });
    let err = "";
    p.stderr.on("data", (d: Buffer) => {
      err += d.toString();
    });
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(" ")}: ${err.trim() || `exit ${code}`}`))));
    p.stdin.end(input);
  });
}

export interface VethAttachment {
  /** The sandbox's process (its network namespace is /proc/<pid>/ns/net). */
  pid: number;
  ip: string;
  prefixLength: number;
  gateway: string;
  bridge: string;
  veth: string;
}

/**
 * Gives the sandbox's namespace an eth0 (the pod's IP, a default route via the bridge) whose peer
 * joins the bridge. The bridge port comes last: a host veth with a master is the mark of an
 * attached sandbox (isAttached), so an agent stopped half-way leaves a sandbox seen as broken.
 */
export async function attachVeth(a: VethAttachment): Promise<void> {
  // Inside the pod's namespace (nsenter -n keeps this host's PIDs, so "netns <our pid>" is ours).
  const inside = [
    `link add eth0 address ${macFor(a.ip)} type veth peer name ${a.veth} netns ${process.pid}`,
    `addr add ${a.ip}/${a.prefixLength} dev eth0`,
    "link set eth0 up",
    `route add default via ${a.gateway}`,
  ].join("\n");
  await runWithInput("nsenter", ["-t", String(a.pid), "-n", "ip", "-batch", "-"], `${inside}\n`);
  await run("ip", ["link", "set", a.veth, "master", a.bridge, "up"], { timeout: 10_000 });
}

/**
 * Whether process `pid` (as this process sees PIDs) belongs to container `id`: its cgroup path
 * names the container under every driver (cgroupfs: …/<id>; systemd: …docker-<id>.scope).
 */
export function isProcessOf(pid: number, id: string, procCgroup?: string): boolean {
  try {
    return (procCgroup ?? readFileSync(`/proc/${pid}/cgroup`, "utf8")).includes(id);
  } catch {
    return false;
  }
}

/** Whether a sandbox's veth is on a bridge (attachVeth finished). */
export function isAttached(veth: string): boolean {
  return existsSync(`/sys/class/net/${veth}/master`);
}

/** Whether this process can attach sandboxes itself (root, with ip and nsenter on the PATH). */
export async function canAttachVeths(): Promise<boolean> {
  if (process.getuid?.() !== 0) return false;
  try {
    await run("ip", ["-V"], { timeout: 5_000 });
    await run("nsenter", ["--version"], { timeout: 5_000 });
    return true;
  } catch {
    return false;
  }
}
