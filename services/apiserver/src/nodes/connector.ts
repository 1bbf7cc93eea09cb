// The seam between the REST API and node agents for streams that reach into a pod: logs, exec
// and port-forward. The REST layer (kubectl's protocols) consumes it; the node-agent streaming
// work implements it over gRPC to the agent that runs the pod.
import type { Duplex, Readable } from "node:stream";
import type { Pod } from "@skiff/api";

export interface LogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

export interface ExecOptions {
  container?: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  /** Attach to the container's main process (kubectl attach) instead of running `command`. */
  attach?: boolean;
}

/** A running exec: write stdin, read stdout/stderr, resize the tty; `exit` settles with the code. */
export interface ExecSession {
  stdin?: NodeJS.WritableStream;
  stdout?: Readable;
  stderr?: Readable;
  resize(cols: number, rows: number): void;
  /** Resolves with the process's exit code (or rejects with a typed API error). */
  exit: Promise<number>;
  /** Ends the session early (the client went away). */
  close(): void;
}

/** One container's usage at one moment (for the metrics API). */
export interface ContainerUsage {
  name: string;
  /** CPU rate in nanocores (1e9 = one core). */
  cpuNanoCores: number;
  /** Memory working set in bytes. */
  memoryBytes: number;
  /** RFC 3339 time of the sample. */
  timestamp: string;
}

export interface NodeConnector {
  /** The pod's container log as a byte stream (ends unless follow). */
  logs(pod: Pod, opts: LogOptions): Promise<Readable>;
  exec(pod: Pod, opts: ExecOptions): Promise<ExecSession>;
  /** A byte stream connected to the pod's port (on its network namespace). */
  portForward(pod: Pod, port: number): Promise<Duplex>;
  /** The pod's running containers' CPU and memory (optional: the metrics API is off without it). */
  podStats?(pod: Pod): Promise<ContainerUsage[]>;
  /** A GET on the node agent's own HTTP paths (/metrics, /healthz, /pods): the node proxy subresource. */
  nodeProxy?(nodeName: string, path: string, query: string): Promise<{ statusCode: number; contentType: string; body: Buffer }>;
}
