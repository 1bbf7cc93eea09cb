// Table of PriorityClasses (kubectl get priorityclasses): NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY.
import type { PriorityClass } from "@skiff/api";
import { ageSince } from "./age.js";
import { column, docs, makeTable, type Table, type TableOptions } from "./types.js";

/** PriorityClasses, Kubernetes' columns. */
export function priorityClassTable(items: PriorityClass[], opts: TableOptions = {}): Table {
  const cols = [
    column("Name", docs.name, { format: "name" }),
    column("Value", "value represents the integer value of this priority class."),
    column("Global-Default", "globalDefault specifies whether this PriorityClass should be considered as the default priority."),
    column("Age", docs.age),
    column("PreemptionPolicy", "preemptionPolicy is the Policy for preempting pods with lower priority."),
  ];
  return makeTable(
    cols,
    items.map((p) => ({
      object: p,
      cells: [
        p.metadata.name ?? "",
        p.value,
        p.globalDefault === true,
        ageSince(p.metadata.creationTimestamp, opts.now),
        p.preemptionPolicy ?? "PreemptLowerPriority",
      ],
    })),
  );
}
