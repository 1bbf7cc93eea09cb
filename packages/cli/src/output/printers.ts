// The non-table output formats of get/create/apply: -o yaml, -o json, -o name.
import { stringify } from "yaml";
import type { KObject } from "@skiff/api";

/** The output formats `-o` accepts (the empty string is the table). */
export const outputFormats = ["", "wide", "yaml", "json", "name"] as const;
export type OutputFormat = (typeof outputFormats)[number];

/** Validates an `-o` value. */
export function parseOutputFormat(o: string | undefined): OutputFormat | Error {
  const v = o ?? "";
  if ((outputFormats as readonly string[]).includes(v)) return v as OutputFormat;
  return new Error(`unable to match a printer suitable for the output format "${v}", allowed formats are: json,name,wide,yaml`);
}

/** Several objects as kubectl wraps them: a v1 List. */
export function asList(items: KObject[]): KObject {
  return { apiVersion: "v1", items, kind: "List", metadata: { resourceVersion: "" } };
}

/** An object (or List) without metadata.managedFields, which kubectl hides by default too. */
function printable(obj: unknown): unknown {
  if (!obj || typeof obj !== "object") return obj;
  const o = obj as { metadata?: { managedFields?: unknown }; items?: unknown[] };
  if (o.metadata?.managedFields === undefined && !Array.isArray(o.items)) return obj;
  const out: Record<string, unknown> = { ...o };
  if (o.metadata?.managedFields !== undefined) {
    const { managedFields: _hidden, ...metadata } = o.metadata;
    out.metadata = metadata;
  }
  if (Array.isArray(o.items)) out.items = o.items.map(printable);
  return out;
}

/** YAML with sorted keys, as kubectl prints it. */
export function toYaml(obj: unknown): string {
  return stringify(printable(obj), { sortMapEntries: true, lineWidth: 0, indentSeq: false });
}

/** JSON indented by 4 spaces, as kubectl prints it. */
export function toJson(obj: unknown): string {
  return JSON.stringify(printable(obj), null, 4) + "\n";
}
