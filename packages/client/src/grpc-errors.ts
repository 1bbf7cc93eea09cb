// The one mapping between typed API errors and gRPC statuses, used by the apiserver (to send)
// and the client (to rebuild the typed error). The Kubernetes Status travels in a trailer.
import { Metadata, status as Code, type ServiceError } from "@grpc/grpc-js";
import type { Status, Reason } from "@skiff/api";
import { ApiError, errorFromStatus, UnavailableError } from "@skiff/api/errors";

export const STATUS_TRAILER = "skiff-status-bin";

const reasonToCode: Record<Reason, Code> = {
  NotFound: Code.NOT_FOUND,
  AlreadyExists: Code.ALREADY_EXISTS,
  Conflict: Code.ABORTED,
  Invalid: Code.INVALID_ARGUMENT,
  BadRequest: Code.INVALID_ARGUMENT,
  Forbidden: Code.PERMISSION_DENIED,
  Unauthorized: Code.UNAUTHENTICATED,
  Gone: Code.OUT_OF_RANGE,
  Expired: Code.OUT_OF_RANGE,
  Unavailable: Code.UNAVAILABLE,
  MethodNotAllowed: Code.UNIMPLEMENTED,
  InternalError: Code.INTERNAL,
  RequestEntityTooLarge: Code.RESOURCE_EXHAUSTED,
  TooManyRequests: Code.RESOURCE_EXHAUSTED,
  Timeout: Code.DEADLINE_EXCEEDED,
};

/** Converts any error into a gRPC error carrying a Kubernetes Status. */
export function toGrpcError(err: unknown): Partial<ServiceError> {
  const apiErr =
    err instanceof ApiError ? err : new ApiError("InternalError", "Internal error occurred: " + (err instanceof Error ? err.message : String(err)));
  const md = new Metadata();
  md.set(STATUS_TRAILER, Buffer.from(JSON.stringify(apiErr.toStatus())));
  return { code: reasonToCode[apiErr.reason] ?? Code.INTERNAL, details: apiErr.message, metadata: md };
}

/** Rebuilds the typed error from a gRPC failure (transport failures become Unavailable). */
export function fromGrpcError(err: ServiceError): ApiError {
  const raw = err.metadata?.get(STATUS_TRAILER)?.[0];
  if (raw) {
    try {
      return errorFromStatus(JSON.parse(Buffer.isBuffer(raw) ? raw.toString("utf8") : String(raw)) as Status);
    } catch {
      // fall through: a malformed trailer is treated like a transport failure
    }
  }
  if (err.code === Code.UNAVAILABLE || err.code === Code.DEADLINE_EXCEEDED || err.code === Code.CANCELLED) {
    return new UnavailableError(`apiserver unavailable: ${err.details || err.message}`);
  }
  return new ApiError("InternalError", err.details || err.message);
}
