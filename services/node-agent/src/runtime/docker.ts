// Docker implementation of the Runtime seam, through dockerode.
import Docker from "dockerode";
import type { Logger } from "@skiff/log";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import type {
  ContainerConfig,
  ContainerStatsSample,
  ExecResult,
  ExecSession,
  LogReadOptions,
  Mount,
  Runtime,
  RuntimeContainer,
  RuntimeEvent,
  RuntimeInfo,
} from "./runtime.js";
import { CpuWindows, readCgroup } from "./cgroup-stats.js";
import { bridgeName, demuxBuffer, engineMessage, goArch, labelFilters, RuntimeError } from "./docker-util.js";
import { POD_IP_LABEL, PodIpam, attachVeth, dockerRange, canAttachVeths, hostsFile, isAttached, isProcessOf, resolvConf, vethName } from "./veth.js";

export interface DockerRuntimeOptions {
  /** How sandboxes join the pod network: veth (attached by this process, see veth.ts), docker, or auto (veth when this process can). */
  podNetworkAttach?: "auto" | "veth" | "docker";
  /** Where veth-attached sandboxes' hosts and resolv.conf live (<dir>/<sandbox id>/). */
  sandboxDir?: string;
  /** Says which way auto went when the engine's namespaces rule veth out. */
  log?: Logger;
}

/** A pod network this runtime attaches sandboxes to itself. */
interface PodNetwork {
  ipam: PodIpam;
  bridge: string;
  /** The engine's containers read once, so addresses held before a restart are never handed out again. */
  loaded?: Promise<void>;
}

export class DockerRuntime implements Runtime {
  private readonly docker: Docker;
  /**
   * The last inspect of each container, reused by list() while the engine reports the same state:
   * the agent only ever changes a container's state (it never restarts one in place), and every
   * change it makes or hears of (start, stop, remove, engine events) drops the entry.
   */
  private readonly inspected = new Map<string, RuntimeContainer>();
  /** Whether sandboxes are attached by this process (settled once; auto may still turn it off, see checkEngineNamespace). */
  private veth: Promise<boolean>;
  /** --pod-network-attach auto, not yet settled against the engine's namespaces. */
  private auto: boolean;
  private readonly log?: Logger;
  private readonly sandboxDir: string;
  private readonly podNetworks = new Map<string, PodNetwork>();
  /** Veth-attached sandboxes: their network and address (released on removal). */
  private readonly sandboxIps = new Map<string, { network: string; ip: string }>();
  /** Sandboxes between their start and the end of their attachment (not broken, just not done). */
  private readonly attaching = new Set<string>();
  /** Each container's recent CPU samples read from its cgroup (stats: rates over a second or more). */
  private readonly cpuWindows = new CpuWindows();

  constructor(socketPath = "/var/run/docker.sock", opts: DockerRuntimeOptions = {}) {
    this.docker = new Docker({ socketPath });
    const mode = opts.podNetworkAttach ?? "docker";
    this.auto = mode === "auto";
    this.log = opts.log;
    this.veth = mode === "auto" ? canAttachVeths() : Promise.resolve(mode === "veth");
    void this.veth.then((v) => this.log?.info({ podNetworkAttach: mode, using: v ? "veth" : "docker" }, "how pod sandboxes join the pod network"));
    this.sandboxDir = opts.sandboxDir ?? "/var/lib/skiff/sandboxes";
  }

  async info(): Promise<RuntimeInfo> {
    const i = await this.docker.info();
    return {
      cpus: i.NCPU,
      memoryBytes: i.MemTotal,
      os: i.OperatingSystem,
      kernel: i.KernelVersion,
      runtimeVersion: `docker://${i.ServerVersion}`,
      architecture: goArch(i.Architecture),
    };
  }

