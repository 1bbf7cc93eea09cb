// A whole Skiff cluster for integration tests, made of real processes: a nats-server with
// JetStream in a temp dir, the apiserver, scheduler and controller-manager, and node agents on
// the real Docker engine. Every cluster has its own name (labels on its containers and
// networks) and its own pod CIDR, and removes everything it made when stopped. Every cluster is
// closed as a real one is: its own CA in <dir>/pki, a certificate per component and node, mutual
// TLS on every gRPC channel (there is no way to start it open).
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, openSync, readFileSync, existsSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { ChannelCredentials } from "@grpc/grpc-js";
import {
  APISERVER_USER,
  NATS_SERVER_USER,
  natsServerConfig,
  ApiClient,
  componentIdentities,
  ensureClusterCa,
  ensureIssued,
  mtlsChannelCredentials,
  nodeIdentity,
  nodeUser,
  waitFor,
  writeKubeconfig,
} from "@skiff/client";
import type { Node } from "@skiff/api";
import { componentOf, nodeEnv, nodeFlags } from "@skiff/client/launch";

export const repoRoot = resolve(import.meta.dirname, "../..");

/** A free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => res(p));
    });
    s.on("error", rej);
  });
}

/**
 * A TCP port for a server the test starts elsewhere (in a container on the host's network, say):
 * below the kernel's ephemeral range (32768 up), so no outgoing connection of a busy machine can
 * take it meanwhile; below the NodePorts (30000–32767); and free on every address now.
 */
export async function freeFixedPort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 9000);
    const free = await new Promise<boolean>((res) => {
      const s = createServer();
      s.once("error", () => res(false));
      s.listen(port, "0.0.0.0", () => s.close(() => res(true)));
    });
    if (free) return port;
  }
}

