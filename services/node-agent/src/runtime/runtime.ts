// The container runtime seam of the node agent: Docker (dockerode) is the real implementation;
// a fake implements the same interface for unit tests and hollow nodes.

/** What the agent asks the runtime to create for one pod container (or sandbox). */
export interface ContainerConfig {
  name: string;
  image: string;
  labels: Record<string, string>;
  command?: string[];
  args?: string[];
  env?: string[];
  workingDir?: string;
  hostname?: string;
  /** Docker network to attach (sandboxes). */
  network?: string;
  /** Sandbox container id whose network namespace this container joins. */
  sandboxId?: string;
  memoryBytes?: number;
  nanoCpus?: number;
  cpuShares?: number;
  /** Use the image's entrypoint when command is unset. */
  tty?: boolean;
  /** Keep stdin open (spec.containers[].stdin). */
  stdin?: boolean;
  /** Close stdin when the first attached client detaches (spec.containers[].stdinOnce). */
  stdinOnce?: boolean;
  /** Host paths bind-mounted into the container (volumes, termination log). */
  mounts?: Mount[];
  /** json-file log rotation: size of one file before it rotates (default "10m"). */
  logMaxSize?: string;
  /** securityContext: "uid[:gid]" (or "user:gid"), supplementary groups, capabilities, … */
  user?: string;
  groupAdd?: string[];
  capAdd?: string[];
  capDrop?: string[];
  privileged?: boolean;
  readonlyRootfs?: boolean;
  /** Docker's SecurityOpt: "no-new-privileges", "seccomp=unconfined". */
  securityOpt?: string[];
  /** Namespaced sysctls (sandboxes: the pod's network and IPC namespaces). */
  sysctls?: Record<string, string>;
  /** Extra /etc/hosts entries (sandboxes: the pod's hostAliases). */
  hostAliases?: { ip: string; hostnames: string[] }[];
  /** Resolver settings (sandboxes): Docker's Dns, DnsSearch, DnsOptions. */
  dns?: { servers: string[]; searches: string[]; options: string[] };
}

/** One bind mount of a host path. */
export interface Mount {
  source: string;
  target: string;
  readOnly?: boolean;
}

/** The outcome of a command run to completion (probes, hooks). */
export interface ExecResult {
  exitCode: number;
  output: string;
  /** The command outlived its deadline and was killed. */
  timedOut: boolean;
}

/** An interactive exec session. */
export interface ExecSession {
  stdin?: NodeJS.WritableStream;
  stdout: NodeJS.ReadableStream;
  stderr: NodeJS.ReadableStream;
  resize(cols: number, rows: number): void;
  /** Settles with the exit code once the process ends. */
  exit: Promise<number>;
  /** Kills the process (the caller went away). */
  kill(): void;
}

export interface LogReadOptions {
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
}

/** Resource figures of one container from the engine. */
export interface ContainerStatsSample {
  /** Cumulative CPU time, ns. */
  cpuUsageNanos: number;
  /** Rate over the engine's sampling interval, nanocores. */
  cpuNanoCores: number;
  memoryWorkingSetBytes: number;
  timestamp: string;
}

/** A container as the runtime reports it. */
export interface RuntimeContainer {
  id: string;
  name: string;
  image: string;
  imageId: string;
  labels: Record<string, string>;
  state: "created" | "running" | "exited" | "paused" | "restarting" | "removing" | "dead";
  exitCode: number;
  oomKilled: boolean;
  error: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** IP on the pod network (sandboxes). */
  ip?: string;
  /** The engine's process id of the container's first process (running containers). */
  pid?: number;
}

/** Facts about the machine for Node capacity and nodeInfo. */
export interface RuntimeInfo {
  cpus: number;
  memoryBytes: number;
  os: string;
  kernel: string;
  runtimeVersion: string;
  architecture: string;
}

export interface RuntimeEvent {
  action: string;
  id: string;
  labels: Record<string, string>;
}

export interface Runtime {
  info(): Promise<RuntimeInfo>;
  /** Creates the pod bridge network (idempotent; an existing one with another subnet is an error). */
  ensureNetwork(name: string, subnet: string, gateway: string, labels: Record<string, string>, internal: boolean): Promise<void>;
  /** Every container (running or not) carrying all these labels. */
  list(labels: Record<string, string>): Promise<RuntimeContainer[]>;
  inspect(id: string): Promise<RuntimeContainer | null>;
  imageExists(image: string): Promise<boolean>;
  /** The image's USER ("" when it sets none: root). */
  imageUser(image: string): Promise<string>;
  pull(image: string): Promise<void>;
  create(cfg: ContainerConfig): Promise<string>;
  start(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after graceSeconds. Missing or stopped containers are fine. */
  stop(id: string, graceSeconds: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Runs a command to completion with a deadline; a command past it is killed (never left running). */
  exec(id: string, command: string[], timeoutMs: number): Promise<ExecResult>;
  /** Starts an interactive command. */
  openExec(id: string, opts: { command: string[]; stdin: boolean; tty: boolean }): Promise<ExecSession>;
  /**
   * Attaches to a running container's main process (its stdio as the engine holds it). The
   * session's exit settles when the process ends (its exit code) or the caller detaches (0);
   * kill() detaches without touching the process.
   */
  openAttach(id: string, opts: { stdin: boolean }): Promise<ExecSession>;
  /** The container's log (stdout and stderr interleaved as written). */
  logs(id: string, opts: LogReadOptions): Promise<NodeJS.ReadableStream>;
  stats(id: string): Promise<ContainerStatsSample>;
  /** Runtime events for containers carrying these labels; returns a stop function. */
  events(labels: Record<string, string>, onEvent: (e: RuntimeEvent) => void, onEnd: (err?: Error) => void): Promise<() => void>;
}