  async ensureNetwork(name: string, subnet: string, gateway: string, labels: Record<string, string>, internal: boolean): Promise<void> {
    try {
      const n = await this.docker.getNetwork(name).inspect();
      const have = n.IPAM?.Config?.[0]?.Subnet;
      if (have !== subnet) throw new RuntimeError(`network ${name} exists with subnet ${have}, want ${subnet}`);
      const bridge = n.Options?.["com.docker.network.bridge.name"] ?? `br-${n.Id.slice(0, 12)}`;
      this.checkEngineNamespace(bridge);
      this.recordPodNetwork(name, subnet, gateway, bridge, n.IPAM?.Config?.[0]?.IPRange);
      return;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
    // Sandboxes attached by this process: Docker's IPAM (which never sees them) keeps to a range of its own.
    let ipRange = (await this.veth) ? dockerRange(subnet) : undefined;
    const create = async () => {
      try {
        await this.docker.createNetwork({
          Name: name,
          Driver: "bridge",
          Internal: internal,
          Labels: labels,
          CheckDuplicate: true,
          IPAM: { Driver: "default", Config: [{ Subnet: subnet, Gateway: gateway, ...(ipRange ? { IPRange: ipRange } : {}) }] },
          Options: { "com.docker.network.bridge.name": bridgeName(name) },
        });
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 409) throw new RuntimeError(`creating network ${name}: ${engineMessage(err)}`);
        // 409: created concurrently, by this agent (same options).
      }
    };
    await create();
    if (ipRange && !this.checkEngineNamespace(bridgeName(name))) {
      // Auto chose Docker's networking after all: its IPAM gets the whole podCIDR (the network is new and empty).
      await this.docker.getNetwork(name).remove();
      ipRange = undefined;
      await create();
    }
    this.recordPodNetwork(name, subnet, gateway, bridgeName(name), ipRange);
  }

  /**
   * Whether the engine's bridge is in this process's network namespace, which attaching veths
   * needs (an agent in a container of its own that drives another engine through its socket does
   * not share it). Under auto, a bridge out of sight turns veth off for good; returns the mode kept.
   */
  private checkEngineNamespace(bridge: string): boolean {
    if (!this.auto || existsSync(`/sys/class/net/${bridge}`)) return true;
    this.veth = Promise.resolve(false);
    this.auto = false;
    this.log?.warn(
      { bridge },
      "the engine's pod network bridge is not in this process's network namespace: pod sandboxes use Docker's networking (--pod-network-attach auto)",
    );
    return false;
  }

  private recordPodNetwork(name: string, subnet: string, gateway: string, bridge: string, dockerIpRange: string | undefined): void {
    if (!this.podNetworks.has(name)) this.podNetworks.set(name, { ipam: new PodIpam(subnet, gateway, dockerIpRange), bridge });
  }

  /** Holds every address the engine's containers have on a pod network (veth sandboxes by label, others by endpoint). */
  private async readAddresses(name: string, net: PodNetwork): Promise<void> {
    const cs = await this.docker.listContainers({ all: true });
    net.ipam.retain(new Set(cs.map((c) => c.Id)));
    for (const c of cs) {
      const labelled = c.Labels?.[POD_IP_LABEL];
      const ip = labelled || c.NetworkSettings?.Networks?.[name]?.IPAddress;
      // (Another cluster's sandboxes on the same engine carry addresses of their own podCIDR.)
      if (!ip || !net.ipam.owns(ip)) continue;
      net.ipam.hold(ip, c.Id);
      if (labelled) this.sandboxIps.set(c.Id, { network: name, ip });
    }
  }

  /** An address for a new sandbox on a pod network (read the engine again once before giving up). */
  private async allocateIp(name: string, owner: string): Promise<{ net: PodNetwork; ip: string }> {
    const net = this.podNetworks.get(name);
    if (!net) throw new RuntimeError(`the pod network ${name} is not set up on this node yet`);
    net.loaded ??= this.readAddresses(name, net).catch((err) => {
      net.loaded = undefined;
      throw new RuntimeError(`listing containers: ${engineMessage(err)}`);
    });
    await net.loaded;
    let ip = net.ipam.allocate(owner);
    if (!ip) {
      await this.readAddresses(name, net); // some sandboxes may have been removed behind our back
      ip = net.ipam.allocate(owner);
    }
    if (!ip) throw new RuntimeError(`no free address left in the pod network ${net.ipam.subnet}`);
    return { net, ip };
  }

