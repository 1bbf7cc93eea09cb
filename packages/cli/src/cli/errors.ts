// Errors printed the way kubectl prints them (cmdutil.CheckErr): server errors as
// `Error from server (Reason): message`, validation failures as `The Kind "name" is invalid: …`.
import { UsageError } from "./args.js";

/** The fields of a typed API error (ApiError from @skiff/api) this module reads. */
export interface ApiErrorLike {
  reason: string;
  message: string;
  code?: number;
  details?: { name?: string; kind?: string; causes?: { reason?: string; message: string; field: string }[] };
}

/** A failure of the CLI itself (bad file, unknown kind…), printed as `error: …`. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** Whether `err` is a typed API error (duck-typed: copies of @skiff/api may differ). */
export function isApiError(err: unknown): err is ApiErrorLike {
  return err instanceof Error && typeof (err as { reason?: unknown }).reason === "string";
}

/** The reason of an API error, or undefined for any other error. */
export function reasonOf(err: unknown): string | undefined {
  return isApiError(err) ? err.reason : undefined;
}

/** An API error whose message names the file it came from (kubectl's AddSourceToErr). */
export class SourcedError extends Error implements ApiErrorLike {
  readonly reason: string;
  readonly code?: number;
  readonly details?: ApiErrorLike["details"];
  constructor(err: ApiErrorLike, verb: string, source: string) {
    super(`error when ${verb} "${source}": ${err.message}`);
    this.reason = err.reason;
    this.code = err.code;
    this.details = err.details;
  }
}

/** Adds "error when creating "file": " to API errors about objects read from a file. */
export function withSource(err: unknown, verb: string, source: string | undefined): unknown {
  // A cluster that cannot be reached is not about the file: keep the connection message.
  if (!source || !isApiError(err) || err.reason === "Unavailable") return err;
  return new SourcedError(err, verb, source);
}

/** Where the CLI was connecting, for the "connection refused" message. */
export interface ErrorContext {
  server?: string;
}

/** Formats any error as kubectl would print it; the result ends with "\n". */
export function formatError(err: unknown, ctx: ErrorContext = {}): string {
  if (err instanceof UsageError || err instanceof CliError) return `error: ${err.message}\n`;
  if (isApiError(err)) return formatApiError(err, ctx);
  return `error: ${err instanceof Error ? err.message : String(err)}\n`;
}

function formatApiError(err: ApiErrorLike, ctx: ErrorContext): string {
  const d = err.details;
  switch (err.reason) {
    case "Invalid": {
      if (!d) return `The request is invalid: ${err.message}\n`;
      const prefix = d.kind || d.name ? `The ${d.kind ?? ""} "${d.name ?? ""}" is invalid` : "The request is invalid";
      // kubectl drops repeated causes and lists several on their own lines.
      const causes = [...new Set((d.causes ?? []).map((c) => (c.field ? `${c.field}: ${c.message}` : c.message)))];
      if (causes.length === 0) return `${prefix}\n`;
      if (causes.length === 1) return `${prefix}: ${causes[0]}\n`;
      return `${prefix}: \n${causes.map((c) => `* ${c}\n`).join("")}`;
    }
    case "Unauthorized":
      return `error: You must be logged in to the server (${err.message})\n`;
    case "Unavailable":
      // The client reports transport failures this way: no apiserver answered at all.
      if (/^apiserver unavailable/.test(err.message)) {
        return `The connection to the server ${ctx.server ?? "apiserver"} was refused - did you specify the right host or port?\n`;
      }
      return `Error from server (ServiceUnavailable): ${err.message}\n`;
    default:
      return `Error from server (${err.reason}): ${err.message}\n`;
  }
}
