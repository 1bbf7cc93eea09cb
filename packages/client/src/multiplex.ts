// Unary calls carried on one long-lived stream per apiserver (ResourceService.Multiplex). Why: a
// unary gRPC call is an HTTP/2 stream of its own (headers, trailers, and grpc-js's call stack at
// both ends): ~300 µs of CPU between the two processes on this kind of machine, where a message
// on an open stream costs ~70 µs. Components write several times per pod (bind, status, events),
// so that difference is a large part of what a pod costs the cluster.
import { type Metadata, status as Code, type ClientDuplexStream, type ServiceError } from "@grpc/grpc-js";
import { ResourceServiceService, type MultiplexRequest, type MultiplexResponse, type ResourceServiceClient } from "@skiff/proto";
import { serviceError, STATUS_TRAILER } from "./grpc-errors.js";

/** The client methods that go through the stream (List stays unary: a large answer would hold up the others). */
export const MULTIPLEXED = ["create", "get", "update", "updateStatus", "delete", "bind"] as const;
export type MultiplexedMethod = (typeof MULTIPLEXED)[number];

/** The proto method names (what the server dispatches on and authorizes as). */
export const protoMethod = (m: MultiplexedMethod): string => m[0].toUpperCase() + m.slice(1);

interface Pending {
  method: MultiplexedMethod;
  resolve(res: unknown): void;
  reject(err: ServiceError): void;
  timer: NodeJS.Timeout;
}

/** One apiserver's stream of multiplexed calls, opened on first use and again after it breaks. */
/** An open stream and the calls waiting on it (a broken stream fails its own, not a later one's). */
interface OpenStream {
  stream: ClientDuplexStream<MultiplexRequest, MultiplexResponse>;
  pending: Map<number, Pending>;
}

export class Multiplexer {
  private current?: OpenStream;
  private nextId = 1;
  /** False once the apiserver has answered that it has no Multiplex (an older one): unary calls then. */
  supported = true;

  constructor(
    private readonly client: ResourceServiceClient,
    private readonly metadata: () => Metadata,
  ) {}

  /** Calls `method` through the stream; fails as the unary call would (a ServiceError), or UNAVAILABLE when the stream breaks. */
  call<Res>(method: MultiplexedMethod, req: object, timeoutMs: number): Promise<Res> {
    const { stream, pending } = this.open();
    const id = this.nextId++;
    return new Promise<Res>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(serviceError(Code.DEADLINE_EXCEEDED, `no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, { method, resolve: resolve as (r: unknown) => void, reject, timer });
      const request = (ResourceServiceService[method].requestSerialize as (r: object) => Buffer)(req);
      stream.write({ id, method: protoMethod(method), request });
    });
  }

  /** Ends the stream; calls still waiting fail as unavailable. */
  close(): void {
    const s = this.current?.stream;
    this.current = undefined;
    s?.cancel();
  }

  private open(): OpenStream {
    if (this.current) return this.current;
    const s = this.client.multiplex(this.metadata());
    const pending = new Map<number, Pending>();
    const open = { stream: s, pending };
    this.current = open;
    s.on("data", (m: MultiplexResponse) => {
      const p = pending.get(m.id);
      if (!p) return; // timed out already
      pending.delete(m.id);
      clearTimeout(p.timer);
      if (m.code === Code.OK) p.resolve(ResourceServiceService[p.method].responseDeserialize(m.response as Buffer));
      else p.reject(serviceError(m.code, m.details, m.statusJson));
    });
    let broken = false;
    const fail = (err: ServiceError) => {
      if (broken) return;
      broken = true;
      if (this.current === open) this.current = undefined;
      for (const p of pending.values()) {
        clearTimeout(p.timer);
        p.reject(err);
      }
      pending.clear();
    };
    s.on("error", (err: ServiceError) => {
      // A refusal of the stream itself (no certificate) carries its Status: the calls fail with it.
      if (err.metadata?.get(STATUS_TRAILER).length) return fail(err);
      // No such method, and no Status from Skiff's handlers: an older apiserver; calls go unary.
      if (err.code === Code.UNIMPLEMENTED) {
        this.supported = false;
        return fail(err);
      }
      // Otherwise the transport broke (or the stream was cancelled): as for a unary call cut off,
      // the calls are unavailable here and the client tries another apiserver.
      fail(serviceError(Code.UNAVAILABLE, `call stream broken: ${err.details || err.message}`));
    });
    s.on("end", () => fail(serviceError(Code.UNAVAILABLE, "the apiserver ended the call stream")));
    return open;
  }
}
