// The typed gRPC client of the apiserver: every process (scheduler, controllers, node agent,
// CLI, tests) talks to the cluster through it. It fails over between apiserver addresses.
import { connectivityState, credentials, Metadata, status as Code, type ServiceError, type ClientReadableStream, type ClientDuplexStream } from "@grpc/grpc-js";
import {
  ResourceServiceClient,
  EventType,
  type WatchResponse,
  type PodLogsRequest,
  type PodLogsResponse,
  type PodExecRequest,
  type PodExecResponse,
} from "@skiff/proto";
import type { KObject } from "@skiff/api";
import { fromGrpcError } from "./grpc-errors.js";
import { MULTIPLEXED, Multiplexer, type MultiplexedMethod } from "./multiplex.js";
import { readTlsDir } from "./tls/files.js";
import { isApiserver, mtlsChannelCredentials, TLS_CHANNEL_OPTIONS, type TlsSource } from "./tls/grpc.js";

export interface ClientOptions {
  /** host:port of one or more apiservers; calls go to the first that answers. */
  addresses: string[];
  /** Bearer token sent with every call (when the apiserver requires one). */
  token?: string;
  /** Deadline of unary calls in ms (default 15000). */
  timeoutMs?: number;
  /** This component's certificate and the cluster CA (a --tls-dir); apiservers refuse a client without one. Omitted: plaintext (unit tests against fake servers only). */
  tls?: TlsSource;
}

export interface ListResult<T extends KObject = KObject> {
  items: T[];
  resourceVersion: string;
  continueToken: string;
}

export interface WatchEventOf<T extends KObject = KObject> {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK";
  object: T;
}

export interface WatchHandle {
  /** Ends the watch; the done callback is not called. */
  stop(): void;
}

const typeNames: Record<number, WatchEventOf["type"] | undefined> = {
  [EventType.EVENT_TYPE_ADDED]: "ADDED",
  [EventType.EVENT_TYPE_MODIFIED]: "MODIFIED",
  [EventType.EVENT_TYPE_DELETED]: "DELETED",
  [EventType.EVENT_TYPE_BOOKMARK]: "BOOKMARK",
};

const multiplexed = new Set<string>(MULTIPLEXED);

/** ApiClient wraps ResourceService with JSON objects and typed errors. */
export class ApiClient {
  private readonly clients: ResourceServiceClient[];
  /** Each apiserver's stream of multiplexed unary calls (see multiplex.ts). */
  private readonly muxes: Multiplexer[];
  private current = 0;
  private readonly timeoutMs: number;
  private readonly token?: string;

  constructor(opts: ClientOptions) {
    if (opts.addresses.length === 0) throw new Error("ApiClient needs at least one apiserver address");
    // Missing files fail here, naming them, rather than as an endless "connection refused".
    if (opts.tls && "dir" in opts.tls) readTlsDir(opts.tls.dir);
    // One credentials object for all channels: its certificate provider re-reads rotated files once.
    const creds = opts.tls ? mtlsChannelCredentials(opts.tls, isApiserver, "an apiserver of this cluster (kube-apiserver)") : credentials.createInsecure();
    this.clients = opts.addresses.map(
      (a) =>
        new ResourceServiceClient(a, creds, {
          ...(opts.tls ? TLS_CHANNEL_OPTIONS : {}),
          "grpc.keepalive_time_ms": 10_000,
          "grpc.keepalive_timeout_ms": 5_000,
          "grpc.max_receive_message_length": 256 * 1024 * 1024,
        }),
    );
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.token = opts.token;
    this.muxes = this.clients.map((c) => new Multiplexer(c, () => this.metadata()));
  }

  close(): void {
    for (const m of this.muxes) m.close();
    for (const c of this.clients) c.close();
  }

  private metadata(): Metadata {
    const md = new Metadata();
    if (this.token) md.set("authorization", `Bearer ${this.token}`);
    return md;
  }

