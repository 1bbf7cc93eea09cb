// PATCH bodies by content type: JSON patch, JSON merge patch, strategic merge patch, and
// server-side apply (YAML or JSON body).
import { parse as parseYaml } from "yaml";
import { ApiError, BadRequestError, type KObject } from "@skiff/api";
import { jsonMergePatch } from "./json-merge.js";
import { jsonPatch } from "./json-patch.js";
import { strategicMerge } from "./strategic.js";
import { ApplyConflictError, serverSideApply } from "./apply.js";
import { defaultManager, recordUpdate } from "./managed-fields.js";

export { ApplyConflictError, defaultManager, jsonMergePatch, jsonPatch, recordUpdate, strategicMerge, serverSideApply };

/** The patch types the API accepts. */
export type PatchType = "json" | "merge" | "strategic" | "apply";

/** The patch type of a Content-Type header; 415 for anything else. */
export function patchTypeOf(contentType: string | undefined): PatchType {
  const t = (contentType ?? "").split(";")[0].trim().toLowerCase();
  switch (t) {
    case "application/json-patch+json":
      return "json";
    case "application/merge-patch+json":
      return "merge";
    case "application/strategic-merge-patch+json":
      return "strategic";
    case "application/apply-patch+yaml":
    case "application/apply-patch+json":
    case "application/apply-patch+cbor":
      return "apply";
    default:
      throw Object.assign(
        new ApiError(
          "BadRequest",
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`,
        ),
        { code: 415 },
      );
  }
}

/** Parses a patch body (YAML is a superset of JSON, so apply bodies go through YAML). */
export function parsePatchBody(type: PatchType, body: Buffer): unknown {
  const text = body.toString("utf8");
  try {
    return type === "apply" ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new BadRequestError(`error decoding patch: ${(err as Error).message}`);
  }
}

/** Applies a non-apply patch to the current object. */
export function applyPatch(type: Exclude<PatchType, "apply">, current: KObject, patch: unknown): KObject {
  if (type !== "json" && (!patch || typeof patch !== "object" || Array.isArray(patch))) throw new BadRequestError("a merge patch must be a JSON object");
  const out = type === "json" ? jsonPatch(current, patch) : type === "merge" ? jsonMergePatch(current, patch) : strategicMerge(current, patch);
  if (!out || typeof out !== "object" || Array.isArray(out) || !(out as KObject).metadata)
    throw new ApiError("Invalid", "the patched object is not a valid object");
  return out as KObject;
}
