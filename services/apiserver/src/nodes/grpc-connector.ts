// NodeConnector over gRPC: finds the pod's node, its agent's endpoint (the Node's InternalIP and
// status.daemonEndpoints.kubeletEndpoint.Port), and opens the NodeService stream with the shared
// node token. Requests that cannot succeed (no node, container not running) fail up front with
// the typed errors Kubernetes gives; failures from the agent come back as typed errors too.
import { Duplex, PassThrough, type Readable } from "node:stream";
import { credentials, Metadata, type ChannelCredentials, type ServiceError } from "@grpc/grpc-js";
import { BadRequestError, UnavailableError, type Node, type Pod } from "@skiff/api";
import { fromGrpcError } from "@skiff/client";
import { nodev1 } from "@skiff/proto";
import type { ContainerUsage, ExecOptions, ExecSession, LogOptions, NodeConnector } from "./connector.js";

export interface GrpcNodeConnectorOptions {
  /** Reads a Node object (from the registry, or a client in tests). */
  getNode(name: string): Promise<Node>;
  /** Shared secret the agents require (their --node-token); empty sends none. */
  token: string;
  /** Mutual TLS to node `name`'s agent (it must present system:node:<name>); without it, plaintext (tests of logic only). */
  credentials?(nodeName: string): ChannelCredentials;
}

export class GrpcNodeConnector implements NodeConnector {
  private readonly clients = new Map<string, nodev1.NodeServiceClient>();
  constructor(private readonly opts: GrpcNodeConnectorOptions) {}

  /** The agent endpoint of the pod's node. */
  async endpoint(pod: Pod): Promise<string> {
    const nodeName = pod.spec.nodeName;
    if (!nodeName) throw new BadRequestError(`pod ${pod.metadata.name} does not have a host assigned`);
    const node = await this.opts.getNode(nodeName);
    const ip = node.status?.daemonEndpoints?.kubeletEndpoint?.Address ?? node.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
    if (!ip || !port) throw new UnavailableError(`node ${nodeName} does not publish its agent endpoint`);
    return ip.includes(":") ? `[${ip}]:${port}` : `${ip}:${port}`;
  }

  private async client(pod: Pod): Promise<nodev1.NodeServiceClient> {
    const addr = await this.endpoint(pod);
    // Keyed by node too: the channel checks that node's identity.
    const key = `${pod.spec.nodeName}@${addr}`;
    let c = this.clients.get(key);
    if (!c) {
      c = new nodev1.NodeServiceClient(addr, this.opts.credentials?.(pod.spec.nodeName!) ?? credentials.createInsecure(), {
        "grpc.ssl_target_name_override": "skiff",
      });
      this.clients.set(key, c);
    }
    return c;
  }

  private metadata(): Metadata {
    const md = new Metadata();
    if (this.opts.token) md.set("authorization", `Bearer ${this.opts.token}`);
    return md;
  }

  private ref(pod: Pod): nodev1.PodRef {
    return { namespace: pod.metadata.namespace ?? "default", name: pod.metadata.name ?? "", uid: pod.metadata.uid ?? "" };
  }

  async logs(pod: Pod, o: LogOptions): Promise<Readable> {
    const container = containerFor(pod, o.container);
    const st = statusOf(pod, container);
    if (!o.previous && (!st || (st.state.waiting && !st.lastState.terminated && !st.containerID))) {
      throw new BadRequestError(
        `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${st?.state.waiting?.reason ?? "ContainerCreating"}`,
      );
    }
    const c = await this.client(pod);
    const call = c.logs(
      {
        pod: this.ref(pod),
        container,
        follow: !!o.follow,
        previous: !!o.previous,
        tailLines: o.tailLines,
        sinceSeconds: o.sinceSeconds,
        timestamps: !!o.timestamps,
        limitBytes: o.limitBytes,
      },
      this.metadata(),
    );
    const out = new PassThrough();
    call.on("data", (m: nodev1.LogsResponse) => out.write(Buffer.from(m.data)));
    call.on("end", () => out.end());
    call.on("error", (err: ServiceError) => {
      if (err.code !== 1) out.destroy(fromGrpcError(err));
      else out.end();
    });
    out.on("close", () => call.cancel());
    // Wait for the first byte, the end, or an error, so a refusal reaches the caller as a rejection.
    await new Promise<void>((resolve, reject) => {
      const done = () => {
        call.off("error", onErr);
        resolve();
      };
      const onErr = (err: ServiceError) => reject(fromGrpcError(err));
      call.once("metadata", done);
      call.once("data", done);
      call.once("end", done);
      call.once("error", onErr);
    });
    return out;
  }