  /**
   * The apiserver to call next, among those not yet tried: the current one when its connection
   * is up, otherwise the first of them to connect. An apiserver whose machine vanished answers
   * nothing (no RST), so connecting to it would hang until the deadline; connecting to every
   * candidate at once makes failover cost one connect to a live apiserver, not a timeout.
   */
  private connected(tried: Set<number>): Promise<number> {
    const n = this.clients.length;
    const candidates = Array.from({ length: n }, (_, i) => (this.current + i) % n).filter((i) => !tried.has(i));
    // One address: the call itself reports an unreachable apiserver (UNAVAILABLE).
    if (n === 1) return Promise.resolve(candidates[0]);
    const state = (i: number) => this.clients[i].getChannel().getConnectivityState(true);
    const up = candidates.find((i) => state(i) === connectivityState.READY);
    if (up !== undefined) return Promise.resolve(up);
    return new Promise<number>((resolve, reject) => {
      let failed = 0;
      const deadline = Date.now() + this.timeoutMs;
      for (const i of candidates) {
        this.clients[i].waitForReady(deadline, (err) => {
          if (!err) return resolve(i); // the first to connect wins; later ones are ignored
          if (++failed === candidates.length) {
            reject(
              Object.assign(new Error(`no connection: ${err.message}`), {
                code: Code.UNAVAILABLE,
                details: `no apiserver reachable: ${err.message}`,
                metadata: new Metadata(),
              }),
            );
          }
        });
      }
    });
  }

  /** Calls one unary method, moving to another apiserver when one is unreachable. */
  private async call<Req, Res>(method: string, req: Req): Promise<Res> {
    let lastErr: ServiceError | undefined;
    const tried = new Set<number>();
    while (tried.size < this.clients.length) {
      let idx: number;
      try {
        idx = await this.connected(tried);
      } catch (err) {
        lastErr = err as ServiceError;
        break;
      }
      tried.add(idx);
      const c = this.clients[idx] as unknown as Record<string, (r: Req, md: Metadata, o: object, cb: (e: ServiceError | null, r: Res) => void) => void>;
      const unary = () =>
        new Promise<Res>((resolve, reject) => {
          c[method].call(this.clients[idx], req, this.metadata(), { deadline: Date.now() + this.timeoutMs }, (err, r) => (err ? reject(err) : resolve(r)));
        });
      const mux = this.muxes[idx];
      try {
        let res: Res;
        if (!mux.supported || !multiplexed.has(method)) res = await unary();
        else {
          // An apiserver without Multiplex answers the first call so; it and the rest go unary.
          res = await mux.call<Res>(method as MultiplexedMethod, req as object, this.timeoutMs).catch((err) => (mux.supported ? Promise.reject(err) : unary()));
        }
        this.current = idx;
        return res;
      } catch (err) {
        lastErr = err as ServiceError;
        if (lastErr.code !== Code.UNAVAILABLE) break;
      }
    }
    throw fromGrpcError(lastErr!);
  }

  async create<T extends KObject>(resource: string, obj: T, namespace?: string): Promise<T> {
    const r = await this.call<object, { objectJson: string }>("create", {
      resource,
      namespace: namespace ?? obj.metadata.namespace ?? "",
      objectJson: JSON.stringify(obj),
      dryRun: false,
    });
    return JSON.parse(r.objectJson);
  }

  async get<T extends KObject>(resource: string, name: string, namespace?: string): Promise<T> {
    const r = await this.call<object, { objectJson: string }>("get", { ref: { resource, namespace: namespace ?? "", name } });
    return JSON.parse(r.objectJson);
  }

