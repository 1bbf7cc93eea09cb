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
  /** Resolver settings (sandboxes): Docker's Dns, DnsSearch, DnsOptions. */
  dns?: { servers: string[]; searches: string[]; options: string[] };
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
  pull(image: string): Promise<void>;
  create(cfg: ContainerConfig): Promise<string>;
  start(id: string): Promise<void>;
  /** SIGTERM, then SIGKILL after graceSeconds. Missing or stopped containers are fine. */
  stop(id: string, graceSeconds: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Runtime events for containers carrying these labels; returns a stop function. */
  events(labels: Record<string, string>, onEvent: (e: RuntimeEvent) => void, onEnd: (err?: Error) => void): Promise<() => void>;
}
