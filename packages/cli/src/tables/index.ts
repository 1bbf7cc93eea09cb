// Table builders for `get` (the Kubernetes meta.k8s.io/v1 Table shape), shared with the
// apiserver so `kubectl get` and `skiff get` print the same columns, plus the text renderer.
import type { Event, KObject, Namespace, Node, Pod } from "@skiff/api";
import { eventTable } from "./events.js";
import { defaultTable } from "./generic.js";
import { namespaceTable } from "./namespaces.js";
import { nodeTable } from "./nodes.js";
import { podTable } from "./pods.js";
import type { Table, TableOptions } from "./types.js";

export * from "./types.js";
export * from "./age.js";
export * from "./pods.js";
export * from "./nodes.js";
export * from "./namespaces.js";
export * from "./events.js";
export * from "./generic.js";
export * from "./render.js";

/** Builds the table of a resource (plural name, e.g. "pods"); unknown kinds get NAME AGE. */
export function tableFor(resource: string, objects: KObject[], opts: TableOptions = {}): Table {
  switch (resource) {
    case "pods": return podTable(objects as Pod[], opts);
    case "nodes": return nodeTable(objects as Node[], opts);
    case "namespaces": return namespaceTable(objects as Namespace[], opts);
    case "events": return eventTable(objects as Event[], opts);
    default: return defaultTable(objects, opts);
  }
}