  async list<T extends KObject>(
    resource: string,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string; limit?: number; continueToken?: string } = {},
  ): Promise<ListResult<T>> {
    const r = await this.call<object, { itemsJson: string[]; resourceVersion: string; continueToken: string }>("list", {
      resource,
      namespace: opts.namespace ?? "",
      labelSelector: opts.labelSelector ?? "",
      fieldSelector: opts.fieldSelector ?? "",
      limit: opts.limit ?? 0,
      continueToken: opts.continueToken ?? "",
    });
    return { items: r.itemsJson.map((j) => JSON.parse(j)), resourceVersion: r.resourceVersion, continueToken: r.continueToken };
  }

  async update<T extends KObject>(resource: string, obj: T): Promise<T> {
    const r = await this.call<object, { objectJson: string }>("update", {
      resource,
      namespace: obj.metadata.namespace ?? "",
      objectJson: JSON.stringify(obj),
      dryRun: false,
    });
    return JSON.parse(r.objectJson);
  }

  async updateStatus<T extends KObject>(resource: string, obj: T): Promise<T> {
    const r = await this.call<object, { objectJson: string }>("updateStatus", {
      resource,
      namespace: obj.metadata.namespace ?? "",
      objectJson: JSON.stringify(obj),
    });
    return JSON.parse(r.objectJson);
  }

  /** Deletes an object; `finished` is false while it terminates (pods stopping, finalizers). */
  async delete<T extends KObject>(
    resource: string,
    name: string,
    namespace?: string,
    opts: { gracePeriodSeconds?: number; preconditionUid?: string; propagationPolicy?: string } = {},
  ): Promise<{ object: T; finished: boolean }> {
    const r = await this.call<object, { objectJson: string; finished: boolean }>("delete", {
      ref: { resource, namespace: namespace ?? "", name },
      gracePeriodSeconds: opts.gracePeriodSeconds,
      preconditionUid: opts.preconditionUid ?? "",
      preconditionResourceVersion: "",
      propagationPolicy: opts.propagationPolicy ?? "",
    });
    return { object: JSON.parse(r.objectJson), finished: r.finished };
  }

  async bind(namespace: string, podName: string, nodeName: string, podUid?: string): Promise<KObject> {
    const r = await this.call<object, { objectJson: string }>("bind", { namespace, podName, nodeName, podUid: podUid ?? "" });
    return JSON.parse(r.objectJson);
  }

  /** A ServiceAccount token (TokenRequest) and the cluster CA certificate in-cluster clients trust. */
  async createToken(
    namespace: string,
    serviceAccount: string,
    request: { spec: Record<string, unknown> },
  ): Promise<{ token: string; expirationTimestamp: string; caCert: string }> {
    const r = await this.call<object, { tokenRequestJson: string; caCertPem: string }>("createToken", {
      namespace,
      serviceAccount,
      tokenRequestJson: JSON.stringify({ apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", ...request }),
    });
    const tr = JSON.parse(r.tokenRequestJson) as { status: { token: string; expirationTimestamp: string } };
    return { token: tr.status.token, expirationTimestamp: tr.status.expirationTimestamp, caCert: r.caCertPem };
  }

  /**
   * Opens a watch. `onEvent` gets each event; `done` is called once when the stream ends
   * (with the typed error, e.g. Gone, or undefined when the server closed it).
   */
  watch<T extends KObject>(
    resource: string,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string; resourceVersion?: string; allowBookmarks?: boolean },
    onEvent: (e: WatchEventOf<T>) => void,
    done: (err?: Error) => void,
  ): WatchHandle {
    const idx = this.current;
    const stream: ClientReadableStream<WatchResponse> = this.clients[idx].watch(
      {
        resource,
        namespace: opts.namespace ?? "",
        labelSelector: opts.labelSelector ?? "",
        fieldSelector: opts.fieldSelector ?? "",
        resourceVersion: opts.resourceVersion ?? "",
        allowBookmarks: opts.allowBookmarks ?? true,
      },
      this.metadata(),
    );
    let finished = false;
    const finish = (err?: Error) => {
      if (finished) return;
      finished = true;
      // Next attempt goes to another apiserver when this one was unreachable.
      if (err && (err as { reason?: string }).reason === "Unavailable") this.current = (idx + 1) % this.clients.length;
      done(err);
    };
    stream.on("data", (m: WatchResponse) => {
      const type = typeNames[m.type];
      if (type) onEvent({ type, object: JSON.parse(m.objectJson) });
    });
    stream.on("error", (err: ServiceError) => {
      if (err.code === Code.CANCELLED && finished) return;
      finish(fromGrpcError(err));
    });
    stream.on("end", () => finish());
    return {
      stop: () => {
        finished = true;
        stream.cancel();
      },
    };
  }

  /** Streams a container's log (ResourceService.PodLogs); errors arrive as gRPC errors (map with fromGrpcError). */
  podLogs(req: PodLogsRequest): ClientReadableStream<PodLogsResponse> {
    return this.clients[this.current].podLogs(req, this.metadata());
  }

  /** Opens an exec session (ResourceService.PodExec): write a `start` frame first. */
  podExec(): ClientDuplexStream<PodExecRequest, PodExecResponse> {
    return this.clients[this.current].podExec(this.metadata());
  }
}
