// Typed API errors: one class per failure a user can act on, mapped once at each edge
// (gRPC status + Status JSON in trailers; HTTP code + Status body for the REST API).
import type { Status } from "./types.js";

export type Reason =
  | "NotFound"
  | "AlreadyExists"
  | "Conflict"
  | "Invalid"
  | "Forbidden"
  | "Unauthorized"
  | "Gone"
  | "Unavailable"
  | "BadRequest"
  | "MethodNotAllowed"
  | "InternalError"
  | "Expired"
  | "RequestEntityTooLarge"
  | "TooManyRequests"
  | "Timeout";

/** A validation failure at one field path. */
export interface FieldError {
  field: string;
  /** Kubernetes cause type: FieldValueRequired, FieldValueInvalid, FieldValueNotSupported, … */
  type: "FieldValueRequired" | "FieldValueInvalid" | "FieldValueNotSupported" | "FieldValueDuplicate" | "FieldValueForbidden" | "FieldValueTooLong";
  message: string;
}

const codes: Record<Reason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Invalid: 422,
  Forbidden: 403,
  Unauthorized: 401,
  Gone: 410,
  Expired: 410,
  Unavailable: 503,
  BadRequest: 400,
  MethodNotAllowed: 405,
  InternalError: 500,
  RequestEntityTooLarge: 413,
  TooManyRequests: 429,
  Timeout: 504,
};

/** Base of every error an API user can act on. */
export class ApiError extends Error {
  readonly reason: Reason;
  readonly code: number;
  readonly details?: Status["details"];
  constructor(reason: Reason, message: string, details?: Status["details"]) {
    super(message);
    this.name = `${reason}Error`;
    this.reason = reason;
    this.code = codes[reason];
    this.details = details;
  }
  toStatus(): Status {
    return {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: this.message,
      reason: this.reason === "Unavailable" ? "ServiceUnavailable" : this.reason,
      details: this.details,
      code: this.code,
    };
  }
}

export class NotFoundError extends ApiError {
  constructor(resource: string, name: string) {
    super("NotFound", `${resource} "${name}" not found`, { name, kind: resource });
  }
}
export class AlreadyExistsError extends ApiError {
  constructor(resource: string, name: string) {
    super("AlreadyExists", `${resource} "${name}" already exists`, { name, kind: resource });
  }
}
export class ConflictError extends ApiError {
  constructor(resource: string, name: string, why = "the object has been modified; please apply your changes to the latest version and try again") {
    super("Conflict", `Operation cannot be fulfilled on ${resource} "${name}": ${why}`, { name, kind: resource });
  }
}
export class InvalidError extends ApiError {
  readonly fieldErrors: FieldError[];
  constructor(kind: string, name: string, errs: FieldError[]) {
    const list = errs.map((e) => `${e.field}: ${e.message}`);
    const msg = list.length === 1 ? list[0] : `[${list.join(", ")}]`;
    super("Invalid", `${kind} "${name}" is invalid: ${msg}`, {
      name,
      kind,
      causes: errs.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
    });
    this.fieldErrors = errs;
  }
}
export class BadRequestError extends ApiError {
  constructor(message: string) {
    super("BadRequest", message);
  }
}
export class ForbiddenError extends ApiError {
  constructor(message: string, details?: Status["details"]) {
    super("Forbidden", message, details);
  }
}
export class UnauthorizedError extends ApiError {
  constructor(message = "Unauthorized") {
    super("Unauthorized", message);
  }
}
export class GoneError extends ApiError {
  constructor(message: string) {
    super("Expired", message);
  }
}
export class UnavailableError extends ApiError {
  constructor(message: string) {
    super("Unavailable", message);
  }
}
export class MethodNotAllowedError extends ApiError {
  constructor(message: string) {
    super("MethodNotAllowed", message);
  }
}
/** A request body over the apiserver's limit (HTTP 413, as Kubernetes' "Request entity too large"). */
export class RequestEntityTooLargeError extends ApiError {
  constructor(message: string) {
    super("RequestEntityTooLarge", message);
  }
}
/** The apiserver sheds load (HTTP 429 with Retry-After, as Kubernetes' API Priority and Fairness). */
export class TooManyRequestsError extends ApiError {
  constructor(
    message: string,
    readonly retryAfterSeconds = 1,
    details?: Status["details"],
  ) {
    super("TooManyRequests", message, { ...details, retryAfterSeconds });
  }
}
/** The request did not finish within the apiserver's request timeout (HTTP 504). */
export class TimeoutError extends ApiError {
  constructor(message: string) {
    super("Timeout", message);
  }
}
export class InternalError extends ApiError {
  constructor(message: string) {
    super("InternalError", message);
  }
}

const is =
  (reason: Reason | Reason[]) =>
  (err: unknown): boolean =>
    err instanceof ApiError && (Array.isArray(reason) ? reason.includes(err.reason) : err.reason === reason);

export const isNotFound = is("NotFound");
export const isAlreadyExists = is("AlreadyExists");
export const isConflict = is("Conflict");
export const isInvalid = is("Invalid");
export const isGone = is(["Gone", "Expired"]);
export const isUnavailable = is("Unavailable");
export const isForbidden = is("Forbidden");

/** Rebuilds a typed error from a Status (e.g. received over gRPC or HTTP). */
export function errorFromStatus(s: Status): ApiError {
  const reason = (s.reason === "ServiceUnavailable" ? "Unavailable" : s.reason) as Reason;
  const err = new ApiError(codes[reason] ? reason : "InternalError", s.message, s.details);
  return err;
}

/** Field error helpers, named after Kubernetes' field.Required / field.Invalid / … */
export const field = {
  required: (path: string, detail = ""): FieldError => ({
    field: path,
    type: "FieldValueRequired",
    message: detail ? `Required value: ${detail}` : "Required value",
  }),
  invalid: (path: string, value: unknown, detail: string): FieldError => ({
    field: path,
    type: "FieldValueInvalid",
    message: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
  }),
  notSupported: (path: string, value: unknown, allowed: string[]): FieldError => ({
    field: path,
    type: "FieldValueNotSupported",
    message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(", ")}`,
  }),
  duplicate: (path: string, value: unknown): FieldError => ({ field: path, type: "FieldValueDuplicate", message: `Duplicate value: ${JSON.stringify(value)}` }),
  forbidden: (path: string, detail: string): FieldError => ({ field: path, type: "FieldValueForbidden", message: `Forbidden: ${detail}` }),
};
