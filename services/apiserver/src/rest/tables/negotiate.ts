// Content negotiation of GET/list/watch responses: plain objects, meta.k8s.io Tables (what
// `kubectl get` asks for), or PartialObjectMetadata; Tables come from @skiff/printers.
import { tableFor, type Table } from "@skiff/printers";
import type { KObject } from "@skiff/api";

/** What the client asked to receive. */
export type Representation = "object" | "table" | "metadata";

/** Reads the Accept header: the first media type Skiff can serve wins. */
export function representationOf(accept: string | undefined): Representation {
  for (const part of (accept ?? "").split(",")) {
    const params = new Map(
      part
        .split(";")
        .slice(1)
        .map((p) => p.trim().split("=") as [string, string]),
    );
    const as = params.get("as");
    if (as === "Table" && (params.get("g") ?? "meta.k8s.io") === "meta.k8s.io") return "table";
    if ((as === "PartialObjectMetadata" || as === "PartialObjectMetadataList") && (params.get("g") ?? "meta.k8s.io") === "meta.k8s.io") return "metadata";
    const type = part.split(";")[0].trim();
    if (!as && (type === "application/json" || type === "*/*" || type === "application/*" || type === "")) return "object";
  }
  return "object";
}

/** An object reduced to its metadata (meta.k8s.io/v1 PartialObjectMetadata). */
export function partialMetadata(o: KObject): KObject {
  return { apiVersion: "meta.k8s.io/v1", kind: "PartialObjectMetadata", metadata: o.metadata };
}

/**
 * The Table of objects of a resource. Rows carry the object as PartialObjectMetadata unless the
 * client asked for includeObject=Object (or None), as the Kubernetes apiserver does.
 */
export function buildTable(resource: string, objects: KObject[], includeObject: string | null, resourceVersion?: string, continueToken?: string): Table {
  const t = tableFor(resource, objects);
  for (const row of t.rows) {
    const o = row.object as KObject;
    if (includeObject === "None") delete row.object;
    else if (includeObject !== "Object") row.object = partialMetadata(o);
  }
  if (resourceVersion) t.metadata.resourceVersion = resourceVersion;
  if (continueToken) t.metadata.continue = continueToken;
  return t;
}