/** One child process with its log file; `ready` resolves with its first stdout JSON line. */
export class Proc {
  readonly child: ChildProcess;
  readonly ready: Promise<Record<string, unknown>>;
  constructor(
    readonly name: string,
    cmd: string,
    args: string[],
    readonly logFile: string,
    /** Run a node command with the components' flags and environment (false: a test tool's own defaults). */
    component = true,
  ) {
    const log = openSync(logFile, "a");
    // SKIFF_CPU_PROF_DIR: every Node.js component writes a V8 CPU profile there when it exits
    // (NODE_OPTIONS cannot carry --cpu-prof on Node 20).
    const main = args.find((a) => a.endsWith("main.js"));
    const prof = process.env.SKIFF_CPU_PROF_DIR;
    if (prof && cmd === process.execPath) args = ["--cpu-prof", `--cpu-prof-dir=${prof}`, `--cpu-prof-name=${name}-${Date.now()}.cpuprofile`, ...args];
    // Components run with the flags and environment every launcher gives them
    // (@skiff/client/launch), so tests and benchmarks measure what `skiff up` runs.
    const node = component && cmd === process.execPath;
    if (node) args = [...nodeFlags(process.env, componentOf(main)), ...args];
    const env = node ? nodeEnv() : process.env;
    this.child = spawn(cmd, args, { stdio: ["ignore", "pipe", log], env: { ...env, SKIFF_LOG_LEVEL: process.env.SKIFF_LOG_LEVEL ?? "info" } });
    this.ready = new Promise((res, rej) => {
      let buf = "";
      this.child.stdout!.on("data", (d: Buffer) => {
        buf += d.toString();
        const i = buf.indexOf("\n");
        if (i >= 0) {
          try {
            res(JSON.parse(buf.slice(0, i)));
          } catch {
            res({});
          }
        }
      });
      this.child.on("exit", (code) => rej(new Error(`${name} exited with ${code} before it was ready:\n${this.tail()}`)));
    });
    this.ready.catch(() => undefined);
  }
  tail(lines = 30): string {
    try {
      return readFileSync(this.logFile, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  }
  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }
  /** Sends a signal and waits for exit. */
  async kill(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (!this.alive) return;
    const exited = new Promise((r) => this.child.once("exit", r));
    this.child.kill(signal);
    await exited;
  }
}

export interface ClusterOptions {
  nodes?: number;
  /** Extra flags per process. */
  agentFlags?: string[];
  schedulerFlags?: string[];
  apiserverFlags?: string[];
  controllerManagerFlags?: string[];
  /** Start the scheduler (default true). */
  scheduler?: boolean;
  /** Start the controller-manager (default true; without it nothing gives nodes a podCIDR). */
  controllerManager?: boolean;
}

let clusterSeq = 0;

/**
 * A /16 for one test cluster's pods that no Docker network on this engine uses, away from
 * Docker's own default pools (172.17+/192.168). Random among the free ones, so test runs in
 * parallel (other worktrees, other processes) rarely pick the same.
 */
function pickClusterCidr(): string {
  const used = new Set(
    execFileSync(
      "docker",
      [
        "network",
        "inspect",
        "--format",
        "{{range .IPAM.Config}}{{.Subnet}} {{end}}",
        ...execFileSync("docker", ["network", "ls", "-q"], { encoding: "utf8" }).split("\n").filter(Boolean),
      ],
      { encoding: "utf8" },
    )
      .split(/\s+/)
      .filter((s) => s.startsWith("10."))
      .map((s) => s.split(".")[1]),
  );
  const free = Array.from({ length: 140 }, (_, i) => String(100 + i)).filter((o) => !used.has(o));
  if (free.length === 0) throw new Error("no free 10.x.0.0/16 left for a test cluster's pods");
  return `10.${free[Math.floor(Math.random() * free.length)]}.0.0/16`;
}

export class TestCluster {
  readonly name: string;
  readonly dir: string;
  readonly clusterCidr: string;
  /** This cluster's service CIDR: the top /20 of its pod /16 (ClusterIPs are bound on this host's lo, so clusters must not share one). */
  readonly serviceCidr: string;
  natsPort = 0;
  apiAddress = "";
  /** host:port of the apiserver's HTTPS REST API (from its ready line). */
  httpsAddress = "";
  nats?: Proc;
  apiserver?: Proc;
  scheduler?: Proc;
  controllerManager?: Proc;
  /** host:port of the scheduler's and controller-manager's loopback /metrics (free ports picked at start). */
  schedulerMetrics = "";
  controllerManagerMetrics = "";
  readonly agents = new Map<string, Proc>();
  client!: ApiClient;
  /** The control plane's PKI directory (ca.crt, ca.key, admin.token) and the components' TLS dirs under it. */
  readonly pkiDir: string;

  constructor(readonly opts: ClusterOptions = {}) {
    clusterSeq++;
    this.name = `t${process.pid % 10000}x${clusterSeq}`;
    this.dir = mkdtempSync(join(tmpdir(), `skiff-${this.name}-`));
    this.clusterCidr = pickClusterCidr();
    this.serviceCidr = `${this.clusterCidr.split(".").slice(0, 2).join(".")}.240.0/20`;
    this.pkiDir = join(this.dir, "pki");
    ensureClusterCa(this.pkiDir);
  }

  /** The TLS directory of a component ("admin", "scheduler", "controller-manager") or node, issued on first use. */
  tlsDir(who: string): string {
    const { ca } = ensureClusterCa(this.pkiDir);
    // "apiserver": what tests that play the apiserver towards node agents present.
    const id = who === "apiserver" ? { user: APISERVER_USER, groups: [], server: true } : componentIdentities[who];
    return id ? ensureIssued(this.pkiDir, who, ca, id) : ensureIssued(this.pkiDir, `node-${who}`, ca, nodeIdentity(who));
  }

  /** The tenth address of the service CIDR: the cluster DNS. */
  get dnsIP(): string {
    return `${this.clusterCidr.split(".").slice(0, 2).join(".")}.240.10`;
  }

