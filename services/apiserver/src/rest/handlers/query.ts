// Query parameters and DeleteOptions of resource requests.
import type { IncomingMessage } from "node:http";
import { BadRequestError } from "@skiff/api";
import { defaultManager } from "../patch/index.js";
import type { DeleteOptions, ListOptions } from "../../registry/registry.js";

/** A boolean query flag ("true"/"1"). */
export function flag(q: URLSearchParams, name: string): boolean {
  const v = q.get(name);
  return v === "true" || v === "1";
}

/** An optional integer query parameter; BadRequest when malformed. */
export function intParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === "") return undefined;
  if (!/^-?\d+$/.test(v)) throw new BadRequestError(`invalid value for ${name}: ${JSON.stringify(v)}`);
  return Number(v);
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
    namespace, labelSelector: q.get("labelSelector") ?? undefined, fieldSelector: q.get("fieldSelector") ?? undefined,
    limit: intParam(q, "limit"), continueToken: q.get("continue") ?? undefined,
  };
}

/** DeleteOptions from a (possibly empty) body and the query. */
export function deleteOptions(body: Record<string, unknown> | undefined, q: URLSearchParams): DeleteOptions & { dryRun: boolean } {
  const b = (body ?? {}) as { gracePeriodSeconds?: number; propagationPolicy?: string; orphanDependents?: boolean; preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: string[] };
  const grace = b.gracePeriodSeconds ?? intParam(q, "gracePeriodSeconds");
  let policy = b.propagationPolicy ?? q.get("propagationPolicy") ?? undefined;
  if (!policy && (b.orphanDependents === true || q.get("orphanDependents") === "true")) policy = "Orphan";
  if (policy && !["Background", "Foreground", "Orphan"].includes(policy)) throw new BadRequestError(`propagationPolicy: Unsupported value: ${JSON.stringify(policy)}`);
  return {
    gracePeriodSeconds: grace ?? undefined, propagationPolicy: policy,
    preconditionUid: b.preconditions?.uid, preconditionResourceVersion: b.preconditions?.resourceVersion,
    dryRun: (b.dryRun?.length ?? 0) > 0 || isDryRun(q),
  };
}

/** The field manager of a write: the fieldManager parameter, else the client's program. */
export function managerOf(req: IncomingMessage, q: URLSearchParams): string {
  return q.get("fieldManager") || defaultManager(req.headers["user-agent"]);
}