  async list(labels: Record<string, string>): Promise<RuntimeContainer[]> {
    const cs = await this.docker.listContainers({ all: true, filters: { label: labelFilters(labels) } });
    const out: RuntimeContainer[] = [];
    // List lacks exit codes, OOM flags and timestamps: inspect each container, but only once per
    // state it is seen in (an unchanged container needs no second round trip).
    await Promise.all(
      cs.map(async (c) => {
        const known = this.inspected.get(c.Id);
        const r = known && known.state === c.State ? known : await this.inspect(c.Id);
        if (r) out.push({ ...r, labels: { ...r.labels } });
      }),
    );
    return out;
  }

  async inspect(id: string): Promise<RuntimeContainer | null> {
    try {
      const i = await this.docker.getContainer(id).inspect();
      const nets = Object.values(i.NetworkSettings?.Networks ?? {});
      const zero = (t?: string) => (!t || t.startsWith("0001-") ? undefined : t);
      const r: RuntimeContainer = {
        id: i.Id,
        name: i.Name.replace(/^\//, ""),
        image: i.Config.Image,
        imageId: i.Image,
        labels: i.Config.Labels ?? {},
        state: i.State.Status as RuntimeContainer["state"],
        exitCode: i.State.ExitCode,
        oomKilled: i.State.OOMKilled,
        error: i.State.Error ?? "",
        createdAt: i.Created,
        startedAt: zero(i.State.StartedAt),
        finishedAt: zero(i.State.FinishedAt),
        ip: nets.find((n) => n.IPAddress)?.IPAddress || i.Config.Labels?.[POD_IP_LABEL] || undefined,
        pid: i.State.Pid || undefined,
      };
      if (r.state === "running" && r.labels[POD_IP_LABEL] && !this.attaching.has(r.id) && !isAttached(vethName(r.id))) {
        // Its start was interrupted before its network was attached (the agent stopped): a
        // sandbox without a network is dead to the pod, which gets a new one (as in Kubernetes).
        r.state = "exited";
        r.error = "the sandbox's network was never attached";
      }
      this.remember(r);
      return { ...r, labels: { ...r.labels } };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) {
        this.inspected.delete(id);
        return null;
      }
      throw err;
    }
  }

  /** Keeps an inspect result for list(); a full cache starts over (it only saves round trips). */
  private remember(r: RuntimeContainer): void {
    if (this.inspected.size >= 10_000) this.inspected.clear();
    this.inspected.set(r.id, r);
  }

  async imageExists(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch {
      return false;
    }
  }

  async imageUser(image: string): Promise<string> {
    try {
      return ((await this.docker.getImage(image).inspect()).Config?.User as string | undefined) ?? "";
    } catch (err) {
      throw new RuntimeError(engineMessage(err), (err as { statusCode?: number }).statusCode);
    }
  }

