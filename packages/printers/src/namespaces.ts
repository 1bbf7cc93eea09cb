// The namespaces table: NAME STATUS AGE.
import type { Namespace } from "@skiff/api";
import { ageSince } from "./age.js";
import { column, docs, makeTable, type Table, type TableOptions } from "./types.js";

/** Column definitions of the namespaces table. */
export const namespaceColumns = [column("Name", docs.name, { format: "name" }), column("Status", "The status of the namespace"), column("Age", docs.age)];

/** Builds the namespaces table. */
export function namespaceTable(namespaces: Namespace[], opts: TableOptions = {}): Table {
  return makeTable(
    namespaceColumns,
    namespaces.map((ns) => ({
      cells: [ns.metadata.name ?? "", ns.status?.phase ?? "", ageSince(ns.metadata.creationTimestamp, opts.now)],
      object: ns,
    })),
  );
}
