// Validation of ObjectMeta: name, generateName, namespace, labels, annotations, finalizers,
// owner references, and what an update may not change.
import { field, type FieldError } from "../errors.js";
import type { ObjectMeta } from "../types.js";
import { dns1123LabelErrors, dns1123SubdomainErrors, labelValueErrors, qualifiedNameErrors } from "./names.js";
import { invalidEach, isObject, isStringArray, maskTrailingDash } from "./helpers.js";

/** Validates a map of labels (keys: qualified names; values: label values) at path. */
export function validateLabels(labels: unknown, path: string): FieldError[] {
  if (labels === undefined || labels === null) return [];
  if (!isObject(labels)) return [field.invalid(path, labels, "must be a map of string keys to string values")];
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    errs.push(...invalidEach(path, k, qualifiedNameErrors(k)));
    if (typeof v !== "string") errs.push(field.invalid(`${path}[${k}]`, v, "must be a string"));
    else errs.push(...invalidEach(path, v, labelValueErrors(v)));
  }
  return errs;
}

const totalAnnotationSizeLimit = 256 * 1024;

function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  if (annotations === undefined || annotations === null) return [];
  if (!isObject(annotations)) return [field.invalid(path, annotations, "must be a map of string keys to string values")];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    // Why lower case: Kubernetes accepts upper case in annotation keys' prefix part.
    errs.push(...invalidEach(path, k, qualifiedNameErrors(k.toLowerCase())));
    if (typeof v !== "string") errs.push(field.invalid(`${path}[${k}]`, v, "must be a string"));
    else size += Buffer.byteLength(k) + Buffer.byteLength(v);
  }
  if (size > totalAnnotationSizeLimit) {
    errs.push({ field: path, type: "FieldValueTooLong", message: `Too long: must have at most ${totalAnnotationSizeLimit} bytes` });
  }
  return errs;
}

const standardFinalizers = ["kubernetes", "orphan", "foregroundDeletion"];

export function validateFinalizers(finalizers: unknown, path: string, requireQualified: boolean): FieldError[] {
  if (finalizers === undefined || finalizers === null) return [];
  if (!isStringArray(finalizers)) return [field.invalid(path, finalizers, "must be a list of strings")];
  const errs: FieldError[] = [];
  for (const f of finalizers) {
    const msgs = qualifiedNameErrors(f);
    errs.push(...invalidEach(path, f, msgs));
    if (!msgs.length && requireQualified && !f.includes("/") && !standardFinalizers.includes(f)) {
      errs.push(field.invalid(path, f, "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
  if (finalizers.includes("orphan") && finalizers.includes("foregroundDeletion")) {
    errs.push(field.invalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  if (refs === undefined || refs === null) return [];
  if (!Array.isArray(refs)) return [field.invalid(path, refs, "must be a list of owner references")];
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  refs.forEach((r: unknown, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(r)) {
      errs.push(field.invalid(p, r, "must be an object"));
      return;
    }
    for (const [key, what] of [
      ["apiVersion", "version"],
      ["kind", "kind"],
      ["name", "name"],
      ["uid", "uid"],
    ] as const) {
      if (typeof r[key] !== "string" || r[key] === "") errs.push(field.invalid(`${p}.${key}`, r[key] ?? "", `${what} must not be empty`));
    }
    if (r.controller === true) controllers.push(`${r.kind}/${r.name}`);
  });
  if (controllers.length > 1) {
    errs.push(field.invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(" and ")}`));
  }
  return errs;
}

/**
 * Validates an object's metadata. `namespaced` objects need a namespace (the apiserver fills
 * it from the request first); cluster-scoped ones must not have one. A name is required
 * unless generateName is set; it must be a DNS-1123 subdomain, or a label when `nameIsLabel`.
 */
export function validateObjectMeta(
  meta: ObjectMeta,
  opts: { namespaced: boolean; nameIsLabel?: boolean; nameErrors?: (s: string) => string[] },
  path = "metadata",
): FieldError[] {
  if (!isObject(meta)) return [field.required(path)];
  const errs: FieldError[] = [];
  const nameErrors = opts.nameErrors ?? (opts.nameIsLabel ? dns1123LabelErrors : dns1123SubdomainErrors);
  const { name, generateName, namespace } = meta;
  if (generateName !== undefined && generateName !== "") {
    if (typeof generateName !== "string") errs.push(field.invalid(`${path}.generateName`, generateName, "must be a string"));
    else errs.push(...invalidEach(`${path}.generateName`, generateName, nameErrors(maskTrailingDash(generateName))));
  }
  if (name === undefined || name === "") {
    if (!generateName) errs.push(field.required(`${path}.name`, "name or generateName is required"));
  } else if (typeof name !== "string") {
    errs.push(field.invalid(`${path}.name`, name, "must be a string"));
  } else {
    errs.push(...invalidEach(`${path}.name`, name, nameErrors(name)));
  }
  if (opts.namespaced) {
    if (namespace === undefined || namespace === "") errs.push(field.required(`${path}.namespace`));
    else if (typeof namespace !== "string") errs.push(field.invalid(`${path}.namespace`, namespace, "must be a string"));
    else errs.push(...invalidEach(`${path}.namespace`, namespace, dns1123LabelErrors(namespace)));
  } else if (namespace) {
    errs.push(field.forbidden(`${path}.namespace`, "not allowed on this type"));
  }
  errs.push(...validateLabels(meta.labels, `${path}.labels`));
  errs.push(...validateAnnotations(meta.annotations, `${path}.annotations`));
  errs.push(...validateOwnerReferences(meta.ownerReferences, `${path}.ownerReferences`));
  errs.push(...validateFinalizers(meta.finalizers, `${path}.finalizers`, false));
  return errs;
}

/** Checks that an update keeps name, namespace, uid and creationTimestamp. */
export function validateObjectMetaUpdate(meta: ObjectMeta, old: ObjectMeta, path = "metadata"): FieldError[] {
  if (!isObject(meta)) return [field.required(path)];
  const errs: FieldError[] = [];
  for (const key of ["name", "namespace", "uid", "creationTimestamp"] as const) {
    // Why: an absent and an empty value are the same thing once stored.
    const now = meta[key] ?? "";
    const before = old?.[key] ?? "";
    if (now !== before) errs.push(field.invalid(`${path}.${key}`, now, "field is immutable"));
  }
  return errs;
}
