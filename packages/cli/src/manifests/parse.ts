// Manifests: YAML or JSON text with one or more documents, `kind: List` (and typed lists
// such as PodList) expanded into their items. Pure: reading files lives in read.ts.
import { parseAllDocuments } from "yaml";
import type { KObject } from "@skiff/api";
import { CliError } from "../cli/errors.js";

/** One object read from a manifest, with the file it came from (for error messages). */
export interface Manifest {
  object: KObject;
  source: string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses every document of a manifest text into objects, expanding lists. */
export function parseManifests(text: string, source: string): Manifest[] {
  const docs: unknown[] = [];
  const trimmed = text.trimStart();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    // JSON gets JSON's own error messages; YAML would also accept it but explain worse.
    try {
      const v = JSON.parse(text);
      docs.push(...(Array.isArray(v) ? v : [v]));
    } catch (err) {
      throw new CliError(`error parsing ${source}: ${(err as Error).message}`);
    }
  } else {
    for (const doc of parseAllDocuments(text)) {
      const problem = doc.errors[0];
      if (problem) throw new CliError(`error parsing ${source}: ${problem.message.split("\n")[0]}`);
      docs.push(doc.toJS({ maxAliasCount: 100 }));
    }
  }
  const out: Manifest[] = [];
  for (const d of docs) {
    if (d === null || d === undefined) continue; // an empty document (e.g. a trailing ---)
    for (const object of expandLists(d, source)) out.push({ object, source });
  }
  return out;
}

/** Turns one document into objects: itself, or the items of a List, recursively. */
export function expandLists(doc: unknown, source: string): KObject[] {
  if (!isObject(doc)) throw new CliError(`error validating "${source}": error validating data: the document is not an object`);
  const kind = typeof doc.kind === "string" ? doc.kind : "";
  if (kind.endsWith("List") && Array.isArray(doc.items)) {
    // Items of a typed list (PodList) may leave out their own kind and apiVersion.
    const itemKind = kind === "List" ? undefined : kind.slice(0, -"List".length);
    return doc.items.flatMap((item: unknown) => {
      if (isObject(item) && itemKind) {
        item.kind ??= itemKind;
        item.apiVersion ??= doc.apiVersion;
      }
      return expandLists(item, source);
    });
  }
  const missing = [doc.apiVersion ? "" : "apiVersion not set", kind ? "" : "kind not set"].filter(Boolean);
  if (missing.length) throw new CliError(`error validating "${source}": error validating data: [${missing.join(", ")}]`);
  if (!isObject(doc.metadata)) doc.metadata = {};
  return [doc as unknown as KObject];
}
