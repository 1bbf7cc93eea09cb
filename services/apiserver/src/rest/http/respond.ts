// Writing responses: JSON bodies, errors as Kubernetes Status objects (the one mapping of
// typed errors to HTTP), and reading request bodies.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Logger } from "@skiff/log";
import { ApiError, BadRequestError, InternalError, RequestEntityTooLargeError, type Status } from "@skiff/api";

/** Largest request body accepted: Kubernetes' MaxRequestBodyBytes (3 MiB); more is a 413. */
export const maxRequestBodyBytes = 3 * 1024 * 1024;
/** Past this much an oversized body is no longer drained (the connection is dropped after the 413). */
const maxDrainBytes = 64 * 1024 * 1024;

/** Sends a JSON body with a status code. */
export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = "application/json", headers: Record<string, string> = {}): void {
  const data = Buffer.from(JSON.stringify(body));
  res.writeHead(code, { "Content-Type": contentType, "Content-Length": data.length, "Cache-Control": "no-cache, private", ...headers });
  res.end(data);
}

/** Turns any error into a Status (non-API errors become 500 InternalError). */
export function statusOf(err: unknown, log?: Logger): Status {
  if (err instanceof ApiError) {
    if (err.reason === "InternalError") log?.error({ err }, "request failed");
    return err.toStatus();
  }
  log?.error({ err }, "request failed");
  return new InternalError(`Internal error occurred: ${err instanceof Error ? err.message : String(err)}`).toStatus();
}

/** Sends an error as a Status with its HTTP code. */
export function sendError(res: ServerResponse, err: unknown, log?: Logger): void {
  const st = statusOf(err, log);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // 429s say when to come back, as Kubernetes' (clients such as client-go honour Retry-After).
  const retry = st.details?.retryAfterSeconds;
  sendJson(res, st.code ?? 500, st, "application/json", retry ? { "Retry-After": String(retry) } : {});
}

/** A Status of success (e.g. for bindings and evictions). */
export function successStatus(code = 201, details?: Status["details"]): Status {
  return { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", message: "", reason: "", code, ...(details ? { details } : {}) } as Status;
}

/**
 * Reads the whole request body. Over maxRequestBodyBytes the rest is read and dropped (so the
 * client, still sending, reads the 413 instead of a reset connection) and a 413 is thrown.
 */
export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const tooLarge = () => new RequestEntityTooLargeError(`Request entity too large: limit is ${maxRequestBodyBytes}`);
  const declared = Number(req.headers["content-length"] ?? 0);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > maxDrainBytes || declared > maxDrainBytes) {
      req.socket.destroySoon?.();
      throw tooLarge();
    }
    if (size <= maxRequestBodyBytes) chunks.push(c as Buffer);
  }
  if (size > maxRequestBodyBytes) throw tooLarge();
  return Buffer.concat(chunks);
}

/** Parses a JSON body (an object), or fails with BadRequest. */
export function parseJsonObject(body: Buffer, what = "body"): Record<string, unknown> {
  try {
    const o = JSON.parse(body.toString("utf8"));
    if (!o || typeof o !== "object" || Array.isArray(o)) throw new Error("not a JSON object");
    return o;
  } catch (err) {
    throw new BadRequestError(`the ${what} is not a valid JSON object: ${(err as Error).message}`);
  }
}

/** Adds a Warning header (kubectl prints each as "Warning: …"), keeping earlier ones. */
export function addWarning(res: ServerResponse, message: string): void {
  const prev = res.getHeader("Warning");
  const list = Array.isArray(prev) ? prev.map(String) : prev !== undefined ? [String(prev)] : [];
  res.setHeader("Warning", [...list, `299 - ${JSON.stringify(message)}`]);
}
