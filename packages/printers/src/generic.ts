// The table of any kind without its own printer: NAME AGE.
import type { KObject } from "@skiff/api";
import { ageSince } from "./age.js";
import { column, docs, makeTable, type Table, type TableOptions } from "./types.js";

/** Column definitions of the default table. */
export const defaultColumns = [column("Name", docs.name, { format: "name" }), column("Age", docs.age)];

/** Builds the default table. */
export function defaultTable(objects: KObject[], opts: TableOptions = {}): Table {
  return makeTable(
    defaultColumns,
    objects.map((o) => ({ cells: [o.metadata.name ?? "", ageSince(o.metadata.creationTimestamp, opts.now)], object: o })),
  );
}