  /** This cluster's load-balancer pool (--load-balancer-ip-range): a /24 of its pod /16 that no node gets (nodes get the low /24s), so it never leaves the host. */
  get loadBalancerRange(): string {
    return `${this.clusterCidr.split(".").slice(0, 2).join(".")}.230.0/24`;
  }

  /**
   * Node i's IP: a loopback address of its own (127.<second octet of the pod CIDR>.0.<i+1>), so
   * NodePorts of nodes and of parallel clusters never collide and tests never leave the host.
   */
  nodeIP(i: number): string {
    return `127.${this.clusterCidr.split(".")[1]}.0.${i + 1}`;
  }

  /** Run dir of a node's proxy and dns (state files, sockets, logs). */
  runDir(nodeName: string): string {
    return join(this.dir, "run", nodeName);
  }

  private node(script: string): string {
    return join(repoRoot, "services", script, "dist", "main.js");
  }

  natsUrl(): string {
    return `nats://127.0.0.1:${this.natsPort}`;
  }

  /**
   * Starts `count` hollow nodes (the real node agent on a fake runtime, one process) named
   * `<cluster>-h<i>`, with the admin identity; `args` are further hollow-node flags. The caller
   * awaits its `ready` and stops it.
   */
  startHollowNodes(count: number, args: string[] = []): Proc {
    const main = join(repoRoot, "services", "node-agent", "dist", "hollow", "main.js");
    const flags = [
      "--apiserver",
      this.apiAddress,
      "--tls-dir",
      this.tlsDir("admin"),
      "--nats",
      this.natsUrl(),
      "--count",
      String(count),
      "--prefix",
      `${this.name}-h`,
    ];
    // A load generator, not a component users run: Node's own heap defaults, so that its speed
    // (hundreds of agents in one process) does not move the benchmarks that use it.
    return new Proc("hollow-nodes", process.execPath, [main, ...flags, ...args], join(this.dir, "hollow-nodes.log"), false);
  }

  async startNats(): Promise<void> {
    if (!this.natsPort) this.natsPort = await freePort();
    // NATS closed too: TLS, each client a user by its certificate, each node only its own heartbeat subject.
    const { ca } = ensureClusterCa(this.pkiDir);
    const tlsDir = ensureIssued(this.pkiDir, "nats", ca, { user: NATS_SERVER_USER, groups: [], hosts: ["127.0.0.1", "localhost"], server: true });
    const nodes = Array.from({ length: (this.opts.nodes ?? 1) + 4 }, (_, i) => this.nodeName(i));
    const conf = join(this.dir, "nats.conf");
    writeFileSync(conf, natsServerConfig({ serverName: this.name, host: "127.0.0.1", port: this.natsPort, storeDir: join(this.dir, "nats"), tlsDir, nodes }));
    this.nats = new Proc("nats", "nats-server", ["-c", conf], join(this.dir, "nats.log"));
    await waitFor(() => readFileSync(this.nats!.logFile, "utf8").includes("Server is ready"), 20_000, "nats-server to start");
  }

  async startApiserver(): Promise<void> {
    const port = this.apiAddress ? this.apiAddress.split(":")[1] : String(await freePort());
    this.apiserver = new Proc(
      "apiserver",
      process.execPath,
      [
        this.node("apiserver"),
        "--pki-dir",
        this.pkiDir,
        "--nats",
        this.natsUrl(),
        "--grpc-address",
        `127.0.0.1:${port}`,
        "--https-address",
        "127.0.0.1:0",
        "--service-cluster-ip-range",
        this.serviceCidr,
        "--load-balancer-ip-range",
        this.loadBalancerRange,
        ...(this.opts.apiserverFlags ?? []),
      ],
      join(this.dir, "apiserver.log"),
    );
    const ready = await this.apiserver.ready;
    this.apiAddress = String(ready.grpcAddress);
    this.httpsAddress = String(ready.httpsAddress ?? "");
  }

