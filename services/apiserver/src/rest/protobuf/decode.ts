// Kubernetes protobuf request bodies → the JSON object the JSON path would have received: the
// envelope (magic "k8s\0" + runtime.Unknown{typeMeta, raw, contentEncoding, contentType}), then
// the kind's message decoded with schema.ts. Unknown fields are skipped, as Kubernetes does.
import { ApiError, BadRequestError } from "@skiff/api";
import { readFields, type WireValue } from "./wire.js";
import { kindMessages, schema, type FieldDef, type FieldType } from "./schema.js";

/** The media type of Kubernetes protobuf. */
export const protobufMediaType = "application/vnd.kubernetes.protobuf";

/** The four bytes every Kubernetes protobuf body starts with. */
export const protobufMagic = Uint8Array.from([0x6b, 0x38, 0x73, 0x00]);

const utf8 = new TextDecoder("utf-8", { fatal: true });

function str(v: WireValue, where: string): string {
  if (v.wt !== 2) throw new BadRequestError(`the protobuf body is malformed: ${where} is not length-delimited`);
  try {
    return utf8.decode(v.v);
  } catch {
    throw new BadRequestError(`the protobuf body is malformed: ${where} is not valid UTF-8`);
  }
}

function bytes(v: WireValue, where: string): Uint8Array {
  if (v.wt !== 2) throw new BadRequestError(`the protobuf body is malformed: ${where} is not length-delimited`);
  return v.v;
}

function int(v: WireValue, where: string): number {
  if (v.wt !== 0) throw new BadRequestError(`the protobuf body is malformed: ${where} is not a varint`);
  // int32 and int64 negatives are sign-extended to 64 bits on the wire.
  return Number(BigInt.asIntN(64, v.v));
}

