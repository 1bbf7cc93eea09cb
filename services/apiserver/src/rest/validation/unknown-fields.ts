// Server-side field validation (?fieldValidation=Strict|Warn|Ignore): fields of a request body
// that the kind's schema (@skiff/api schema/, the source of the OpenAPI documents) does not
// know. Free-form parts (free objects, opaque structs) accept anything; maps check their values.
import type { ServerResponse } from "node:http";
import { BadRequestError, jsonFields, schemaOf, type ResourceInfo, type TypeExpr } from "@skiff/api";

/** What to do with unknown fields. */
export type FieldValidation = "Strict" | "Warn" | "Ignore";

/** Reads ?fieldValidation (Kubernetes' default when absent is Warn). */
export function fieldValidationOf(q: URLSearchParams): FieldValidation {
  const v = q.get("fieldValidation");
  if (v === null || v === "") return "Warn";
  const known: FieldValidation[] = ["Strict", "Warn", "Ignore"];
  const match = known.find((k) => k.toLowerCase() === v.toLowerCase());
  if (!match) throw new BadRequestError(`fieldValidation: Unsupported value: ${JSON.stringify(v)}: supported values: "Ignore", "Strict", "Warn"`);
  return match;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

function walk(t: TypeExpr, v: unknown, path: string, patch: boolean, out: string[]): void {
  if (v === null || v === undefined || t.kind === "free" || (t.kind === "struct" && t.openapi === "opaque")) return;
  if (Array.isArray(v)) {
    if (t.kind === "list")
      v.forEach((item, i) => {
        walk(t.item, item, `${path}[${i}]`, patch, out);
      });
    return;
  }
  if (!isObject(v)) return;
  if (t.kind === "map") {
    for (const [k, child] of Object.entries(v)) walk(t.value, child, path ? `${path}.${k}` : k, patch, out);
    return;
  }
  if (t.kind !== "struct") return;
  const fields = jsonFields(t);
  for (const [k, child] of Object.entries(v)) {
    // Strategic merge patches carry directives ($patch, $setElementOrder/…, $retainKeys).
    if (patch && k.startsWith("$")) continue;
    const p = path ? `${path}.${k}` : k;
    if (fields[k]) walk(fields[k].type, child, p, patch, out);
    else out.push(p);
  }
}

/**
 * The unknown fields of a body (an object, or a merge/strategic/apply patch of one) of a
 * resource, as dotted paths with list indexes ("spec.template.spec.containers[0].imagez").
 */
export function unknownFields(_resources: ResourceInfo[], info: ResourceInfo, body: unknown, opts: { patch?: boolean } = {}): string[] {
  const out: string[] = [];
  walk(schemaOf(info), body, "", !!opts.patch, out);
  return out;
}

/**
 * Applies a fieldValidation mode to a body: Strict fails with Kubernetes' strict decoding
 * error, Warn adds one Warning header per field (kubectl prints them), Ignore does nothing.
 */
export function enforceFieldValidation(
  mode: FieldValidation,
  res: ServerResponse,
  resources: ResourceInfo[],
  info: ResourceInfo,
  body: unknown,
  opts: { patch?: boolean; except?: string[] } = {},
): void {
  if (mode === "Ignore") return;
  const unknown = unknownFields(resources, info, body, opts).filter((f) => !opts.except?.includes(f));
  if (!unknown.length) return;
  const list = unknown.map((f) => `unknown field ${JSON.stringify(f)}`);
  if (mode === "Strict") {
    throw new BadRequestError(
      `${info.kind} in version ${JSON.stringify(info.version)} cannot be handled as a ${info.kind}: strict decoding error: ${list.join(", ")}`,
    );
  }
  res.setHeader(
    "Warning",
    list.map((w) => `299 - ${JSON.stringify(w)}`),
  );
}