  async startScheduler(): Promise<void> {
    this.schedulerMetrics = `127.0.0.1:${await freePort()}`;
    this.scheduler = new Proc(
      "scheduler",
      process.execPath,
      [
        this.node("scheduler"),
        "--metrics-address",
        this.schedulerMetrics,
        "--apiserver",
        this.apiAddress,
        "--tls-dir",
        this.tlsDir("scheduler"),
        "--nats",
        this.natsUrl(),
        "--retry-interval-ms",
        "2000",
        ...(this.opts.schedulerFlags ?? []),
      ],
      join(this.dir, "scheduler.log"),
    );
    await this.scheduler.ready;
  }

  async startControllerManager(): Promise<void> {
    this.controllerManagerMetrics = `127.0.0.1:${await freePort()}`;
    this.controllerManager = new Proc(
      "controller-manager",
      process.execPath,
      [
        this.node("controller-manager"),
        "--metrics-address",
        this.controllerManagerMetrics,
        "--apiserver",
        this.apiAddress,
        "--tls-dir",
        this.tlsDir("controller-manager"),
        "--nats",
        this.natsUrl(),
        "--cluster-cidr",
        this.clusterCidr,
        ...(this.opts.controllerManagerFlags ?? []),
      ],
      join(this.dir, "controller-manager.log"),
    );
    await this.controllerManager.ready;
  }

  /** Credentials of a test playing the apiserver towards node `nodeName`'s agent (mutual TLS, the agent's identity checked). */
  agentCredentials(nodeName: string): ChannelCredentials {
    return mtlsChannelCredentials({ dir: this.tlsDir("apiserver") }, (id) => id.user === nodeUser(nodeName), nodeUser(nodeName));
  }

  /** Starts (or restarts) the agent of one node. */
  async startAgent(nodeName: string, extra: string[] = []): Promise<Proc> {
    const p = new Proc(
      `agent-${nodeName}`,
      process.execPath,
      [
        this.node("node-agent"),
        "--apiserver",
        this.apiAddress,
        "--nats",
        this.natsUrl(),
        "--node-name",
        nodeName,
        ...(extra.includes("--tls-dir") || (this.opts.agentFlags ?? []).includes("--tls-dir") ? [] : ["--tls-dir", this.tlsDir(nodeName)]),
        "--cluster-name",
        this.name,
        "--pod-network-internal",
        "--backoff-base-ms",
        "1000",
        "--resync-ms",
        "3000",
        "--root-dir",
        join(this.dir, `root-${nodeName}`),
        "--listen-address",
        "127.0.0.1:0",
        "--service-cidr",
        this.serviceCidr,
        "--cluster-cidr",
        this.clusterCidr,
        "--run-dir",
        this.runDir(nodeName),
        "--node-ip",
        this.nodeIP(Number(nodeName.split("-n").pop()) || 0),
        // NodePorts on the node's own loopback address only: the nodes of every test cluster share
        // this host's 127.0.0.1 (a test that wants loopback NodePorts passes its own).
        ...([...(this.opts.agentFlags ?? []), ...extra].includes("--nodeport-addresses") ? [] : ["--nodeport-addresses", "primary"]),
        // Never the host's resolvers: tests send nothing off the box (a test that forwards gives its own fake upstream).
        ...([...(this.opts.agentFlags ?? []), ...extra].some((f) => f === "--dns-upstream" || f === "--dns-resolv-conf") ? [] : ["--dns-upstream", "none"]),
        ...(this.opts.agentFlags ?? []),
        ...extra,
      ],
      join(this.dir, `agent-${nodeName}.log`),
    );
    this.agents.set(nodeName, p);
    await p.ready;
    return p;
  }

  /** Writes (once) a kubeconfig for the REST API with the cluster's CA and admin token; returns its path. */
  async kubeconfigPath(): Promise<string> {
    const path = join(this.dir, "kubeconfig");
    if (!existsSync(path)) writeKubeconfig(this.pkiDir, { server: `https://${this.httpsAddress}`, path, name: this.name });
    return path;
  }

  nodeName(i: number): string {
    return `${this.name}-n${i}`;
  }

