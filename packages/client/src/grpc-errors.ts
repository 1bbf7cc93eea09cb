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

/** The parts of a failed call: its gRPC code and message, and the Kubernetes Status as JSON. */
export function errorParts(err: unknown): { code: Code; details: string; statusJson: string } {
  const apiErr =
    err instanceof ApiError ? err : new ApiError("InternalError", "Internal error occurred: " + (err instanceof Error ? err.message : String(err)));
  return { code: reasonToCode[apiErr.reason] ?? Code.INTERNAL, details: apiErr.message, statusJson: JSON.stringify(apiErr.toStatus()) };
}

/** Converts any error into a gRPC error carrying a Kubernetes Status. */
export function toGrpcError(err: unknown): Partial<ServiceError> {
  const { code, details, statusJson } = errorParts(err);
  const md = new Metadata();
  md.set(STATUS_TRAILER, Buffer.from(statusJson));
  return { code, details, metadata: md };
}

/** A gRPC error as a unary call would have ended with it (a multiplexed call's failure, rebuilt). */
export function serviceError(code: Code, details: string, statusJson = ""): ServiceError {
  const metadata = new Metadata();
  if (statusJson) metadata.set(STATUS_TRAILER, Buffer.from(statusJson));
  return Object.assign(new Error(`${code} ${Code[code] ?? ""}: ${details}`), { code, details, metadata });
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
