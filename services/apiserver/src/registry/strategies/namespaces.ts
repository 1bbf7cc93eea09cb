// Namespaces: spec.finalizers hold deletion (the namespace controller empties them), and a
// namespace being deleted reports phase Terminating.
import type { StrategyOverrides } from "../strategy.js";

export const namespaceStrategy: StrategyOverrides = {
  selectableFields: ["status.phase"],
  extraFinalizers: (o) => (o.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [],
  prepareForDelete(o) {
    o.status = { ...(o.status as object), phase: "Terminating" };
  },
};
