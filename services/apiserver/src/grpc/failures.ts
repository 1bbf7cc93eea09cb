// How the gRPC handlers (the unary calls and the calls on the Multiplex stream) log a failure.
import type { Logger } from "@skiff/log";
import { ApiError } from "@skiff/api";

/** Logs a failed call that is not a typed API error the client is meant to get (those are answers, not faults). */
export function logFailure(log: Logger, method: string, err: unknown): void {
  if (!(err instanceof ApiError) || err.reason === "InternalError") log.error({ err, method }, "request failed");
}