  async pull(image: string): Promise<void> {
    try {
      const stream = await this.docker.pull(image);
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
          const failed = output?.find((o) => o.error);
          if (err || failed) reject(new RuntimeError(err ? engineMessage(err) : failed!.error!));
          else resolve();
        });
      });
    } catch (err) {
      throw new RuntimeError(engineMessage(err));
    }
  }

  async create(cfg: ContainerConfig): Promise<string> {
    // A sandbox on the pod network, attached by this process: the engine sees no network at all.
    const onPodNetwork = cfg.network !== undefined && cfg.network !== "host" && !cfg.sandboxId;
    const attach = onPodNetwork && (await this.veth) ? await this.allocateIp(cfg.network!, `pending:${cfg.name}`) : undefined;
    try {
      const id = await this.createContainer(cfg, attach?.ip);
      if (attach) {
        attach.net.ipam.hold(attach.ip, id);
        this.sandboxIps.set(id, { network: cfg.network!, ip: attach.ip });
        this.writeSandboxFiles(id, attach.ip, cfg);
      }
      return id;
    } catch (err) {
      if (attach) attach.net.ipam.release(attach.ip);
      throw err;
    }
  }

  /** The pod's hosts and resolv.conf, which its containers bind-mount (the engine writes none for a sandbox without a network). */
  private writeSandboxFiles(id: string, ip: string, cfg: ContainerConfig): void {
    const dir = join(this.sandboxDir, id);
    mkdirSync(dir, { recursive: true });
    const read = (f: string) => {
      try {
        return readFileSync(f, "utf8");
      } catch {
        return "";
      }
    };
    writeFileSync(join(dir, "hosts"), hostsFile(ip, cfg.hostname ?? "", cfg.hostAliases));
    const upstream = cfg.dns ? "" : read("/run/systemd/resolve/resolv.conf");
    writeFileSync(join(dir, "resolv.conf"), resolvConf(cfg.dns, cfg.dns ? "" : read("/etc/resolv.conf"), upstream));
  }

  /** Bind mounts of the sandbox's hosts and resolv.conf for a container joining a veth-attached sandbox. */
  private sandboxFileMounts(cfg: ContainerConfig): Mount[] {
    if (!cfg.sandboxId) return [];
    const dir = join(this.sandboxDir, cfg.sandboxId);
    if (!existsSync(join(dir, "hosts"))) return [];
    const taken = new Set(cfg.mounts?.map((m) => m.target));
    return ["hosts", "resolv.conf"].filter((f) => !taken.has(`/etc/${f}`)).map((f) => ({ source: join(dir, f), target: `/etc/${f}`, readOnly: false }));
  }

  private async createContainer(cfg: ContainerConfig, vethIp: string | undefined): Promise<string> {
    const cmd = cfg.command?.length ? [...cfg.command, ...(cfg.args ?? [])] : cfg.args?.length ? cfg.args : undefined;
    const mounts = [...(cfg.mounts ?? []), ...this.sandboxFileMounts(cfg)];
    try {
      const c = await this.docker.createContainer({
        name: cfg.name,
        Image: cfg.image,
        Labels: vethIp ? { ...cfg.labels, [POD_IP_LABEL]: vethIp } : cfg.labels,
        // No network for the engine to set up (no libnetwork hook): veth.ts attaches the sandbox.
        ...(vethIp ? { NetworkDisabled: true } : {}),
        // Kubernetes' command replaces the entrypoint; args alone keep it.
        ...(cfg.command?.length ? { Entrypoint: cfg.command, Cmd: cfg.args ?? [] } : cmd ? { Cmd: cmd } : {}),
        Env: cfg.env,
        WorkingDir: cfg.workingDir,
        Hostname: cfg.sandboxId ? undefined : cfg.hostname,
        User: cfg.user,
        Tty: cfg.tty ?? false,
        OpenStdin: cfg.stdin ?? false,
        StdinOnce: cfg.stdinOnce ?? false,
        HostConfig: {
          Mounts: mounts.map((m) => ({ Type: "bind" as const, Source: m.source, Target: m.target, ReadOnly: m.readOnly ?? false })),
          NetworkMode: cfg.sandboxId ? `container:${cfg.sandboxId}` : vethIp ? "none" : cfg.network,
          IpcMode: cfg.sandboxId ? `container:${cfg.sandboxId}` : "shareable",
          Memory: cfg.memoryBytes,
          // Without swap the memory limit is a hard limit, as in Kubernetes.
          MemorySwap: cfg.memoryBytes,
          NanoCpus: cfg.nanoCpus,
          CpuShares: cfg.cpuShares,
          GroupAdd: cfg.groupAdd,
          CapAdd: cfg.capAdd,
          CapDrop: cfg.capDrop,
          Privileged: cfg.privileged ?? false,
          ReadonlyRootfs: cfg.readonlyRootfs ?? false,
          SecurityOpt: cfg.securityOpt,
          Sysctls: cfg.sysctls,
          LogConfig: { Type: "json-file", Config: { "max-size": cfg.logMaxSize ?? "10m", "max-file": "2" } },
          ...(cfg.dns && !vethIp ? { Dns: cfg.dns.servers, DnsSearch: cfg.dns.searches, DnsOptions: cfg.dns.options } : {}),
          // The engine's hosts file (Docker's networking, hostNetwork): the containers that join share it.
          ...(cfg.hostAliases?.length && !vethIp ? { ExtraHosts: cfg.hostAliases.flatMap((a) => (a.hostnames ?? []).map((h) => `${h}:${a.ip}`)) } : {}),
        },
      });
      return c.id;
    } catch (err) {
      throw new RuntimeError(engineMessage(err), (err as { statusCode?: number }).statusCode);
    }
  }

  async start(id: string): Promise<void> {
    this.inspected.delete(id);
    const sandbox = this.sandboxIps.get(id);
    if (sandbox) this.attaching.add(id);
    try {
      await this.docker.getContainer(id).start();
      if (sandbox) await this.attach(id, sandbox);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 304) return; // already started
      throw err instanceof RuntimeError ? err : new RuntimeError(engineMessage(err));
    } finally {
      this.attaching.delete(id);
      this.inspected.delete(id);
    }
  }

  private async attach(id: string, sandbox: { network: string; ip: string }): Promise<void> {
    const net = this.podNetworks.get(sandbox.network);
    try {
      if (!net) throw new Error(`the pod network ${sandbox.network} is not set up`);
      const pid = (await this.docker.getContainer(id).inspect()).State.Pid;
      if (!pid) throw new Error("the sandbox is not running");
      // The engine's PID must be the sandbox's process here too: nsenter into whatever process has
      // that number in another PID namespace would configure the wrong network namespace.
      if (!isProcessOf(pid, id))
        throw new Error(
          `the engine's process ${pid} is not the sandbox's in this agent's PID namespace (run the agent in the engine's namespaces, or use --pod-network-attach docker)`,
        );
      await attachVeth({ pid, ip: sandbox.ip, prefixLength: net.ipam.prefixLength, gateway: net.ipam.gateway, bridge: net.bridge, veth: vethName(id) });
    } catch (err) {
      // A sandbox without its network is of no use: stop it (the pod gets a new one).
      await this.docker
        .getContainer(id)
        .kill()
        .catch(() => undefined);
      throw new RuntimeError(`attaching the sandbox to the pod network: ${(err as Error).message}`);
    }
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    this.inspected.delete(id);
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(graceSeconds)) });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code === 304 || code === 404) return;
      throw new RuntimeError(engineMessage(err));
    }
  }

  async remove(id: string): Promise<void> {
    this.inspected.delete(id);
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code === 409) return; // removal already in progress
      if (code !== 404) throw new RuntimeError(engineMessage(err));
    }
    this.cpuWindows.forget(id);
    // Gone: its address is free again (its veth went with its network namespace), its files too.
    const sandbox = this.sandboxIps.get(id);
    if (sandbox) {
      this.sandboxIps.delete(id);
      this.podNetworks.get(sandbox.network)?.ipam.release(sandbox.ip);
    }
    rmSync(join(this.sandboxDir, id), { recursive: true, force: true });
  }

  async exec(id: string, command: string[], timeoutMs: number): Promise<ExecResult> {
    const exec = await this.docker
      .getContainer(id)
      .exec({ Cmd: command, AttachStdout: true, AttachStderr: true })
      .catch((err) => {
        throw new RuntimeError(engineMessage(err), (err as { statusCode?: number }).statusCode);
      });
    const stream = await exec.start({ hijack: true, stdin: false });
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    let size = 0;
    out.on("data", (d: Buffer) => {
      if (size < 10_240) {
        chunks.push(d);
        size += d.length;
      }
    });
    this.docker.modem.demuxStream(stream, out, out);
    const ended = new Promise<void>((resolve) => {
      stream.on("end", resolve);
      stream.on("close", resolve);
      stream.on("error", () => resolve());
    });
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      ended.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), timeoutMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      // The engine has no "kill exec": kill the process by its host pid so hung probes never pile up.
      await this.killExec(exec);
      (stream as unknown as { destroy(): void }).destroy();
      return { exitCode: -1, output: Buffer.concat(chunks).toString("utf8"), timedOut: true };
    }
    const info = await exec.inspect();
    return { exitCode: info.ExitCode ?? -1, output: Buffer.concat(chunks).toString("utf8"), timedOut: false };
  }

  private async killExec(exec: Docker.Exec): Promise<void> {
    try {
      const info = await exec.inspect();
      if (info.Running && info.Pid > 0) process.kill(info.Pid, "SIGKILL");
    } catch {
      // already gone, or not ours to kill (another pid namespace): nothing more to do
    }
  }

  async openExec(id: string, opts: { command: string[]; stdin: boolean; tty: boolean }): Promise<ExecSession> {
    const exec = await this.docker
      .getContainer(id)
      .exec({
        Cmd: opts.command,
        AttachStdin: opts.stdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: opts.tty,
      })
      .catch((err) => {
        throw new RuntimeError(engineMessage(err), (err as { statusCode?: number }).statusCode);
      });
    const stream = await exec.start({ hijack: true, stdin: opts.stdin, Tty: opts.tty });
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    if (opts.tty) stream.pipe(stdout);
    else this.docker.modem.demuxStream(stream, stdout, stderr);
    const exit = new Promise<number>((resolve, reject) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        stdout.end();
        stderr.end();
        exec.inspect().then((i) => resolve(i.ExitCode ?? -1), reject);
      };
      stream.on("end", finish);
      stream.on("close", finish);
      stream.on("error", finish);
    });
    return {
      stdin: opts.stdin
        ? ({
            // Closing stdin half-closes the hijacked connection, which the engine passes on as EOF.
            write: (d: Buffer) => stream.write(d),
            end: () => (stream as unknown as { end(): void }).end(),
          } as unknown as NodeJS.WritableStream)
        : undefined,
      stdout,
      stderr,
      resize: (cols, rows) => {
        exec.resize({ w: cols, h: rows }).catch(() => undefined);
      },
      exit,
      kill: () => {
        void this.killExec(exec);
        (stream as unknown as { destroy(): void }).destroy();
      },
    };
  }

  async openAttach(id: string, opts: { stdin: boolean }): Promise<ExecSession> {
    const c = this.docker.getContainer(id);
    let tty = false;
    let stdin = false;
    let stream: NodeJS.ReadWriteStream;
    try {
      const info = await c.inspect();
      tty = info.Config.Tty;
      // Stdin reaches the process only when the container keeps it open (spec stdin: true).
      stdin = opts.stdin && info.Config.OpenStdin;
      stream = await c.attach({ stream: true, stdin, stdout: true, stderr: true, hijack: stdin });
    } catch (err) {
      throw new RuntimeError(engineMessage(err), (err as { statusCode?: number }).statusCode);
    }
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    if (tty) stream.pipe(stdout);
    else this.docker.modem.demuxStream(stream, stdout, stderr);
    let detached = false;
    const exit = new Promise<number>((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        stdout.end();
        stderr.end();
        // The stream ends with the process, or when the caller detached: only the first has a code.
        c.inspect().then(
          (i) => resolve(!detached && !i.State.Running ? (i.State.ExitCode ?? 0) : 0),
          () => resolve(0),
        );
      };
      stream.on("end", finish);
      stream.on("close", finish);
      stream.on("error", finish);
    });
    return {
      stdin: stdin
        ? ({
            write: (d: Buffer) => stream.write(d),
            end: () => stream.end(),
          } as unknown as NodeJS.WritableStream)
        : undefined,
      stdout,
      stderr,
      resize: (cols, rows) => {
        c.resize({ w: cols, h: rows }).catch(() => undefined);
      },
      exit,
      kill: () => {
        detached = true;
        (stream as unknown as { destroy(): void }).destroy();
      },
    };
  }

  async logs(id: string, opts: LogReadOptions): Promise<NodeJS.ReadableStream> {
    const c = this.docker.getContainer(id);
    const common = {
      stdout: true,
      stderr: true,
      timestamps: opts.timestamps ?? false,
      ...(opts.tailLines !== undefined ? { tail: opts.tailLines } : {}),
      ...(opts.sinceSeconds !== undefined ? { since: Math.floor(Date.now() / 1000) - opts.sinceSeconds } : {}),
    };
    try {
      const info = await c.inspect();
      const out = new PassThrough();
      if (opts.follow) {
        const stream = await c.logs({ ...common, follow: true });
        if (info.Config.Tty) stream.pipe(out);
        else {
          this.docker.modem.demuxStream(stream, out, out);
          stream.on("end", () => out.end());
        }
        out.on("close", () => (stream as unknown as { destroy(): void }).destroy());
        return out;
      }
      const buf = await c.logs({ ...common, follow: false });
      out.end(info.Config.Tty ? buf : demuxBuffer(buf));
      return out;
    } catch (err) {
      throw new RuntimeError(engineMessage(err), (err as { statusCode?: number }).statusCode);
    }
  }

  async stats(id: string): Promise<ContainerStatsSample> {
    const c = this.inspected.get(id) ?? (await this.inspect(id));
    const first = c?.pid ? readCgroup(c.pid) : undefined;
    if (!c?.pid || !first) return this.engineStats(id);
    // The CPU rate spans at least a second: since an earlier call's sample, or, when the last one
    // is more recent than that (or there is none), after waiting for the rest of the second.
    let sample = first;
    let at = performance.now();
    let base = this.cpuWindows.base(id, at);
    if (!base) {
      base = { nanos: first.cpuNanos, at };
      this.cpuWindows.record(id, base.nanos, base.at);
    }
    const short = this.cpuWindows.minWindowMs - (at - base.at);
    if (short > 0) {
      await new Promise((r) => setTimeout(r, short));
      sample = readCgroup(c.pid) ?? first;
      at = performance.now();
    }
    this.cpuWindows.record(id, sample.cpuNanos, at);
    return {
      cpuUsageNanos: sample.cpuNanos,
      cpuNanoCores: at > base.at ? Math.max(0, Math.round(((sample.cpuNanos - base.nanos) / ((at - base.at) * 1e6)) * 1e9)) : 0,
      memoryWorkingSetBytes: sample.workingSetBytes,
      timestamp: new Date().toISOString(),
    };
  }

  /** The engine's own stats call (when the cgroup files cannot be read). */
  private async engineStats(id: string): Promise<ContainerStatsSample> {
    const s = await this.docker.getContainer(id).stats({ stream: false });
    const cpu = s.cpu_stats?.cpu_usage?.total_usage ?? 0;
    const preCpu = s.precpu_stats?.cpu_usage?.total_usage ?? 0;
    const sys = (s.cpu_stats?.system_cpu_usage ?? 0) - (s.precpu_stats?.system_cpu_usage ?? 0);
    const cpus = s.cpu_stats?.online_cpus || s.cpu_stats?.cpu_usage?.percpu_usage?.length || 1;
    const mstats = (s.memory_stats?.stats ?? {}) as Record<string, number>;
    // Working set as the kubelet defines it: usage minus inactive file pages (cgroup v1 or v2 names).
    const inactive = mstats.total_inactive_file ?? mstats.inactive_file ?? 0;
    return {
      cpuUsageNanos: cpu,
      cpuNanoCores: sys > 0 && preCpu > 0 ? Math.round(((cpu - preCpu) / sys) * cpus * 1e9) : 0,
      memoryWorkingSetBytes: Math.max(0, (s.memory_stats?.usage ?? 0) - inactive),
      timestamp: s.read,
    };
  }

  async events(labels: Record<string, string>, onEvent: (e: RuntimeEvent) => void, onEnd: (err?: Error) => void): Promise<() => void> {
    const stream = (await this.docker.getEvents({ filters: { type: ["container"], label: labelFilters(labels) } })) as NodeJS.ReadableStream & {
      destroy(): void;
    };
    let buf = "";
    let stopped = false;
    stream.on("data", (chunk: Buffer) => {
      buf += chunk.toString("utf8");
      let i: number;
      while ((i = buf.indexOf("\n")) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        try {
          const e = JSON.parse(line);
          this.inspected.delete(e.id ?? e.Actor?.ID);
          onEvent({ action: e.Action ?? e.status, id: e.id ?? e.Actor?.ID, labels: e.Actor?.Attributes ?? {} });
        } catch {
          // a partial or foreign line: ignore
        }
      }
    });
    stream.on("end", () => {
      if (!stopped) onEnd();
    });
    stream.on("error", (err: Error) => {
      if (!stopped) onEnd(err);
    });
    return () => {
      stopped = true;
      stream.destroy();
    };
  }
}