  /** Starts everything and waits for every node to be Ready with a podCIDR. */
  async start(): Promise<this> {
    await this.startNats();
    await this.startApiserver();
    this.client = new ApiClient({ addresses: [this.apiAddress], timeoutMs: 10_000, tls: { dir: this.tlsDir("admin") } });
    if (this.opts.controllerManager !== false) await this.startControllerManager();
    if (this.opts.scheduler !== false) await this.startScheduler();
    const n = this.opts.nodes ?? 1;
    for (let i = 0; i < n; i++) await this.startAgent(this.nodeName(i));
    await waitFor(
      async () => {
        const nodes = (await this.client.list<Node>("nodes")).items;
        return nodes.length === n && nodes.every((x) => x.spec.podCIDR && x.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"));
      },
      30_000,
      "nodes to be Ready",
    );
    return this;
  }

  /** Docker containers of this cluster (optionally of one pod). */
  containers(filter: Record<string, string> = {}): { id: string; name: string; state: string }[] {
    const args = ["ps", "-a", "--format", "{{.ID}} {{.Names}} {{.State}}", "--filter", `label=io.skiff.cluster=${this.name}`];
    for (const [k, v] of Object.entries(filter)) args.push("--filter", `label=${k}=${v}`);
    return execFileSync("docker", args, { encoding: "utf8" })
      .split("\n")
      .filter(Boolean)
      .map((l) => {
        const [id, name, state] = l.split(" ");
        return { id, name, state };
      });
  }

  /** Everything this cluster's processes logged (for failure messages). */
  logs(): string {
    return [this.apiserver, this.scheduler, this.controllerManager, ...this.agents.values()]
      .filter(Boolean)
      .map((p) => `--- ${p!.name}\n${p!.tail(15)}`)
      .join("\n");
  }

  async stop(): Promise<void> {
    this.client?.close();
    await Promise.all([...this.agents.values()].map((a) => a.kill()));
    await Promise.all([this.scheduler?.kill(), this.controllerManager?.kill()]);
    await this.apiserver?.kill();
    await this.nats?.kill();
    // The agents' proxy and dns outlive their agent by design: stop them, then undo the host plumbing.
    for (const node of this.agents.keys()) {
      for (const child of ["proxy", "dns", "ingress"]) {
        const f = join(this.runDir(node), `${child}.json`);
        if (!existsSync(f)) continue;
        try {
          process.kill((JSON.parse(readFileSync(f, "utf8")) as { pid: number }).pid, "SIGKILL");
        } catch {
          /* gone */
        }
      }
    }
    const hostModule = join(repoRoot, "services", "node-agent", "dist", "network", "host.js");
    const { teardownHostNetwork } = (await import(hostModule)) as {
      teardownHostNetwork(o: { clusterName: string; clusterCidr: string; serviceCidr: string }): Promise<void>;
    };
    await teardownHostNetwork({ clusterName: this.name, clusterCidr: this.clusterCidr, serviceCidr: this.serviceCidr });
    const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=io.skiff.cluster=${this.name}`], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    if (ids.length) execFileSync("docker", ["rm", "-f", "-v", ...ids], { stdio: "ignore" });
    const nets = execFileSync("docker", ["network", "ls", "-q", "--filter", `label=io.skiff.cluster=${this.name}`], { encoding: "utf8" })
      .split("\n")
      .filter(Boolean);
    if (nets.length) execFileSync("docker", ["network", "rm", ...nets], { stdio: "ignore" });
    // emptyDir medium Memory volumes are tmpfs mounts under the agents' root dirs.
    for (const m of readFileSync("/proc/self/mounts", "utf8")
      .split("\n")
      .map((l) => l.split(" ")[1])
      .filter((p) => p?.startsWith(this.dir + "/"))
      .reverse()) {
      try {
        execFileSync("umount", [m], { stdio: "ignore" });
      } catch {
        /* already gone */
      }
    }
    if (!process.env.SKIFF_KEEP_TEST_DIRS) rmSync(this.dir, { recursive: true, force: true });
  }
}