/** meta/v1 Time {seconds=1, nanos=2} as RFC 3339 (seconds precision, as Kubernetes' JSON); undefined when zero. */
function time(buf: Uint8Array, where: string): string | undefined {
  let seconds = 0;
  for (const f of readFields(buf)) if (f.num === 1) seconds = int(f.value, `${where}.seconds`);
  if (seconds === 0) return undefined;
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** resource.Quantity {string=1}. */
function quantity(buf: Uint8Array, where: string): string {
  let s = "";
  for (const f of readFields(buf)) if (f.num === 1) s = str(f.value, where);
  return s;
}

/** intstr.IntOrString {type=1, intVal=2, strVal=3}: a number or a string; undefined for the zero int. */
function intOrString(buf: Uint8Array, where: string, keepZero: boolean): number | string | undefined {
  let type = 0,
    intVal = 0,
    strVal = "";
  for (const f of readFields(buf)) {
    if (f.num === 1) type = int(f.value, where);
    else if (f.num === 2) intVal = int(f.value, where);
    else if (f.num === 3) strVal = str(f.value, where);
  }
  if (type === 1) return strVal;
  return intVal === 0 && !keepZero ? undefined : intVal;
}

/** Whether a scalar is its type's zero value (dropped unless the field is a pointer). */
function isZero(v: unknown): boolean {
  return v === "" || v === 0 || v === false;
}

/** One value of a field (one element for lists, one entry value for maps). */
function value(type: FieldType, v: WireValue, where: string, pointer: boolean): unknown {
  switch (type.t) {
    case "s":
      return str(v, where);
    case "i":
      return int(v, where);
    case "b": {
      if (v.wt !== 0) throw new BadRequestError(`the protobuf body is malformed: ${where} is not a varint`);
      return v.v !== 0n;
    }
    case "y":
      return Buffer.from(bytes(v, where)).toString("base64");
    case "T":
      return time(bytes(v, where), where);
    case "Q":
      return quantity(bytes(v, where), where);
    case "IOS":
      return intOrString(bytes(v, where), where, pointer);
    case "msg":
      return decodeMessage(type.name, bytes(v, where), where);
    default:
      throw new Error(`nested ${type.t} in protobuf schema`);
  }
}

/** A map entry message {key=1, value=2}. */
function mapEntry(type: FieldType, buf: Uint8Array, where: string): [string, unknown] {
  let key = "";
  let val: unknown = type.t === "s" || type.t === "y" || type.t === "Q" ? "" : undefined;
  for (const f of readFields(buf)) {
    if (f.num === 1) key = str(f.value, `${where} key`);
    else if (f.num === 2) val = value(type, f.value, `${where}[${key}]`, true);
  }
  return [key, val];
}

function setField(out: Record<string, unknown>, def: FieldDef, v: WireValue, where: string): void {
  const path = `${where}.${def.json}`;
  const type = def.type;
  if (type.t === "list") {
    // Unpacked (Kubernetes' proto2) or packed repeated scalars.
    const list = (out[def.json] ??= []) as unknown[];
    if (type.item.t === "i" && v.wt === 2) {
      for (const f of readFields(packedAsFields(v.v))) list.push(int(f.value, path));
      return;
    }
    list.push(value(type.item, v, `${path}[${list.length}]`, true));
    return;
  }
  if (type.t === "map") {
    const [k, val] = mapEntry(type.value, bytes(v, path), path);
    ((out[def.json] ??= {}) as Record<string, unknown>)[k] = val;
    return;
  }
  if (type.t === "msg" && type.embedded) {
    Object.assign(out, decodeMessage(type.name, bytes(v, path), path));
    return;
  }
  const val = value(type, v, path, def.pointer);
  if (val === undefined || (!def.pointer && isZero(val))) {
    delete out[def.json];
    return;
  }
  out[def.json] = val;
}

/** Re-frames packed varints as field-1 varints so readFields can walk them. */
function packedAsFields(buf: Uint8Array): Uint8Array {
  const out: number[] = [];
  let start = true;
  for (const b of buf) {
    if (start) out.push(0x08);
    out.push(b);
    start = (b & 0x80) === 0;
  }
  return Uint8Array.from(out);
}

/** Decodes one message of the schema into its JSON form. */
export function decodeMessage(name: string, buf: Uint8Array, where = ""): Record<string, unknown> {
  const def = schema.get(name);
  if (!def) throw new Error(`protobuf schema: unknown message ${name}`);
  const out: Record<string, unknown> = {};
  for (const { num, value: v } of readFields(buf)) {
    const f = def.get(num);
    if (f) setField(out, f, v, where || name);
  }
  return out;
}

/** The runtime.Unknown envelope of a protobuf body. */
export interface ProtobufEnvelope {
  apiVersion: string;
  kind: string;
  raw: Uint8Array;
  contentEncoding: string;
  contentType: string;
}

/** Reads the magic prefix and the runtime.Unknown envelope. */
export function readEnvelope(body: Uint8Array): ProtobufEnvelope {
  if (body.length < 4 || !protobufMagic.every((b, i) => body[i] === b)) {
    throw new BadRequestError(`the protobuf body does not start with the Kubernetes magic prefix "k8s\\x00"`);
  }
  const env: ProtobufEnvelope = { apiVersion: "", kind: "", raw: new Uint8Array(), contentEncoding: "", contentType: "" };
  for (const { num, value: v } of readFields(body.subarray(4))) {
    if (num === 1) {
      for (const t of readFields(bytes(v, "typeMeta"))) {
        if (t.num === 1) env.apiVersion = str(t.value, "typeMeta.apiVersion");
        else if (t.num === 2) env.kind = str(t.value, "typeMeta.kind");
      }
    } else if (num === 2) env.raw = bytes(v, "raw");
    else if (num === 3) env.contentEncoding = str(v, "contentEncoding");
    else if (num === 4) env.contentType = str(v, "contentType");
  }
  return env;
}

/** The schema message of a kind, or undefined when Skiff cannot decode it. */
export function messageOfKind(apiVersion: string, kind: string): string | undefined {
  const group = apiVersion.includes("/") ? apiVersion.slice(0, apiVersion.indexOf("/")) : "";
  const version = apiVersion.slice(apiVersion.indexOf("/") + 1);
  // DeleteOptions is registered in every group version (and in meta.k8s.io).
  if (kind === "DeleteOptions") return "DeleteOptions";
  return kindMessages[`${group}/${version}/${kind}`] ?? kindMessages[`${group}/${kind}`];
}

/**
 * Decodes a Kubernetes protobuf body into a JSON-shaped object with apiVersion and kind.
 * Kinds without a schema answer 415, as a server without that serializer would.
 */
export function decodeKubernetesProtobuf(body: Uint8Array): Record<string, unknown> {
  const env = readEnvelope(body);
  if (env.contentEncoding)
    throw Object.assign(new ApiError("BadRequest", `protobuf bodies with contentEncoding ${JSON.stringify(env.contentEncoding)} are not supported`), {
      code: 415,
    });
  const name = messageOfKind(env.apiVersion, env.kind);
  if (!name) {
    throw Object.assign(
      new ApiError(
        "BadRequest",
        `Skiff cannot decode ${env.kind || "(no kind)"} (${env.apiVersion || "no apiVersion"}) from ${protobufMediaType}: send it as application/json or application/yaml`,
      ),
      { code: 415 },
    );
  }
  return { apiVersion: env.apiVersion, kind: env.kind, ...decodeMessage(name, env.raw, env.kind) };
}
