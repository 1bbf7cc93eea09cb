// Query parameters and DeleteOptions of resource requests.
import type { IncomingMessage } from "node:http";
import { BadRequestError } from "@skiff/api";
import { defaultManager } from "../patch/index.js";
import type { DeleteOptions, ListOptions } from "../../registry/registry.js";

/**
 * A boolean query parameter, read as Kubernetes reads them (apimachinery's
 * Convert_Slice_string_To_bool): absent, "0" or "false" in any case is false; any other value,
 * the empty one included, is true. So `watch=True`, `watch=1`, `stdout=TRUE` all mean true, and a
 * boolean parameter is never malformed.
 */
export function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  if (v === null) return false;
  return !(v === "0" || v.toLowerCase() === "false");
}

/**
 * An optional integer query parameter, read as Go's strconv.ParseInt(v, 10, 64) (an optional
 * sign, decimal digits, no spaces); absent → undefined, anything else malformed → 400 naming it.
 */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  const n = /^[+-]?\d+$/.test(v) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) {
    throw new BadRequestError(
      `invalid value for query parameter ${JSON.stringify(name)}: strconv.ParseInt: parsing ${JSON.stringify(v)}: ${Number.isNaN(n) ? "invalid syntax" : "value out of range"}`,
    );
  }
  return n;
}

/** Whether the request is a dry run (dryRun=All). */
export function isDryRun(q: URLSearchParams): boolean {
  const v = q.getAll("dryRun");
  for (const d of v) if (d !== "All") throw new BadRequestError(`unsupported dryRun value ${JSON.stringify(d)}: only All is supported`);
  return v.length > 0;
}

/** List options from the query. */
export function listOptions(q: URLSearchParams, namespace: string | undefined): ListOptions {
  return {
    namespace,
    labelSelector: q.get("labelSelector") ?? undefined,
    fieldSelector: q.get("fieldSelector") ?? undefined,
    limit: intParam(q, "limit"),
    continueToken: continueToken(q),
  };
}

/**
 * The continue token of a list, checked before it reaches the registry: a token Skiff did not
 * issue is a 400 (as Kubernetes' "continue key is not valid"), never an empty page.
 */
export function continueToken(q: URLSearchParams): string | undefined {
  const t = q.get("continue");
  if (t === null || t === "") return undefined;
  let k: unknown;
  try {
    if (!/^[A-Za-z0-9_-]+={0,2}$/.test(t)) throw new Error("not base64url");
    k = (JSON.parse(Buffer.from(t, "base64url").toString("utf8")) as { k?: unknown })?.k;
  } catch {
    k = undefined;
  }
  if (typeof k !== "string" || k === "")
    throw new BadRequestError(
      `invalid value for query parameter "continue": the continue token is not valid (use the metadata.continue of a previous list of the same resource)`,
    );
  const rv = q.get("resourceVersion");
  if (rv && rv !== "0") throw new BadRequestError(`specifying resource version is not allowed when using continue`);
  return t;
}

/** DeleteOptions from a (possibly empty) body and the query. */
export function deleteOptions(body: Record<string, unknown> | undefined, q: URLSearchParams): DeleteOptions & { dryRun: boolean } {
  const b = (body ?? {}) as {
    gracePeriodSeconds?: number;
    propagationPolicy?: string;
    orphanDependents?: boolean;
    preconditions?: { uid?: string; resourceVersion?: string };
    dryRun?: string[];
  };
  const grace = b.gracePeriodSeconds ?? intParam(q, "gracePeriodSeconds");
  let policy = b.propagationPolicy ?? q.get("propagationPolicy") ?? undefined;
  if (!policy && (b.orphanDependents === true || flag(q, "orphanDependents"))) policy = "Orphan";
  if (policy && !["Background", "Foreground", "Orphan"].includes(policy))
    throw new BadRequestError(`propagationPolicy: Unsupported value: ${JSON.stringify(policy)}`);
  return {
    gracePeriodSeconds: grace ?? undefined,
    propagationPolicy: policy,
    preconditionUid: b.preconditions?.uid,
    preconditionResourceVersion: b.preconditions?.resourceVersion,
    dryRun: (b.dryRun?.length ?? 0) > 0 || isDryRun(q),
  };
}

/** The field manager of a write: the fieldManager parameter, else the client's program. */
export function managerOf(req: IncomingMessage, q: URLSearchParams): string {
  return q.get("fieldManager") || defaultManager(req.headers["user-agent"]);
}