  async exec(pod: Pod, o: ExecOptions): Promise<ExecSession> {
    const container = containerFor(pod, o.container);
    const st = statusOf(pod, container);
    if (!st?.state.running)
      throw new BadRequestError(
        `container "${container}" in pod "${pod.metadata.name}" is ${st?.state.terminated ? "not running" : `waiting to start: ${st?.state.waiting?.reason ?? "ContainerCreating"}`}`,
      );
    const c = await this.client(pod);
    const call = c.exec(this.metadata());
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let settle!: { resolve(n: number): void; reject(e: Error): void };
    const exit = new Promise<number>((resolve, reject) => {
      settle = { resolve, reject };
    });
    exit.catch(() => undefined);
    call.on("data", (f: nodev1.ExecResponse) => {
      if (f.stdout !== undefined) stdout.write(Buffer.from(f.stdout));
      if (f.stderr !== undefined) stderr.write(Buffer.from(f.stderr));
      if (f.exitCode !== undefined) {
        stdout.end();
        stderr.end();
        settle.resolve(f.exitCode);
      }
    });
    call.on("error", (err: ServiceError) => {
      stdout.end();
      stderr.end();
      settle.reject(fromGrpcError(err));
    });
    call.on("end", () => {
      stdout.end();
      stderr.end();
      settle.reject(new UnavailableError("the exec stream ended without an exit code"));
    });
    call.write({
      start: { pod: this.ref(pod), container, command: o.command, stdin: o.stdin, stdout: o.stdout, stderr: o.stderr, tty: o.tty, attach: o.attach ?? false },
    });
    let stdin: PassThrough | undefined;
    if (o.stdin) {
      stdin = new PassThrough();
      stdin.on("data", (b: Buffer) => call.write({ stdin: b }));
      stdin.on("end", () => call.write({ stdinClose: true }));
    }
    return {
      stdin,
      stdout: o.stdout || o.tty ? stdout : undefined,
      stderr: o.stderr ? stderr : undefined,
      resize: (cols, rows) => call.write({ resize: { cols, rows } }),
      exit,
      close: () => call.cancel(),
    };
  }

  async portForward(pod: Pod, port: number): Promise<Duplex> {
    if (pod.status?.phase !== "Running")
      throw new BadRequestError(`unable to forward port because pod is not running. Current status=${pod.status?.phase ?? "Pending"}`);
    const c = await this.client(pod);
    const call = c.portForward(this.metadata());
    call.write({ start: { pod: this.ref(pod), port } });
    const d = new Duplex({
      read() {
        call.resume();
      },
      write(chunk: Buffer, _enc, cb) {
        call.write({ data: chunk }, cb);
      },
      final(cb) {
        call.end();
        cb();
      },
      destroy(err, cb) {
        call.cancel();
        cb(err);
      },
    });
    call.on("data", (f: nodev1.PortForwardResponse) => {
      if (!d.push(Buffer.from(f.data))) call.pause();
    });
    call.on("end", () => d.push(null));
    call.on("error", (err: ServiceError) => {
      if (err.code !== 1) d.destroy(fromGrpcError(err));
      else d.push(null);
    });
    return d;
  }

  async podStats(pod: Pod): Promise<ContainerUsage[]> {
    const c = await this.client(pod);
    const res = await new Promise<nodev1.PodStatsResponse>((resolve, reject) => {
      // The engine samples CPU over about a second per container; allow for a busy node.
      c.podStats({ pod: this.ref(pod) }, this.metadata(), { deadline: Date.now() + 15_000 }, (err, r) => (err ? reject(fromGrpcError(err)) : resolve(r)));
    });
    return res.containers.map((s) => ({ name: s.name, cpuNanoCores: s.cpuUsageNanoCores, memoryBytes: s.memoryWorkingSetBytes, timestamp: s.timestamp }));
  }

  async nodeProxy(nodeName: string, path: string, query: string): Promise<{ statusCode: number; contentType: string; body: Buffer }> {
    // The channel is found as a pod's would be: by the node's name.
    const c = await this.client({ metadata: { name: "" }, spec: { nodeName, containers: [] } } as unknown as Pod);
    const r = await new Promise<nodev1.ProxyResponse>((resolve, reject) => {
      c.proxy({ path, query }, this.metadata(), { deadline: Date.now() + 15_000 }, (err, r) => (err ? reject(fromGrpcError(err)) : resolve(r)));
    });
    return { statusCode: r.statusCode, contentType: r.contentType, body: Buffer.from(r.body) };
  }

  close(): void {
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
  }
}

/** The container a request targets: the named one, or the pod's only container. */
function containerFor(pod: Pod, name: string | undefined): string {
  if (name) {
    const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
    if (!all.includes(name)) throw new BadRequestError(`container ${name} is not valid for pod ${pod.metadata.name}`);
    return name;
  }
  if (pod.spec.containers.length !== 1)
    throw new BadRequestError(
      `a container name must be specified for pod ${pod.metadata.name}, choose one of: [${pod.spec.containers.map((c) => c.name).join(" ")}]`,
    );
  return pod.spec.containers[0].name;
}

function statusOf(pod: Pod, container: string) {
  return [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s) => s.name === container);
}
