// The OpenAPI definitions, derived from the kinds' schemas (@skiff/api schema/): structs shown
// as definitions get one each, inline structs are spelt out where used, opaque ones are
// free-form objects, and every resource gets a top-level definition. Refs are written
// "#REF/<name>" and resolved per version (v2 #/definitions/, v3 #/components/schemas/).
import { apiVersionOf, definitionName, jsonFields, schemaOf, type FieldDef, type ResourceInfo, type Scalar, type StructDef, type TypeExpr } from "@skiff/api";

export { definitionName };

/** An OpenAPI schema object (the subset used here). */
export type Schema = Record<string, unknown>;

const REF = "#REF/";
/**
 * Kubernetes' named scalar types, as its OpenAPI defines them (v2 and v3 alike): strings, so
 * kubectl explain (1.27+) prints <string> for them and <map[string]string> for resource lists,
 * and old kubectl's client-side validation accepts any scalar where a string is declared.
 */
const intOrStringName = "io.k8s.apimachinery.pkg.util.intstr.IntOrString";
const quantityName = "io.k8s.apimachinery.pkg.api.resource.Quantity";
const namedScalars: Record<string, Schema> = {
  [intOrStringName]: {
    description: "IntOrString is a type that can hold an int32 or a string: a JSON or YAML number or string, such as a port number or a port name.",
    format: "int-or-string",
    type: "string",
  },
  [quantityName]: {
    description:
      'Quantity is a fixed-point number with an optional suffix: a binary SI suffix (Ki, Mi, Gi, Ti, Pi, Ei), a decimal SI suffix (m, "", k, M, G, T, P, E) or a decimal exponent (e3, E6). Examples: 100m, 0.5, 128Mi, 1e3. It is written as a string; a JSON number is read too.',
    type: "string",
  },
};

const described = (d?: string): Schema => (d ? { description: d } : {});
/** A reference with a field description (allOf keeps the description in v3). */
const ref = (name: string, d?: string): Schema => (d ? { description: d, allOf: [{ $ref: REF + name }] } : { $ref: REF + name });
const scalars: Record<Scalar, Schema> = {
  string: { type: "string" },
  int32: { type: "integer", format: "int32" },
  int64: { type: "integer", format: "int64" },
  boolean: { type: "boolean" },
  bytes: { type: "string" },
  time: { type: "string", format: "date-time" },
  quantity: {},
};

/** Renders schemas, collecting the definitions they reference. */
class Renderer {
  readonly pending = new Map<string, StructDef>();

  type(t: TypeExpr, d: string | undefined): Schema {
    switch (t.kind) {
      case "scalar":
        return t.scalar === "quantity" ? ref(quantityName, d) : { ...scalars[t.scalar], ...described(d) };
      case "intOrString":
        return ref(intOrStringName, d);
      case "free":
        return { type: "object", "x-kubernetes-preserve-unknown-fields": true, ...described(d) };
      case "map":
        return { type: "object", additionalProperties: this.type(t.value, undefined), ...described(d) };
      case "list":
        return { type: "array", items: this.type(t.item, undefined), ...described(d) };
      case "struct":
        if (t.openapi === "opaque") return this.type({ kind: "free" }, d);
        if (t.openapi === "inline") return this.struct(t, d ?? t.description ?? "");
        if (!t.topLevel) this.pending.set(t.pkg + t.name, t);
        return ref(t.pkg + t.name, d);
    }
  }

  field(fd: FieldDef): Schema {
    const s = this.type(fd.type, fd.description);
    const l = fd.list;
    if (l?.mergeKey)
      return {
        ...s,
        "x-kubernetes-patch-merge-key": l.mergeKey,
        "x-kubernetes-patch-strategy": "merge",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": [l.mergeKey],
      };
    if (l?.mapKeys) return { ...s, "x-kubernetes-list-type": "map", "x-kubernetes-list-map-keys": l.mapKeys };
    if (l?.set) return { ...s, "x-kubernetes-patch-strategy": "merge", "x-kubernetes-list-type": "set" };
    return s;
  }

  properties(s: StructDef): Record<string, Schema> {
    return Object.fromEntries(Object.entries(jsonFields(s)).map(([k, fd]) => [k, this.field(fd)]));
  }

  struct(s: StructDef, description: string): Schema {
    const required = Object.entries(jsonFields(s))
      .filter(([, fd]) => fd.required)
      .map(([k]) => k);
    return { type: "object", description, properties: this.properties(s), ...(required.length ? { required } : {}) };
  }
}

const cache = new WeakMap<ResourceInfo[], Record<string, Schema>>();

/** Every definition the resources' schemas reach, plus one top-level definition per resource (rendered once per resource list). */
export function definitions(resources: ResourceInfo[]): Record<string, Schema> {
  let defs = cache.get(resources);
  if (!defs) cache.set(resources, (defs = render(resources)));
  return defs;
}

function render(resources: ResourceInfo[]): Record<string, Schema> {
  const r = new Renderer();
  const defs: Record<string, Schema> = {};
  for (const res of resources) {
    defs[definitionName(res)] = {
      type: "object",
      description: `${res.kind} (${apiVersionOf(res)}) as served by Skiff.`,
      properties: r.properties(schemaOf(res)),
      "x-kubernetes-group-version-kind": [{ group: res.group, version: res.version, kind: res.kind }],
    };
  }
  for (const [name, s] of r.pending) if (!defs[name]) defs[name] = r.struct(s, s.description ?? "");
  const text = JSON.stringify(defs);
  for (const [name, def] of Object.entries(namedScalars)) if (text.includes(`"${REF}${name}"`)) defs[name] = def;
  return defs;
}

/** Replaces "#REF/<name>" with the version's reference prefix. */
export function resolveRefs<T>(doc: T, prefix: string): T {
  return JSON.parse(JSON.stringify(doc).replaceAll(`"${REF}`, `"${prefix}`));
}
