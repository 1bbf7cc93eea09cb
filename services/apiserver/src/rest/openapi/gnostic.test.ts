// The gnostic protobuf encoding of the OpenAPI v2 document, read back with the wire reader:
// field numbers of openapi_v2.Document, NamedSchema, Schema and NamedAny (OpenAPIv2.proto).
import { describe, expect, it } from "vitest";
import { builtinResources } from "@skiff/api";
import { readFields, type WireValue } from "../protobuf/wire.js";
import { openApiV2 } from "./documents.js";
import { openApiV2Protobuf, schemaMessage } from "./gnostic.js";

const bytes = (v: WireValue) => v.v as Uint8Array;
const text = (v: WireValue) => Buffer.from(bytes(v)).toString("utf8");
const fields = (b: Uint8Array, n: number) =>
  readFields(b)
    .filter((f) => f.num === n)
    .map((f) => f.value);

describe("OpenAPI v2 as gnostic protobuf", () => {
  it("writes swagger, info and every definition as NamedSchema", () => {
    const doc = openApiV2(builtinResources);
    const pb = openApiV2Protobuf(doc);
    expect(text(fields(pb, 1)[0])).toBe("2.0");
    const defs = fields(bytes(fields(pb, 9)[0]), 1).map((d) => text(fields(bytes(d), 1)[0]));
    expect(defs).toEqual(Object.keys(doc.definitions as object));
    expect(defs).toContain("io.k8s.api.apps.v1.Deployment");
    expect(fields(bytes(fields(pb, 8)[0]), 2).length).toBe(Object.keys(doc.paths as object).length);
  });

  it("encodes a schema's type, properties, items, refs (a described allOf ref as $ref) and extensions", () => {
    const s = schemaMessage({
      type: "object",
      description: "d",
      required: ["a"],
      properties: {
        a: { type: "array", items: { description: "x", allOf: [{ $ref: "#/definitions/X" }] } },
        m: { type: "object", additionalProperties: { type: "string" } },
      },
      "x-kubernetes-group-version-kind": [{ group: "", version: "v1", kind: "Pod" }],
    });
    expect(text(fields(s, 4)[0])).toBe("d");
    expect(text(fields(s, 19)[0])).toBe("a");
    expect(text(fields(bytes(fields(s, 22)[0]), 1)[0])).toBe("object");
    const props = fields(bytes(fields(s, 25)[0]), 1).map((p) => ({ name: text(fields(bytes(p), 1)[0]), schema: bytes(fields(bytes(p), 2)[0]) }));
    expect(props.map((p) => p.name)).toEqual(["a", "m"]);
    const item = bytes(fields(bytes(fields(props[0].schema, 23)[0]), 1)[0]);
    expect(text(fields(item, 1)[0])).toBe("#/definitions/X");
    expect(text(fields(item, 4)[0])).toBe("x");
    expect(fields(item, 24)).toEqual([]);
    const ap = bytes(fields(bytes(fields(props[1].schema, 21)[0]), 1)[0]);
    expect(text(fields(bytes(fields(ap, 22)[0]), 1)[0])).toBe("string");
    const ext = bytes(fields(s, 31)[0]);
    expect(text(fields(ext, 1)[0])).toBe("x-kubernetes-group-version-kind");
    expect(JSON.parse(text(fields(bytes(fields(ext, 2)[0]), 2)[0]))).toEqual([{ group: "", version: "v1", kind: "Pod" }]);
  });
});
