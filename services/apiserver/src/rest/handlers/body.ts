// Request bodies of writes by media type: JSON, YAML, or Kubernetes protobuf (what typed Go
// clients such as kubectl create/run/expose/drain send), all turned into the same JSON object.
import type { IncomingMessage } from "node:http";
import { parse as parseYaml } from "yaml";
import { ApiError, BadRequestError, type KObject } from "@skiff/api";
import { parseJsonObject, readBody } from "../http/respond.js";
import { decodeKubernetesProtobuf, protobufMediaType } from "../protobuf/decode.js";

/** How a body arrived (protobuf bodies cannot carry unknown JSON fields, so they skip field validation). */
export type BodyFormat = "json" | "yaml" | "protobuf";

/** A parsed request body. */
export interface ParsedBody {
  obj: KObject;
  format: BodyFormat;
}

/** The media type of a request, without parameters. */
export function mediaTypeOf(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
}

/** Parses a create/update/subresource body (JSON, YAML or protobuf) into an object. */
export function parseObjectBody(req: IncomingMessage, body: Buffer, what = "body"): ParsedBody {
  const ct = mediaTypeOf(req);
  if (ct === protobufMediaType) return { obj: decodeKubernetesProtobuf(body) as KObject, format: "protobuf" };
  if (ct === "application/cbor") {
    throw Object.assign(
      new ApiError(
        "BadRequest",
        `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, ${protobufMediaType} (got ${ct})`,
      ),
      { code: 415 },
    );
  }
  if (ct === "application/yaml" || ct === "application/x-yaml") {
    let o: unknown;
    try {
      o = parseYaml(body.toString("utf8"));
    } catch (err) {
      throw new BadRequestError(`the ${what} is not valid YAML: ${(err as Error).message}`);
    }
    if (!o || typeof o !== "object" || Array.isArray(o)) throw new BadRequestError(`the ${what} must be an object`);
    return { obj: o as KObject, format: "yaml" };
  }
  return { obj: parseJsonObject(body, what) as KObject, format: "json" };
}

/** Reads and parses a body that must be present. */
export async function readObjectBody(req: IncomingMessage, what = "body"): Promise<ParsedBody> {
  return parseObjectBody(req, await readBody(req), what);
}

/** Reads an optional body (DELETE's DeleteOptions); undefined when empty. */
export async function readOptionalBody(req: IncomingMessage, what: string): Promise<Record<string, unknown> | undefined> {
  const body = await readBody(req);
  return body.length ? (parseObjectBody(req, body, what).obj as Record<string, unknown>) : undefined;
}
