// Helpers shared by the kind files: a metadata-validating base every kind builds on.
import type { FieldError } from "../errors.js";
import { field } from "../errors.js";
import type { KObject } from "../types.js";
import type { ResourceInfo } from "../resources.js";
import { validateObjectMeta } from "../validation/meta.js";
import { labelSelectorFromStruct } from "../selectors.js";

/** Group/version of a resource. */
export const gv = (group: string, version: string) => ({ group, version });

/** Validates metadata, then the kind's own checks. */
export function withMeta(
  namespaced: boolean,
  check?: (o: KObject) => FieldError[],
  name: boolean | ((s: string) => string[]) = false,
): (o: KObject) => FieldError[] {
  const opts = typeof name === "function" ? { namespaced, nameErrors: name } : { namespaced, nameIsLabel: name };
  return (o) => [...validateObjectMeta(o.metadata, opts), ...(check?.(o) ?? [])];
}

/** Checks a label selector struct parses (operators, values) and, if given, matches the template labels. */
export function validateSelector(sel: unknown, path: string, templateLabels?: Record<string, string>): FieldError[] {
  if (sel === undefined || sel === null) return [field.required(path)];
  try {
    const parsed = labelSelectorFromStruct(sel as never);
    if (parsed.length === 0) return [field.invalid(path, sel, "empty selector is invalid for deployment")];
    if (templateLabels) {
      const s = sel as { matchLabels?: Record<string, string> };
      for (const [k, v] of Object.entries(s.matchLabels ?? {})) {
        if (templateLabels[k] !== v) return [field.invalid("spec.template.metadata.labels", templateLabels, "`selector` does not match template `labels`")];
      }
    }
    return [];
  } catch (err) {
    return [field.invalid(path, sel, (err as Error).message)];
  }
}

/** Non-negative integer check with Kubernetes' message. */
export function nonNegative(v: unknown, path: string): FieldError[] {
  if (v === undefined) return [];
  if (typeof v !== "number" || !Number.isInteger(v) || v < 0) return [field.invalid(path, v, "must be greater than or equal to 0")];
  return [];
}

export type Info = ResourceInfo;
