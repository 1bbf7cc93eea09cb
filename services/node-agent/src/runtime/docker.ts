// Docker implementation of the Runtime seam, through dockerode.
import Docker from "dockerode";
import type { ContainerConfig, Runtime, RuntimeContainer, RuntimeEvent, RuntimeInfo } from "./runtime.js";

/** Errors from the engine keep its message (shown to users as ErrImagePull etc.). */
export class RuntimeError extends Error {
  constructor(message: string, readonly statusCode?: number) { super(message); }
}

function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; reason?: string; message?: string };
  return e.json?.message ?? e.message ?? String(err);
}

function labelFilters(labels: Record<string, string>): string[] {
  return Object.entries(labels).map(([k, v]) => `${k}=${v}`);
}

export class DockerRuntime implements Runtime {
  private readonly docker: Docker;
  constructor(socketPath = "/var/run/docker.sock") {
    this.docker = new Docker({ socketPath });
  }

  async info(): Promise<RuntimeInfo> {
    const i = await this.docker.info();
    return {
      cpus: i.NCPU, memoryBytes: i.MemTotal, os: i.OperatingSystem, kernel: i.KernelVersion,
      runtimeVersion: `docker://${i.ServerVersion}`, architecture: i.Architecture === "x86_64" ? "amd64" : i.Architecture,
    };
  }

  async ensureNetwork(name: string, subnet: string, gateway: string, labels: Record<string, string>, internal: boolean): Promise<void> {
    try {
      const n = await this.docker.getNetwork(name).inspect();
      const have = n.IPAM?.Config?.[0]?.Subnet;
      if (have !== subnet) throw new RuntimeError(`network ${name} exists with subnet ${have}, want ${subnet}`);
      return;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 404) throw err;
    }
    try {
      await this.docker.createNetwork({
        Name: name, Driver: "bridge", Internal: internal, Labels: labels, CheckDuplicate: true,
        IPAM: { Driver: "default", Config: [{ Subnet: subnet, Gateway: gateway }] },
        Options: { "com.docker.network.bridge.name": bridgeName(name) },
      });
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 409) return; // created concurrently
      throw new RuntimeError(`creating network ${name}: ${engineMessage(err)}`);
    }
  }

  async list(labels: Record<string, string>): Promise<RuntimeContainer[]> {
    const cs = await this.docker.listContainers({ all: true, filters: { label: labelFilters(labels) } });
    const out: RuntimeContainer[] = [];
    // Inspect each: list lacks exit codes, OOM flags and timestamps.
    await Promise.all(cs.map(async (c) => {
      const r = await this.inspect(c.Id);
      if (r) out.push(r);
    }));
    return out;
  }

  async inspect(id: string): Promise<RuntimeContainer | null> {
    try {
      const i = await this.docker.getContainer(id).inspect();
      const nets = Object.values(i.NetworkSettings?.Networks ?? {});
      const zero = (t?: string) => (!t || t.startsWith("0001-") ? undefined : t);
      return {
        id: i.Id, name: i.Name.replace(/^\//, ""), image: i.Config.Image, imageId: i.Image, labels: i.Config.Labels ?? {},
        state: i.State.Status as RuntimeContainer["state"], exitCode: i.State.ExitCode, oomKilled: i.State.OOMKilled, error: i.State.Error ?? "",
        createdAt: i.Created, startedAt: zero(i.State.StartedAt), finishedAt: zero(i.State.FinishedAt),
        ip: nets.find((n) => n.IPAddress)?.IPAddress || undefined,
      };
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 404) return null;
      throw err;
    }
  }

  async imageExists(image: string): Promise<boolean> {
    try {
      await this.docker.getImage(image).inspect();
      return true;
    } catch {
      return false;
    }
  }

  async pull(image: string): Promise<void> {
    try {
      const stream = await this.docker.pull(image);
      await new Promise<void>((resolve, reject) => {
        this.docker.modem.followProgress(stream, (err: Error | null, output: { error?: string }[]) => {
          const failed = output?.find((o) => o.error);
          if (err || failed) reject(new RuntimeError(err ? engineMessage(err) : failed!.error!)); else resolve();
        });
      });
    } catch (err) {
      throw new RuntimeError(engineMessage(err));
    }
  }

  async create(cfg: ContainerConfig): Promise<string> {
    const cmd = cfg.command?.length ? [...cfg.command, ...(cfg.args ?? [])] : cfg.args?.length ? cfg.args : undefined;
    try {
      const c = await this.docker.createContainer({
        name: cfg.name,
        Image: cfg.image,
        Labels: cfg.labels,
        // Kubernetes' command replaces the entrypoint; args alone keep it.
        ...(cfg.command?.length ? { Entrypoint: cfg.command, Cmd: cfg.args ?? [] } : cmd ? { Cmd: cmd } : {}),
        Env: cfg.env,
        WorkingDir: cfg.workingDir,
        Hostname: cfg.sandboxId ? undefined : cfg.hostname,
        Tty: cfg.tty ?? false,
        HostConfig: {
          NetworkMode: cfg.sandboxId ? `container:${cfg.sandboxId}` : cfg.network,
          IpcMode: cfg.sandboxId ? `container:${cfg.sandboxId}` : "shareable",
          Memory: cfg.memoryBytes,
          // Without swap the memory limit is a hard limit, as in Kubernetes.
          MemorySwap: cfg.memoryBytes,
          NanoCpus: cfg.nanoCpus,
          CpuShares: cfg.cpuShares,
          LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "2" } },
          ...(cfg.dns ? { Dns: cfg.dns.servers, DnsSearch: cfg.dns.searches, DnsOptions: cfg.dns.options } : {}),
        },
      });
      return c.id;
    } catch (err) {
      throw new RuntimeError(engineMessage(err), (err as { statusCode?: number }).statusCode);
    }
  }

  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode === 304) return; // already started
      throw new RuntimeError(engineMessage(err));
    }
  }

  async stop(id: string, graceSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: Math.max(0, Math.ceil(graceSeconds)) });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code === 304 || code === 404) return;
      throw new RuntimeError(engineMessage(err));
    }
  }

  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      const code = (err as { statusCode?: number }).statusCode;
      if (code === 404 || code === 409) return; // gone, or removal already in progress
      throw new RuntimeError(engineMessage(err));
    }
  }

  async events(labels: Record<string, string>, onEvent: (e: RuntimeEvent) => void, onEnd: (err?: Error) => void): Promise<() => void> {
    const stream = (await this.docker.getEvents({ filters: { type: ["container"], label: labelFilters(labels) } })) as NodeJS.ReadableStream & { destroy(): void };
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
          onEvent({ action: e.Action ?? e.status, id: e.id ?? e.Actor?.ID, labels: e.Actor?.Attributes ?? {} });
        } catch {
          // a partial or foreign line: ignore
        }
      }
    });
    stream.on("end", () => { if (!stopped) onEnd(); });
    stream.on("error", (err: Error) => { if (!stopped) onEnd(err); });
    return () => {
      stopped = true;
      stream.destroy();
    };
  }
}

/** Linux bridge names are limited to 15 characters. */
function bridgeName(network: string): string {
  let h = 0;
  for (const c of network) h = (h * 31 + c.charCodeAt(0)) >>> 0;
  return `skiff${h.toString(36)}`.slice(0, 15);
}
