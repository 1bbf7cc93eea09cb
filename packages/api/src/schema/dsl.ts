// A small declarative schema language for the object model: one definition per type, carrying
// what every consumer needs (OpenAPI description, protobuf field number, Go pointer-ness, list
// merge semantics), so the OpenAPI documents, unknown-field checks, strategic-merge keys and
// protobuf field tables are all derived from it.

/** Scalars, named after the Go/proto types they stand for. */
export type Scalar = "string" | "int32" | "int64" | "boolean" | "bytes" | "time" | "quantity";

/** The type of a field's value. */
export type TypeExpr =
  | { kind: "scalar"; scalar: Scalar }
  | { kind: "intOrString" }
  | { kind: "free" }
  | { kind: "map"; value: TypeExpr }
  | { kind: "list"; item: TypeExpr }
  | StructDef;

/** How a list merges (Kubernetes' patchStrategy, patchMergeKey, listType and listMapKeys). */
export interface ListSemantics {
  /** Strategic merge patches merge items by this key (patchStrategy merge + listType map). */
  mergeKey?: string;
  /** listType map with these keys, without a merge patch strategy (patches replace the list). */
  mapKeys?: string[];
  /** A list of scalars merged as a set (patchStrategy merge + listType set). */
  set?: boolean;
}

/** One field of a struct, by its JSON name. */
export interface FieldDef {
  type: TypeExpr;
  description?: string;
  /** The protobuf field number; fields without one are skipped when decoding protobuf. */
  proto?: number;
  /** A Go pointer: protobuf sends it only when set, so its zero value is kept. */
  pointer?: boolean;
  /** A Go embedded struct (protobuf field of its own, fields inlined in JSON). */
  embedded?: boolean;
  required?: boolean;
  list?: ListSemantics;
}

/**
 * How the OpenAPI documents show a struct: "definition" (its own definition, referenced),
 * "inline" (spelt out where used), "opaque" (a free-form object: only protobuf knows its fields).
 */
export type OpenApiForm = "definition" | "inline" | "opaque";

/** A named struct (a Go type, a protobuf message); `F` keeps its field names for type checks. */
export interface StructDef<F extends Record<string, FieldDef> = Record<string, FieldDef>> {
  kind: "struct";
  /** Go type and protobuf message name ("Container"). */
  name: string;
  /** Kubernetes' OpenAPI package prefix ("io.k8s.api.core.v1."). */
  pkg: string;
  description?: string;
  fields: F;
  openapi: OpenApiForm;
  /** A top-level kind (apiVersion, kind, metadata first); its definition comes from its resource. */
  topLevel?: boolean;
}

/** OpenAPI package prefixes, as Kubernetes names them. */
export const pkg = {
  core: "io.k8s.api.core.v1.",
  apps: "io.k8s.api.apps.v1.",
  batch: "io.k8s.api.batch.v1.",
  networking: "io.k8s.api.networking.v1.",
  policy: "io.k8s.api.policy.v1.",
  autoscalingV2: "io.k8s.api.autoscaling.v2.",
  autoscalingV1: "io.k8s.api.autoscaling.v1.",
  storage: "io.k8s.api.storage.v1.",
  discovery: "io.k8s.api.discovery.v1.",
  coordination: "io.k8s.api.coordination.v1.",
  scheduling: "io.k8s.api.scheduling.v1.",
  // Skiff names a group's package after the group without dots ("rbac.authorization" → rbacauthorization).
  rbac: "io.k8s.api.rbacauthorization.v1.",
  authorization: "io.k8s.api.authorization.v1.",
  authentication: "io.k8s.api.authentication.v1.",
  meta: "io.k8s.apimachinery.pkg.apis.meta.v1.",
} as const;

const scalar = (s: Scalar): TypeExpr => ({ kind: "scalar", scalar: s });
export const str = scalar("string");
export const int32 = scalar("int32");
export const int64 = scalar("int64");
export const bool = scalar("boolean");
export const bytes = scalar("bytes");
export const time = scalar("time");
export const quantity = scalar("quantity");
export const intOrString: TypeExpr = { kind: "intOrString" };
/** A free-form object (x-kubernetes-preserve-unknown-fields): any content is accepted. */
export const free: TypeExpr = { kind: "free" };
export const mapOf = (value: TypeExpr): TypeExpr => ({ kind: "map", value });
export const listOf = (item: TypeExpr): TypeExpr => ({ kind: "list", item });
export const strMap = mapOf(str);

