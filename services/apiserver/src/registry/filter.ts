// Label and field selectors of one list or watch, compiled once and checked against the
// fields the resource's strategy lets clients select on.
import { BadRequestError, parseLabelSelector, matchesLabels, parseFieldSelector, matchesFields, type KObject } from "@skiff/api";

/** A compiled selector pair. */
export interface Filter {
  /** No selector at all: everything matches. */
  empty: boolean;
  matches(o: KObject): boolean;
  /** The value a field must equal (`field=value`), when the field selector requires one. */
  requires(field: string): string | undefined;
}

/** Compiles selectors; BadRequest for a field the resource cannot be selected on. */
export function compileFilter(selectable: string[], labelSelector?: string, fieldSelector?: string): Filter {
  const labels = labelSelector ? parseLabelSelector(labelSelector) : [];
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : [];
  const allowed = ["metadata.name", "metadata.namespace", ...selectable];
  for (const f of fields) {
    if (!allowed.includes(f.field)) throw new BadRequestError(`field label not supported: ${f.field}`);
  }
  return {
    empty: labels.length === 0 && fields.length === 0,
    matches: (o) => matchesLabels(labels, o.metadata.labels) && matchesFields(fields, o),
    requires: (f) => fields.find((r) => r.field === f && r.operator === "=")?.value,
  };
}
