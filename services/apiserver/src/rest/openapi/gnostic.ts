// The OpenAPI v2 document as protobuf (gnostic's openapi_v2.Document, OpenAPIv2.proto), what
// kubectl before 1.27 asks for (Accept application/com.github.proto-openapi.spec.v2@v1.0+protobuf
// on /openapi/v2, then /swagger-2.0.0.pb-v1). Encoded from the JSON document, field by field.
import type { Schema } from "./schemas.js";

/** The media type of the protobuf OpenAPI v2 document. */
export const openApiV2ProtobufType = "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";

type Bytes = Uint8Array;

function varint(v: number | bigint): number[] {
  let u = BigInt.asUintN(64, BigInt(v));
  const out: number[] = [];
  while (u >= 0x80n) {
    out.push(Number(u & 0x7fn) | 0x80);
    u >>= 7n;
  }
  out.push(Number(u));
  return out;
}
const tag = (n: number, wt: number) => varint((n << 3) | wt);
const cat = (parts: Bytes[]): Bytes => Buffer.concat(parts);
/** A length-delimited field (a message, a string, bytes). */
const ld = (n: number, b: Bytes): Bytes => Uint8Array.from([...tag(n, 2), ...varint(b.length), ...b]);
const str = (n: number, s: unknown): Bytes => (typeof s === "string" && s !== "" ? ld(n, Buffer.from(s, "utf8")) : new Uint8Array());
const strs = (n: number, v: unknown): Bytes => cat((Array.isArray(v) ? v : []).map((s) => ld(n, Buffer.from(String(s), "utf8"))));
const bool = (n: number, v: unknown): Bytes => (v === true ? Uint8Array.from([...tag(n, 0), 1]) : new Uint8Array());
const int = (n: number, v: unknown): Bytes => (typeof v === "number" && v !== 0 ? Uint8Array.from([...tag(n, 0), ...varint(Math.trunc(v))]) : new Uint8Array());
function dbl(n: number, v: unknown): Bytes {
  if (typeof v !== "number" || v === 0) return new Uint8Array();
  const b = Buffer.alloc(8);
  b.writeDoubleLE(v);
  return cat([Uint8Array.from(tag(n, 1)), b]);
}
const msg = (n: number, body: Bytes | undefined): Bytes => (body ? ld(n, body) : new Uint8Array());

/** gnostic Any: the value as YAML text (JSON is YAML), which is how kubectl reads extensions. */
const any = (v: unknown): Bytes => str(2, JSON.stringify(v));
/** The vendor extensions (x-…) of an object as repeated NamedAny. */
const extensions = (n: number, o: Schema): Bytes =>
  cat(
    Object.entries(o)
      .filter(([k]) => k.startsWith("x-"))
      .map(([k, v]) => ld(n, cat([str(1, k), ld(2, any(v))]))),
  );

/** Schema (fields 1–31). A described reference ({description, allOf: [{$ref}]}) is written as v2 writes it: $ref beside the description. */
export function schemaMessage(s: Schema): Bytes {
  const allOf = s.allOf as Schema[] | undefined;
  if (allOf?.length === 1 && typeof allOf[0].$ref === "string" && !s.$ref) {
    const { allOf: _a, ...rest } = s;
    s = { ...rest, $ref: allOf[0].$ref };
  }
  const type = s.type === undefined ? undefined : Array.isArray(s.type) ? s.type : [s.type];
  const items = s.items === undefined ? undefined : Array.isArray(s.items) ? (s.items as Schema[]) : [s.items as Schema];
  const ap = s.additionalProperties;
  const props = s.properties as Record<string, Schema> | undefined;
  return cat([
    str(1, s.$ref),
    str(2, s.format),
    str(3, s.title),
    str(4, s.description),
    s.default !== undefined ? ld(5, any(s.default)) : new Uint8Array(),
    dbl(6, s.multipleOf),
    dbl(7, s.maximum),
    bool(8, s.exclusiveMaximum),
    dbl(9, s.minimum),
    bool(10, s.exclusiveMinimum),
    int(11, s.maxLength),
    int(12, s.minLength),
    str(13, s.pattern),
    int(14, s.maxItems),
    int(15, s.minItems),
    bool(16, s.uniqueItems),
    int(17, s.maxProperties),
    int(18, s.minProperties),
    strs(19, s.required),
    cat((Array.isArray(s.enum) ? s.enum : []).map((v) => ld(20, any(v)))),
    ap === undefined ? new Uint8Array() : ld(21, typeof ap === "boolean" ? Uint8Array.from([...tag(2, 0), ap ? 1 : 0]) : ld(1, schemaMessage(ap as Schema))),
    type ? ld(22, strs(1, type)) : new Uint8Array(),
    items ? ld(23, cat(items.map((i) => ld(1, schemaMessage(i))))) : new Uint8Array(),
    cat((allOf && !(allOf.length === 1 && s.$ref === allOf[0].$ref) ? allOf : []).map((a) => ld(24, schemaMessage(a)))),
    props ? ld(25, cat(Object.entries(props).map(([k, v]) => ld(1, cat([str(1, k), ld(2, schemaMessage(v))]))))) : new Uint8Array(),
    str(26, s.discriminator),
    bool(27, s.readOnly),
    s.example !== undefined ? ld(30, any(s.example)) : new Uint8Array(),
    extensions(31, s),
  ]);
}

/** Operation: tags, operationId, produces, consumes, the responses (Response with its schema), extensions. */
function operationMessage(o: Schema): Bytes {
  const responses = (o.responses ?? {}) as Record<string, Schema>;
  const codes = Object.entries(responses).map(([code, r]) =>
    ld(1, cat([str(1, code), ld(2, ld(1, cat([str(1, r.description), r.schema ? ld(2, ld(1, schemaMessage(r.schema as Schema))) : new Uint8Array()])))])),
  );
  return cat([
    strs(1, o.tags),
    str(2, o.summary),
    str(3, o.description),
    str(5, o.operationId),
    strs(6, o.produces),
    strs(7, o.consumes),
    ld(9, cat(codes)),
    bool(11, o.deprecated),
    extensions(13, o),
  ]);
}

const pathMethods: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

/** The whole Document: swagger, info, paths (operations without their parameters), definitions. */
export function openApiV2Protobuf(doc: Schema): Uint8Array {
  const info = (doc.info ?? {}) as Schema;
  const paths = Object.entries((doc.paths ?? {}) as Record<string, Schema>).map(([p, item]) =>
    ld(
      2,
      cat([
        str(1, p),
        ld(2, cat([...Object.entries(pathMethods).map(([m, n]) => msg(n, item[m] ? operationMessage(item[m] as Schema) : undefined)), extensions(10, item)])),
      ]),
    ),
  );
  const defs = Object.entries((doc.definitions ?? {}) as Record<string, Schema>).map(([name, s]) => ld(1, cat([str(1, name), ld(2, schemaMessage(s))])));
  return cat([
    str(1, doc.swagger),
    ld(2, cat([str(1, info.title), str(2, info.version), str(3, info.description)])),
    ld(8, cat(paths)),
    ld(9, cat(defs)),
    extensions(16, doc),
  ]);
}