/** Options of a field besides its type, number and description. */
export type FieldOpts = Omit<FieldDef, "type" | "proto" | "description">;

/** A field: `f(type, protoNumber, description, opts)`; pass undefined for no protobuf number. */
export function f(type: TypeExpr, proto: number | undefined, description?: string, opts: FieldOpts = {}): FieldDef {
  return { type, ...(proto !== undefined ? { proto } : {}), ...(description !== undefined ? { description } : {}), ...opts };
}

/** Shorthands for common field options. */
export const ptr: FieldOpts = { pointer: true };
export const req: FieldOpts = { required: true };
export const embedded: FieldOpts = { embedded: true };
export const mergeBy = (key: string, opts: FieldOpts = {}): FieldOpts => ({ ...opts, list: { mergeKey: key } });

/** A struct shown as its own OpenAPI definition. */
export function struct<F extends Record<string, FieldDef>>(
  p: string,
  name: string,
  description: string | undefined,
  fields: F,
  openapi: OpenApiForm = "definition",
): StructDef<F> {
  return { kind: "struct", name, pkg: p, ...(description !== undefined ? { description } : {}), fields, openapi };
}

/** A struct spelt out where it is used in OpenAPI (Kubernetes names it; Skiff's documents do not). */
export const inline = <F extends Record<string, FieldDef>>(p: string, name: string, description: string, fields: F): StructDef<F> =>
  struct(p, name, description, fields, "inline");

/** A struct only protobuf decodes in detail; the OpenAPI documents show a free-form object. */
export const opaque = <F extends Record<string, FieldDef>>(p: string, name: string, fields: F): StructDef<F> => struct(p, name, undefined, fields, "opaque");

/**
 * A top-level kind: apiVersion, kind and metadata (protobuf field 1) come first; a spec or
 * status without a description gets Kubernetes' standard one.
 */
export function kindSchema<F extends Record<string, FieldDef>>(p: string, name: string, metadata: StructDef, fields: F): StructDef<KindFields & F> {
  const described: Record<string, FieldDef> = {};
  for (const [k, fd] of Object.entries(fields)) {
    const std =
      k === "spec"
        ? `Specification of the desired behavior of the ${name}.`
        : k === "status"
          ? `Most recently observed status of the ${name}. Populated by the system. Read-only.`
          : undefined;
    described[k] = fd.description === undefined && std ? { ...fd, description: std } : fd;
  }
  return {
    kind: "struct",
    name,
    pkg: p,
    openapi: "definition",
    topLevel: true,
    fields: {
      apiVersion: f(str, undefined, "APIVersion defines the versioned schema of this representation of an object."),
      kind: f(str, undefined, "Kind is a string value representing the REST resource this object represents."),
      metadata: f(metadata, 1, "Standard object's metadata."),
      ...described,
    } as KindFields & F,
  };
}

/** The fields every top-level kind starts with. */
export type KindFields = { apiVersion: FieldDef; kind: FieldDef; metadata: FieldDef };

const jsonFieldsCache = new WeakMap<StructDef, Record<string, FieldDef>>();

/** The fields of a struct with embedded structs' fields inlined, as JSON sees them (computed once per struct). */
export function jsonFields(s: StructDef): Record<string, FieldDef> {
  let out = jsonFieldsCache.get(s);
  if (out) return out;
  out = {};
  for (const [k, fd] of Object.entries(s.fields)) {
    if (fd.embedded && fd.type.kind === "struct") Object.assign(out, jsonFields(fd.type));
    else out[k] = fd;
  }
  jsonFieldsCache.set(s, out);
  return out;
}

/** Every struct reachable from the roots (each once, depth first, roots first). */
export function reachableStructs(roots: StructDef[]): StructDef[] {
  const seen = new Set<StructDef>();
  const visit = (t: TypeExpr): void => {
    if (t.kind === "map") return visit(t.value);
    if (t.kind === "list") return visit(t.item);
    if (t.kind !== "struct" || seen.has(t)) return;
    seen.add(t);
    for (const fd of Object.values(t.fields)) visit(fd.type);
  };
  for (const r of roots) visit(r);
  return [...seen];
}
