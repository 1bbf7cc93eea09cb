// A server interceptor that lets a call through only once its peer certificate's identity
// passes an async check on (method, identity, first request message); otherwise the call ends
// with PERMISSION_DENIED (or the typed error the check threw) before any handler runs.
import { ServerInterceptingCall, status as Code, type Metadata, type ServerInterceptor } from "@grpc/grpc-js";
import { ApiError } from "@skiff/api/errors";
import { toGrpcError } from "../grpc-errors.js";
import { identityOfCall } from "./grpc.js";
import type { Identity } from "./pki.js";

/** Decides on a call: resolves to let it run, throws (typed API error) to refuse it. */
export type CallCheck = (method: string, id: Identity | undefined, request: unknown) => Promise<void> | void;

/** Builds the interceptor; `checkOnMessage` = false checks at metadata time (request unseen). */
export function authorizingInterceptor(
  check: CallCheck,
  opts: { checkOnMessage?: boolean; onDenied?: (method: string, id: Identity | undefined, err: unknown) => void } = {},
): ServerInterceptor {
  return (method, call) => {
    const name = method.path.slice(method.path.lastIndexOf("/") + 1);
    const id = identityOfCall(call);
    let decided = false;
    let denied = false;
    const deny = (err: unknown) => {
      denied = true;
      opts.onDenied?.(name, id, err);
      const e = err instanceof ApiError ? toGrpcError(err) : { code: Code.PERMISSION_DENIED, details: (err as Error).message, metadata: undefined };
      call.sendStatus({ code: e.code ?? Code.PERMISSION_DENIED, details: e.details ?? "forbidden", metadata: (e as { metadata?: Metadata }).metadata });
    };
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (md, nextMd) => {
            if (opts.checkOnMessage !== false) return nextMd(md);
            Promise.resolve()
              .then(() => check(name, id, undefined))
              .then(() => {
                decided = true;
                nextMd(md);
              }, deny);
          },
          onReceiveMessage: (msg, nextMsg) => {
            if (denied) return;
            if (decided || opts.checkOnMessage === false) return nextMsg(msg);
            // The first message decides (a streaming call's later frames follow it).
            Promise.resolve()
              .then(() => check(name, id, msg))
              .then(() => {
                decided = true;
                nextMsg(msg);
              }, deny);
          },
          onReceiveHalfClose: (next) => {
            if (!denied) next();
          },
        }),
    });
  };
}
