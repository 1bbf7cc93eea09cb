// Server-side field validation (?fieldValidation=Strict|Warn|Ignore): fields of a request body
// that the kind's OpenAPI schema (openapi/schemas.ts) does not know. Free-form parts of a schema
// (x-kubernetes-preserve-unknown-fields, maps) accept anything.
import type { ServerResponse } from "node:http";
import { BadRequestError, type ResourceInfo } from "@skiff/api";
import { definitionName, definitions, type Schema } from "../openapi/schemas.js";

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

const cache = new WeakMap<ResourceInfo[], Record<string, Schema>>();

function defsFor(resources: ResourceInfo[]): Record<string, Schema> {
  let d = cache.get(resources);
  if (!d) cache.set(resources, (d = definitions(resources)));
  return d;
}

/** Follows $ref (written "#REF/<name>" in schemas.ts) and single-element allOf wrappers. */
function resolve(s: Schema | undefined, defs: Record<string, Schema>): Schema | undefined {
  for (let i = 0; s && i < 20; i++) {
    if (typeof s.$ref === "string") s = defs[(s.$ref as string).replace(/^#REF\//, "")];
    else if (Array.isArray(s.allOf) && s.allOf.length === 1) s = s.allOf[0] as Schema;
    else return s;
  }
  return s;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);

function walk(s: Schema | undefined, v: unknown, path: string, defs: Record<string, Schema>, patch: boolean, out: string[]): void {
  const schema = resolve(s, defs);
  if (!schema || v === null || v === undefined || schema["x-kubernetes-preserve-unknown-fields"]) return;
  if (Array.isArray(v)) {
    if (schema.type === "array") v.forEach((item, i) => walk(schema.items as Schema, item, `${path}[${i}]`, defs, patch, out));
    return;
  }
  if (!isObject(v) || schema.type !== "object") return;
  const props = schema.properties as Record<string, Schema> | undefined;
  const extra = schema.additionalProperties as Schema | boolean | undefined;
  for (const [k, child] of Object.entries(v)) {
    // Strategic merge patches carry directives ($patch, $setElementOrder/…, $retainKeys).
    if (patch && k.startsWith("$")) continue;
    const p = path ? `${path}.${k}` : k;
    if (props?.[k]) walk(props[k], child, p, defs, patch, out);
    else if (isObject(extra)) walk(extra, child, p, defs, patch, out);
    else if (extra !== true && props) out.push(p);
  }
}

/**
 * The unknown fields of a body (an object, or a merge/strategic/apply patch of one) of a
 * resource, as dotted paths with list indexes ("spec.template.spec.containers[0].imagez").
 */
export function unknownFields(resources: ResourceInfo[], info: ResourceInfo, body: unknown, opts: { patch?: boolean } = {}): string[] {
  const defs = defsFor(resources);
  const out: string[] = [];
  walk(defs[definitionName(info)], body, "", defs, !!opts.patch, out);
  return out;
}

/**
 * Applies a fieldValidation mode to a body: Strict fails with Kubernetes' strict decoding
 * error, Warn adds one Warning header per field (kubectl prints them), Ignore does nothing.
 */
export function enforceFieldValidation(mode: FieldValidation, res: ServerResponse, resources: ResourceInfo[], info: ResourceInfo, body: unknown, opts: { patch?: boolean; except?: string[] } = {}): void {
  if (mode === "Ignore") return;
  const unknown = unknownFields(resources, info, body, opts).filter((f) => !opts.except?.includes(f));
  if (!unknown.length) return;
  const list = unknown.map((f) => `unknown field ${JSON.stringify(f)}`);
  if (mode === "Strict") {
    throw new BadRequestError(`${info.kind} in version ${JSON.stringify(info.version)} cannot be handled as a ${info.kind}: strict decoding error: ${list.join(", ")}`);
  }
  res.setHeader("Warning", list.map((w) => `299 - ${JSON.stringify(w)}`));
}
