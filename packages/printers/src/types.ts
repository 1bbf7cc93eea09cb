// The Kubernetes meta.k8s.io/v1 Table shape that the table builders return (what the REST
// API serves for `Accept: application/json;as=Table;g=meta.k8s.io;v=v1`).

/** One column of a Table; priority 0 is always shown, 1 only with `-o wide`. */
export interface TableColumnDefinition {
  name: string;
  type: "string" | "integer" | "number" | "boolean" | "date";
  format: string;
  description: string;
  priority: number;
}

/** One row: a cell per column definition, and the object it describes. */
export interface TableRow {
  cells: unknown[];
  object?: unknown;
}

/** A Kubernetes Table (meta.k8s.io/v1). */
export interface Table {
  kind: "Table";
  apiVersion: "meta.k8s.io/v1";
  metadata: { resourceVersion?: string; continue?: string };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** Options every table builder takes. */
export interface TableOptions {
  /** The time ages are measured against (tests pin it). */
  now?: Date;
}

/** Builds a column definition; `format` "name" marks the column holding the object name. */
export function column(
  name: string,
  description: string,
  opts: { priority?: number; format?: string; type?: TableColumnDefinition["type"] } = {},
): TableColumnDefinition {
  return { name, type: opts.type ?? "string", format: opts.format ?? "", description, priority: opts.priority ?? 0 };
}

/** Wraps column definitions and rows in the Table envelope. */
export function makeTable(columnDefinitions: TableColumnDefinition[], rows: TableRow[]): Table {
  return { kind: "Table", apiVersion: "meta.k8s.io/v1", metadata: {}, columnDefinitions, rows };
}

/** Descriptions shared by many tables (the ones ObjectMeta's swagger docs give). */
export const docs = {
  name: "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.",
  age: "CreationTimestamp is a timestamp representing the server time when this object was created.",
};
