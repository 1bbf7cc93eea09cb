// Namespaces (core/v1): the name is a DNS-1123 label; finalizers must be known or qualified.
import { field, type FieldError } from "../errors.js";
import type { Namespace } from "../types.js";
import { isObject } from "../validation/helpers.js";
import { validateFinalizers, validateObjectMeta } from "../validation/meta.js";
import * as configSchema from "../schema/config.js";
import { defaultNamespace } from "../defaults.js";
import { gv, type Info } from "./common.js";

/** Validates a namespace: its name must be a DNS-1123 label; finalizers must be known or qualified. */
export function validateNamespace(ns: Namespace): FieldError[] {
  const errs = validateObjectMeta(ns.metadata, { namespaced: false, nameIsLabel: true });
  if (ns.spec !== undefined && ns.spec !== null) {
    if (!isObject(ns.spec)) errs.push(field.invalid("spec", ns.spec, "must be an object"));
    else errs.push(...validateFinalizers(ns.spec.finalizers, "spec.finalizers", true));
  }
  const phase = ns.status?.phase;
  if (phase !== undefined && phase !== "Active" && phase !== "Terminating") {
    errs.push(field.notSupported("status.phase", phase, ["Active", "Terminating"]));
  }
  return errs;
}

export const namespaceResources: Info[] = [
  {
    ...gv("", "v1"),
    resource: "namespaces",
    singular: "namespace",
    kind: "Namespace",
    listKind: "NamespaceList",
    schema: configSchema.Namespace,
    namespaced: false,
    shortNames: ["ns"],
    hasStatus: true,
    gracefulDelete: false,
    validate: (o) => validateNamespace(o as Namespace),
    applyDefaults: (o) => defaultNamespace(o as Namespace),
  },
];
