// An in-memory Runtime: containers are records that "run" until stopped. It serves unit tests of
// the agent's logic and the hollow nodes of scale tests (nothing touches Docker).
import { EventEmitter } from "node:events";
import { PassThrough, Readable } from "node:stream";
import type {
  ContainerConfig,
  ContainerStatsSample,
  ExecResult,
  ExecSession,
  LogReadOptions,
  Runtime,
  RuntimeContainer,
  RuntimeEvent,
  RuntimeInfo,
} from "./runtime.js";

/** What a fake machine reports (defaults: 4 CPUs, 16 GiB). */
export interface FakeMachine {
  cpus: number;
  memoryBytes: number;
  /** First two octets of the sandboxes' IPs (default "10.255"; hollow nodes use loopback, "127.255", so that probes and hooks never leave the host). */
  ipPrefix?: string;
}

/** A Runtime whose containers live in a Map; images always exist, commands exit 0. */
export class FakeRuntime implements Runtime {
  readonly containers = new Map<string, RuntimeContainer & { config: ContainerConfig }>();
  readonly networks = new Map<string, { subnet: string; gateway: string }>();
  private readonly emitter = new EventEmitter();
  private seq = 0;
  private ipSeq = 1;

  constructor(private readonly machine: FakeMachine = { cpus: 4, memoryBytes: 16 * 1024 ** 3 }) {
    this.emitter.setMaxListeners(0);
  }

  async info(): Promise<RuntimeInfo> {
    return {
      cpus: this.machine.cpus,
      memoryBytes: this.machine.memoryBytes,
      os: "Hollow Linux",
      kernel: "0.0.0-hollow",
      runtimeVersion: "fake://1.0",
      architecture: "amd64",
    };
  }

  async ensureNetwork(name: string, subnet: string, gateway: string): Promise<void> {
    const have = this.networks.get(name);
    if (have && have.subnet !== subnet) throw new Error(`network ${name} exists with subnet ${have.subnet}, not ${subnet}`);
    this.networks.set(name, { subnet, gateway });
  }

  async list(labels: Record<string, string>): Promise<RuntimeContainer[]> {
    return [...this.containers.values()].filter((c) => Object.entries(labels).every(([k, v]) => c.labels[k] === v)).map((c) => this.view(c.id)!);
  }

  async inspect(id: string): Promise<RuntimeContainer | null> {
    return this.view(id);
  }

  async imageExists(): Promise<boolean> {
    return true;
  }

  async pull(): Promise<void> {}

  /** Images' USER; unset ones run as root (""). */
  readonly imageUsers = new Map<string, string>();

  async imageUser(image: string): Promise<string> {
    return this.imageUsers.get(image) ?? "";
  }

  async create(cfg: ContainerConfig): Promise<string> {
    const id = `fake${(++this.seq).toString(16).padStart(12, "0")}`;
    this.containers.set(id, {
      id,
      name: cfg.name,
      image: cfg.image,
      imageId: `sha256:${cfg.image}`,
      labels: { ...cfg.labels },
      state: "created",
      exitCode: 0,
      oomKilled: false,
      error: "",
      createdAt: new Date().toISOString(),
      config: cfg,
      ...(cfg.network ? { ip: `${this.machine.ipPrefix ?? "10.255"}.${(this.ipSeq >> 8) & 255}.${this.ipSeq++ & 255}` } : {}),
    });
    this.emit("create", id);
    return id;
  }

  async start(id: string): Promise<void> {
    const c = this.must(id);
    c.state = "running";
    c.startedAt = new Date().toISOString();
    this.emit("start", id);
  }

  async stop(id: string, _graceSeconds?: number): Promise<void> {
    const c = this.containers.get(id);
    if (c?.state !== "running") return;
    c.state = "exited";
    c.exitCode = 0;
    c.finishedAt = new Date().toISOString();
    this.emit("die", id);
  }

  async remove(id: string): Promise<void> {
    const c = this.containers.get(id);
    if (!c) return;
    this.containers.delete(id);
    this.emitter.emit("event", { action: "destroy", id, labels: { ...c.labels } } satisfies RuntimeEvent);
  }

  async exec(id: string): Promise<ExecResult> {
    this.must(id);
    return { exitCode: 0, output: "", timedOut: false };
  }

  async openAttach(id: string): Promise<ExecSession> {
    return this.openExec(id);
  }

  async openExec(id: string): Promise<ExecSession> {
    this.must(id);
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    stdout.end();
    stderr.end();
    return { stdout, stderr, resize() {}, exit: Promise.resolve(0), kill() {} };
  }

  async logs(id: string, _opts: LogReadOptions): Promise<NodeJS.ReadableStream> {
    this.must(id);
    return Readable.from([]);
  }

  async stats(id: string): Promise<ContainerStatsSample> {
    this.must(id);
    return { cpuUsageNanos: 0, cpuNanoCores: 0, memoryWorkingSetBytes: 0, timestamp: new Date().toISOString() };
  }

  async events(labels: Record<string, string>, onEvent: (e: RuntimeEvent) => void, _onEnd?: (err?: Error) => void): Promise<() => void> {
    const h = (e: RuntimeEvent) => {
      if (Object.entries(labels).every(([k, v]) => e.labels[k] === v)) onEvent(e);
    };
    this.emitter.on("event", h);
    return () => this.emitter.off("event", h);
  }

  private emit(action: string, id: string): void {
    this.emitter.emit("event", { action, id, labels: { ...(this.containers.get(id)?.labels ?? {}) } } satisfies RuntimeEvent);
  }

  private must(id: string) {
    const c = this.containers.get(id);
    if (!c) throw new Error(`No such container: ${id}`);
    return c;
  }

  private view(id: string): RuntimeContainer | null {
    const c = this.containers.get(id);
    if (!c) return null;
    const { config: _config, ...rest } = c;
    return { ...rest, labels: { ...rest.labels } };
  }
}
