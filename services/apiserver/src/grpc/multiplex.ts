// ResourceService.Multiplex: the unary calls a client sends on one stream (see the client's
// multiplex.ts for why). Each call is decoded, authorized and answered exactly as its unary
// method would be — the same check as the interceptor's, the same handler, the same Status on
// failure — and counted in the gRPC metrics under its own method. Calls run concurrently and are
// answered as they finish.
import { status as Code, type ServerDuplexStream } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import { ApiError, ForbiddenError, MethodNotAllowedError, UnavailableError } from "@skiff/api";
import { errorParts, identityOfCall, MULTIPLEXED, protoMethod, type CallCheck, type Identity, type MultiplexedMethod } from "@skiff/client";
import { ResourceServiceService, type MultiplexRequest, type MultiplexResponse } from "@skiff/proto";
import { observeGrpcCall } from "../instrumentation/metrics.js";
import { logFailure } from "./failures.js";

const SERVICE = "skiff.resource.v1.ResourceService";

/** Proto method name → client method name, for the methods a stream may carry. */
const byProtoName = new Map<string, MultiplexedMethod>(MULTIPLEXED.map((m) => [protoMethod(m), m]));

export interface MultiplexOptions {
  /** Decides each call as the interceptor decides a unary one (absent: every call allowed, as with no interceptor). */
  authorization?: { check: CallCheck; onDenied(method: string, id: Identity | undefined, err: unknown): void };
  /** Open streams register how to end them here, so that a stopping apiserver can end them. */
  watches?: Set<(err: Error) => void>;
}

// biome-ignore lint/suspicious/noExplicitAny: each handler takes its own method's request type.
type Handlers = Record<MultiplexedMethod, (req: any) => Promise<object>>;

/** The Multiplex handler over the unary handlers. */
export function multiplexHandler(handlers: Handlers, log: Logger, opts: MultiplexOptions) {
  return (call: ServerDuplexStream<MultiplexRequest, MultiplexResponse>) => {
    const id = opts.authorization ? identityOfCall(call) : undefined;
    let inFlight = 0;
    let closing = false;
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      opts.watches?.delete(stop);
      call.end();
    };
    // A stopping apiserver answers what it has taken, then ends the stream; the client sends what
    // comes next to another apiserver (a call refused here was never run).
    const stop = () => {
      closing = true;
      if (inFlight === 0) end();
    };
    opts.watches?.add(stop);
    const answer = (m: MultiplexResponse) => {
      if (!ended) call.write(m);
    };
    const fail = (reqId: number, method: string, start: number, err: unknown) => {
      const { code, details, statusJson } = errorParts(err);
      logFailure(log, method, err);
      observeGrpcCall(SERVICE, method, code, start);
      answer({ id: reqId, response: Buffer.alloc(0), code, details, statusJson });
    };
    call.on("data", (m: MultiplexRequest) => {
      const start = performance.now();
      const method = byProtoName.get(m.method);
      // Refusals answer with a Status and are counted like any failed call; a method name no
      // stream may carry is counted as "unknown" (a client's strings never become metric labels).
      if (!method) {
        fail(m.id, "unknown", start, new MethodNotAllowedError(`method ${JSON.stringify(m.method)} cannot be multiplexed`));
        return;
      }
      // UNAVAILABLE: the client sends the call to another apiserver (it was never run here).
      if (closing) {
        fail(m.id, m.method, start, new UnavailableError("the apiserver is shutting down"));
        return;
      }
      inFlight++;
      Promise.resolve()
        .then(async () => {
          const req = ResourceServiceService[method].requestDeserialize(m.request as Buffer);
          if (opts.authorization) {
            try {
              await opts.authorization.check(m.method, id, req);
            } catch (err) {
              opts.authorization.onDenied(m.method, id, err);
              throw err instanceof ApiError ? err : new ForbiddenError((err as Error).message);
            }
          }
          return (ResourceServiceService[method].responseSerialize as (r: object) => Buffer)(await handlers[method](req));
        })
        .then(
          (response) => {
            observeGrpcCall(SERVICE, m.method, Code.OK, start);
            answer({ id: m.id, response, code: Code.OK, details: "", statusJson: "" });
          },
          (err) => fail(m.id, m.method, start, err),
        )
        .finally(() => {
          inFlight--;
          if (closing && inFlight === 0) end();
        });
    });
    // The client is done sending: answer what is in flight, then end.
    call.on("end", stop);
    const gone = () => {
      ended = true;
      opts.watches?.delete(stop);
    };
    call.on("cancelled", gone);
    call.on("error", gone);
  };
}
