// The protobuf field tables of the kinds typed clients (kubectl create, run, expose, drain)
// send, derived from the kinds' schemas (@skiff/api schema/: field numbers and types as in
// Kubernetes' generated.proto files) when the module loads. A kind is decodable when its schema
// numbers all its fields; messages are the structs reachable through numbered fields.
import { bodyKinds, builtinResources, deleteOptionsSchema, schemaOf, type StructDef, type TypeExpr } from "@skiff/api";

/**
 * The type of a field's value: s string, i integer (int32/int64), b bool, y bytes (base64 in
 * JSON), T meta/v1 Time (RFC 3339), Q resource.Quantity (a string), IOS intstr.IntOrString; a
 * message (embedded: its fields are inlined into the parent's JSON), a map, a repeated field.
 */
export type FieldType =
  | { t: "s" | "i" | "b" | "y" | "T" | "Q" | "IOS" }
  | { t: "msg"; name: string; embedded: boolean }
  | { t: "map"; value: FieldType }
  | { t: "list"; item: FieldType };

/** One field of a message. */
export interface FieldDef {
  json: string;
  num: number;
  type: FieldType;
  /** A Go pointer: zero values were sent on purpose and are kept. */
  pointer: boolean;
}

/** A message's fields by number. */
export type MessageDef = Map<number, FieldDef>;

const scalarTypes = { string: "s", int32: "i", int64: "i", boolean: "b", bytes: "y", time: "T", quantity: "Q" } as const;

function fieldType(t: TypeExpr, where: string, nameOf: (s: StructDef) => string): FieldType {
  switch (t.kind) {
    case "scalar":
      return { t: scalarTypes[t.scalar] };
    case "intOrString":
      return { t: "IOS" };
    case "map":
      return { t: "map", value: fieldType(t.value, where, nameOf) };
    case "list":
      return { t: "list", item: fieldType(t.item, where, nameOf) };
    case "struct":
      return { t: "msg", name: nameOf(t), embedded: false };
    case "free":
      throw new Error(`protobuf schema: ${where} is free-form but has a field number`);
  }
}

/**
 * A message's key: its name, or package and name for the messages of another version of a
 * group whose name is taken (autoscaling/v1 and v2 both have a HorizontalPodAutoscaler).
 */
export function messageName(s: StructDef): string {
  const first = firstOfName.get(s.name);
  return !first || first === s ? s.name : s.pkg + s.name;
}
const firstOfName = new Map<string, StructDef>();

/** The messages reachable from the roots through numbered fields, by message name. */
function messagesOf(roots: StructDef[]): Map<string, MessageDef> {
  const out = new Map<string, MessageDef>();
  const structs = new Map<string, StructDef>();
  const visit = (s: StructDef): void => {
    if (!firstOfName.has(s.name)) firstOfName.set(s.name, s);
    const key = messageName(s);
    const seen = structs.get(key);
    if (seen === s) return;
    if (seen) throw new Error(`protobuf schema: two messages named ${key}`);
    structs.set(key, s);
    const def: MessageDef = new Map();
    out.set(key, def);
    for (const [json, fd] of Object.entries(s.fields)) {
      if (fd.proto === undefined) continue;
      const type = fieldType(fd.type, `${s.name}.${json}`, (t) => {
        if (!firstOfName.has(t.name)) firstOfName.set(t.name, t);
        return messageName(t);
      });
      def.set(fd.proto, { json, num: fd.proto, type: type.t === "msg" && fd.embedded ? { ...type, embedded: true } : type, pointer: !!fd.pointer });
      let inner: TypeExpr = fd.type;
      while (inner.kind === "list" || inner.kind === "map") inner = inner.kind === "list" ? inner.item : inner.value;
      if (inner.kind === "struct") visit(inner);
    }
  };
  for (const r of roots) visit(r);
  return out;
}

/** Whether a kind's schema numbers all its fields (apiVersion and kind are the envelope's; clients send no status). */
const numbered = (s: StructDef): boolean =>
  Object.entries(s.fields).every(([k, fd]) => k === "apiVersion" || k === "kind" || k === "status" || fd.proto !== undefined);

const served = builtinResources.flatMap((r) => [r, ...(r.alsoServedAs ?? [])]);
const kinds = [
  ...served.map((r) => ({ group: r.group, version: r.version as string | undefined, kind: r.kind, schema: schemaOf(r) })),
  ...bodyKinds.map((k) => ({ ...k, version: undefined })),
].filter((k) => numbered(k.schema));

/** Every message (computed at module load, so a mistake in the schemas fails fast). */
export const schema: ReadonlyMap<string, MessageDef> = messagesOf([...kinds.map((k) => k.schema), deleteOptionsSchema]);

/**
 * The top-level message of each kind a protobuf body may carry, by "group/Kind" ("" = core) and,
 * for kinds served at several versions, by "group/version/Kind" too.
 */
export const kindMessages: Record<string, string> = Object.fromEntries(
  kinds.flatMap((k) => {
    const entries: [string, string][] = [[`${k.group}/${k.version}/${k.kind}`, messageName(k.schema)]];
    // The unversioned key names the stored version (listed first).
    if (!kinds.some((o) => o !== k && o.group === k.group && o.kind === k.kind && kinds.indexOf(o) < kinds.indexOf(k)))
      entries.push([`${k.group}/${k.kind}`, messageName(k.schema)]);
    return entries;
  }),
);
