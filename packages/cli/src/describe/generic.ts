// `describe` of kinds without their own describer: metadata, then every other field nested
// under Title Case labels (kubectl's generic describer for unstructured objects).
import type { KObject } from "@skiff/api";
import type { DescribeWriter } from "./writer.js";

/** Words kubectl keeps in capitals in field labels. */
const acronyms = new Set(["api", "ip", "uid", "url", "id", "cidr", "dns", "tls", "http", "tcp", "udp"]);

/** "lastTransitionTime" → "Last Transition Time", "podIP" → "Pod IP". */
export function smartLabel(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .split(/[\s_-]+/)
    .filter(Boolean)
    .map((w) => (acronyms.has(w.toLowerCase()) ? w.toUpperCase() : w[0].toUpperCase() + w.slice(1)))
    .join(" ");
}

function writeValue(w: DescribeWriter, level: number, label: string, v: unknown): void {
  if (Array.isArray(v)) {
    if (v.length === 0) return w.line(level, `${label}:\t<none>`);
    w.line(level, `${label}:`);
    for (const item of v) {
      if (item && typeof item === "object") {
        for (const [k, x] of Object.entries(item)) writeValue(w, level + 1, smartLabel(k), x);
      } else {
        w.line(level + 1, String(item));
      }
    }
    return;
  }
  if (v && typeof v === "object") {
    const entries = Object.entries(v);
    if (entries.length === 0) return w.line(level, `${label}:\t<none>`);
    w.line(level, `${label}:`);
    for (const [k, x] of entries) writeValue(w, level + 1, smartLabel(k), x);
    return;
  }
  w.line(level, `${label}:\t${v === null || v === undefined ? "<none>" : String(v)}`);
}

/** Writes everything but the events of any object. */
export function describeGeneric(w: DescribeWriter, obj: KObject): void {
  w.line(0, `Name:\t${obj.metadata.name}`);
  if (obj.metadata.namespace) w.line(0, `Namespace:\t${obj.metadata.namespace}`);
  w.map(0, "Labels", obj.metadata.labels);
  w.annotations(0, obj.metadata.annotations);
  if (obj.kind === "Namespace") {
    w.line(0, `Status:\t${(obj.status as { phase?: string } | undefined)?.phase ?? ""}`);
    return;
  }
  w.line(0, `API Version:\t${obj.apiVersion ?? ""}`);
  w.line(0, `Kind:\t${obj.kind ?? ""}`);
  for (const [k, v] of Object.entries(obj)) {
    if (k === "apiVersion" || k === "kind" || k === "metadata") continue;
    writeValue(w, 0, smartLabel(k), v);
  }
}
