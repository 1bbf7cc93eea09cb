// Validation of API objects before they are stored, with Kubernetes' field paths and messages
// (`spec.containers[0].image: Required value`) so users can act on them as they would there.
import { field, type FieldError } from "./errors.js";
import type { Container, Event, Namespace, Node, ObjectMeta, Pod, PodSpec, Toleration } from "./types.js";
import { compareQuantities, parseQuantity } from "./quantity.js";
import { defaultPod } from "./defaults.js";
import { validatePodSchedulingAndHandlers } from "./pod-fields-validation.js";

// ---- message builders (k8s.io/apimachinery/pkg/util/validation) ----

/** Kubernetes' RegexError, including its double space between examples. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;
}
const maxLenError = (n: number): string => `must be no more than ${n} characters`;
const emptyError = "must be non-empty";

const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123LabelMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1123SubdomainMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const qualifiedNameMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
const labelValueMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const envVarNameFmt = "[-._a-zA-Z][-._a-zA-Z0-9]*";
const envVarNameRe = new RegExp(`^${envVarNameFmt}$`);
const envVarNameMsg = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";

function dns1123LabelErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 63) errs.push(maxLenError(63));
  if (!dns1123LabelRe.test(s)) errs.push(regexError(dns1123LabelMsg, dns1123LabelFmt, "my-name", "123-abc"));
  return errs;
}

function dns1123SubdomainErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainRe.test(s)) errs.push(regexError(dns1123SubdomainMsg, dns1123SubdomainFmt, "example.com"));
  return errs;
}

function qualifiedNameErrors(s: string): string[] {
  const errs: string[] = [];
  const parts = s.split("/");
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) errs.push(`prefix part ${emptyError}`);
    else errs.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a qualified name ${regexError(qualifiedNameMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push(`name part ${emptyError}`);
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(qualifiedNameMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")}`);
  return errs;
}

function labelValueErrors(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(v)) errs.push(regexError(labelValueMsg, labelValueFmt, "MyValue", "my_value", "12345"));
  return errs;
}

function envVarNameErrors(s: string): string[] {
  const errs: string[] = [];
  if (!envVarNameRe.test(s)) errs.push(regexError(envVarNameMsg, envVarNameFmt, "my.env-name", "MY_ENV.NAME", "MyEnvName1"));
  // Why: "." and ".." would be path components if the variable were projected into a file.
  if (s === ".") errs.push("must not be '.'");
  else if (s === "..") errs.push("must not be '..'");
  else if (s.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

function portNameErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(s)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  else if (!/[a-z]/.test(s)) errs.push("must contain at least one letter (a-z)");
  if (s.includes("--")) errs.push("must not contain consecutive hyphens");
  if (s.startsWith("-") || s.endsWith("-")) errs.push("must not begin or end with a hyphen");
  return errs;
}

/** Checks a DNS-1123 label (namespace names, container names); returns the error or undefined. */
export function isDNS1123Label(s: string): string | undefined {
  return dns1123LabelErrors(s)[0];
}

/** Checks a DNS-1123 subdomain (most object names); returns the error or undefined. */
export function isDNS1123Subdomain(s: string): string | undefined {
  return dns1123SubdomainErrors(s)[0];
}

/** Checks a qualified name (label and annotation keys: `[prefix/]name`); returns the error or undefined. */
export function isQualifiedName(s: string): string | undefined {
  return qualifiedNameErrors(s)[0];
}

/** Checks a label value (may be empty); returns the error or undefined. */
export function isValidLabelValue(s: string): string | undefined {
  return labelValueErrors(s)[0];
}

// ---- small helpers ----

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isInt = (v: unknown): v is number => typeof v === "number" && Number.isInteger(v);
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === "string");

function invalidEach(path: string, value: unknown, msgs: string[]): FieldError[] {
  return msgs.map((m) => field.invalid(path, value, m));
}

/** Kubernetes checks a generateName as if a suffix followed: a trailing '-' is fine. */
function maskTrailingDash(s: string): string {
  return s.length > 1 && s.endsWith("-") ? `${s.slice(0, -1)}a` : s;
}

/** Deep equality of JSON values, treating a key set to undefined as absent. */
function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => deepEqual(x, b[i]));
  }
  if (!isObject(a) || !isObject(b)) return false;
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const k of keys) if (!deepEqual(a[k], b[k])) return false;
  return true;
}

// ---- metadata ----

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

function validateFinalizers(finalizers: unknown, path: string, requireQualified: boolean): FieldError[] {
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
    for (const [key, what] of [["apiVersion", "version"], ["kind", "kind"], ["name", "name"], ["uid", "uid"]] as const) {
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
export function validateObjectMeta(meta: ObjectMeta, opts: { namespaced: boolean; nameIsLabel?: boolean }, path = "metadata"): FieldError[] {
  if (!isObject(meta)) return [field.required(path)];
  const errs: FieldError[] = [];
  const nameErrors = opts.nameIsLabel ? dns1123LabelErrors : dns1123SubdomainErrors;
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

// ---- pods ----

const pullPolicies = ["Always", "IfNotPresent", "Never"];
const restartPolicies = ["Always", "OnFailure", "Never"];
const protocols = ["SCTP", "TCP", "UDP"];
const dnsPolicies = ["ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"];
const terminationMessagePolicies = ["File", "FallbackToLogsOnError"];
const taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];
const standardContainerResources = ["cpu", "memory", "ephemeral-storage"];

/** Native resources (no domain, or a kubernetes.io domain) may be requested below their limit; others may not. */
function overcommitAllowed(name: string): boolean {
  const native = !name.includes("/") || name.includes("kubernetes.io/");
  return native && !name.startsWith("hugepages-");
}

function validateResourceName(name: string, path: string): FieldError[] {
  if (name.includes("/")) return invalidEach(path, name, qualifiedNameErrors(name));
  if (standardContainerResources.includes(name) || name.startsWith("hugepages-")) return [];
  return [field.invalid(path, name, "must be a standard resource for containers")];
}

/** Validates a resource list; returns the errors and the entries whose values parsed. */
function validateResourceList(list: unknown, path: string): { errs: FieldError[]; valid: Map<string, string> } {
  const valid = new Map<string, string>();
  if (list === undefined || list === null) return { errs: [], valid };
  if (!isObject(list)) return { errs: [field.invalid(path, list, "must be a map of resource names to quantities")], valid };
  const errs: FieldError[] = [];
  for (const [name, value] of Object.entries(list)) {
    const p = `${path}[${name}]`;
    const nameErrs = validateResourceName(name, p);
    errs.push(...nameErrs);
    if (typeof value !== "string" && typeof value !== "number") {
      errs.push(field.invalid(p, value, "must be a quantity string"));
      continue;
    }
    let n: number;
    try {
      n = parseQuantity(value);
    } catch (err) {
      errs.push(field.invalid(p, value, (err as Error).message.replace(/^invalid quantity "[^"]*": /, "")));
      continue;
    }
    if (n < 0) errs.push(field.invalid(p, value, "must be greater than or equal to 0"));
    else if (!nameErrs.length) valid.set(name, String(value));
  }
  return { errs, valid };
}

function validateResources(res: unknown, path: string): FieldError[] {
  if (res === undefined || res === null) return [];
  if (!isObject(res)) return [field.invalid(path, res, "must be an object")];
  const limits = validateResourceList(res.limits, `${path}.limits`);
  const requests = validateResourceList(res.requests, `${path}.requests`);
  const errs = [...limits.errs, ...requests.errs];
  for (const [name, req] of requests.valid) {
    const lim = limits.valid.get(name);
    if (lim === undefined) {
      if (!overcommitAllowed(name)) errs.push(field.required(`${path}.limits`, "Limit must be set for non overcommitable resources"));
      continue;
    }
    const cmp = compareQuantities(req, lim);
    if (cmp !== 0 && !overcommitAllowed(name)) {
      errs.push(field.invalid(`${path}.requests`, req, `must be equal to ${name} limit of ${lim}`));
    } else if (cmp > 0) {
      errs.push(field.invalid(`${path}.requests`, req, `must be less than or equal to ${name} limit of ${lim}`));
    }
  }
  return errs;
}

function validatePorts(ports: unknown, path: string): FieldError[] {
  if (ports === undefined || ports === null) return [];
  if (!Array.isArray(ports)) return [field.invalid(path, ports, "must be a list of ports")];
  const errs: FieldError[] = [];
  const names = new Set<string>();
  ports.forEach((port: unknown, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(port)) {
      errs.push(field.invalid(p, port, "must be an object"));
      return;
    }
    if (port.name !== undefined && port.name !== "") {
      if (typeof port.name !== "string") {
        errs.push(field.invalid(`${p}.name`, port.name, "must be a string"));
      } else {
        errs.push(...invalidEach(`${p}.name`, port.name, portNameErrors(port.name)));
        if (names.has(port.name)) errs.push(field.duplicate(`${p}.name`, port.name));
        names.add(port.name);
      }
    }
    if (port.containerPort === undefined || port.containerPort === 0) {
      errs.push(field.required(`${p}.containerPort`));
    } else if (!isInt(port.containerPort) || port.containerPort < 1 || port.containerPort > 65535) {
      errs.push(field.invalid(`${p}.containerPort`, port.containerPort, "must be between 1 and 65535, inclusive"));
    }
    if (port.hostPort !== undefined && port.hostPort !== 0 && (!isInt(port.hostPort) || port.hostPort < 1 || port.hostPort > 65535)) {
      errs.push(field.invalid(`${p}.hostPort`, port.hostPort, "must be between 1 and 65535, inclusive"));
    }
    if (port.protocol !== undefined && !protocols.includes(port.protocol as string)) {
      errs.push(field.notSupported(`${p}.protocol`, port.protocol, protocols));
    }
  });
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  if (env === undefined || env === null) return [];
  if (!Array.isArray(env)) return [field.invalid(path, env, "must be a list of environment variables")];
  const errs: FieldError[] = [];
  env.forEach((ev: unknown, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(ev)) {
      errs.push(field.invalid(p, ev, "must be an object"));
      return;
    }
    if (ev.name === undefined || ev.name === "") errs.push(field.required(`${p}.name`));
    else if (typeof ev.name !== "string") errs.push(field.invalid(`${p}.name`, ev.name, "must be a string"));
    else errs.push(...invalidEach(`${p}.name`, ev.name, envVarNameErrors(ev.name)));
    if (ev.value !== undefined && typeof ev.value !== "string") errs.push(field.invalid(`${p}.value`, ev.value, "must be a string"));
    if (ev.value && ev.valueFrom !== undefined && ev.valueFrom !== null) {
      errs.push(field.invalid(`${p}.valueFrom`, "", "may not be specified when `value` is not empty"));
    }
  });
  return errs;
}

/** Validates one container; `names` collects the names seen so far across all containers. */
function validateContainer(c: Container, path: string, names: Set<string>): FieldError[] {
  if (!isObject(c)) return [field.invalid(path, c, "must be an object")];
  const errs: FieldError[] = [];
  if (c.name === undefined || c.name === "") {
    errs.push(field.required(`${path}.name`));
  } else if (typeof c.name !== "string") {
    errs.push(field.invalid(`${path}.name`, c.name, "must be a string"));
  } else {
    errs.push(...invalidEach(`${path}.name`, c.name, dns1123LabelErrors(c.name)));
    if (names.has(c.name)) errs.push(field.duplicate(`${path}.name`, c.name));
    names.add(c.name);
  }
  if (c.image === undefined || c.image === "") errs.push(field.required(`${path}.image`));
  else if (typeof c.image !== "string") errs.push(field.invalid(`${path}.image`, c.image, "must be a string"));
  else if (c.image.trim() !== c.image) errs.push(field.invalid(`${path}.image`, c.image, "must not have leading or trailing whitespace"));
  // Absent enums are fine here: defaultPod fills them on create.
  if (c.imagePullPolicy !== undefined && !pullPolicies.includes(c.imagePullPolicy)) {
    errs.push(field.notSupported(`${path}.imagePullPolicy`, c.imagePullPolicy, pullPolicies));
  }
  for (const key of ["command", "args"] as const) {
    if (c[key] !== undefined && !isStringArray(c[key])) errs.push(field.invalid(`${path}.${key}`, c[key], "must be a list of strings"));
  }
  if (c.workingDir !== undefined && typeof c.workingDir !== "string") errs.push(field.invalid(`${path}.workingDir`, c.workingDir, "must be a string"));
  errs.push(...validateEnv(c.env, `${path}.env`));
  errs.push(...validatePorts(c.ports, `${path}.ports`));
  errs.push(...validateResources(c.resources, `${path}.resources`));
  if (c.terminationMessagePolicy !== undefined && !terminationMessagePolicies.includes(c.terminationMessagePolicy as string)) {
    errs.push(field.notSupported(`${path}.terminationMessagePolicy`, c.terminationMessagePolicy, terminationMessagePolicies));
  }
  return errs;
}

/** Validates tolerations (Kubernetes' validateTolerations). */
function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  if (tolerations === undefined || tolerations === null) return [];
  if (!Array.isArray(tolerations)) return [field.invalid(path, tolerations, "must be a list of tolerations")];
  const errs: FieldError[] = [];
  tolerations.forEach((t: Toleration, i) => {
    const p = `${path}[${i}]`;
    if (!isObject(t)) {
      errs.push(field.invalid(p, t, "must be an object"));
      return;
    }
    if (t.key !== undefined && t.key !== "") {
      if (typeof t.key !== "string") errs.push(field.invalid(`${p}.key`, t.key, "must be a string"));
      else errs.push(...invalidEach(`${p}.key`, t.key, qualifiedNameErrors(t.key)));
    }
    // An empty key with Exists tolerates every taint; with Equal it would match nothing.
    if (!t.key && t.operator !== "Exists") {
      errs.push(field.invalid(`${p}.operator`, t.operator ?? "", "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== "NoExecute") {
      errs.push(field.invalid(`${p}.effect`, t.effect ?? "", "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    if (t.operator === undefined || (t.operator as string) === "" || t.operator === "Equal") {
      if (t.value !== undefined) errs.push(...invalidEach(`${p}.value`, t.value, labelValueErrors(String(t.value))));
    } else if (t.operator === "Exists") {
      if (t.value) errs.push(field.invalid(`${p}.operator`, t.value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(field.notSupported(`${p}.operator`, t.operator, ["Equal", "Exists"]));
    }
    if (t.effect !== undefined && t.effect !== "" && !taintEffects.includes(t.effect as string)) {
      errs.push(field.notSupported(`${p}.effect`, t.effect, taintEffects));
    }
  });
  return errs;
}

function validateOptionalName(v: unknown, path: string, check: (s: string) => string[]): FieldError[] {
  if (v === undefined || v === "") return [];
  if (typeof v !== "string") return [field.invalid(path, v, "must be a string")];
  return invalidEach(path, v, check(v));
}

/** Validates a pod for create: metadata, containers, resources, policies, tolerations. */
export function validatePod(pod: Pod): FieldError[] {
  const errs = validateObjectMeta(pod.metadata, { namespaced: true });
  const spec = pod.spec as PodSpec | undefined;
  if (!isObject(spec)) return [...errs, field.required("spec")];
  const names = new Set<string>();
  if (!Array.isArray(spec.containers) || spec.containers.length === 0) {
    errs.push(field.required("spec.containers"));
  } else {
    spec.containers.forEach((c, i) => errs.push(...validateContainer(c, `spec.containers[${i}]`, names)));
  }
  // Init containers come second, as in Kubernetes, so a clash is reported on the init container.
  if (spec.initContainers !== undefined) {
    if (!Array.isArray(spec.initContainers)) errs.push(field.invalid("spec.initContainers", spec.initContainers, "must be a list of containers"));
    else spec.initContainers.forEach((c, i) => errs.push(...validateContainer(c, `spec.initContainers[${i}]`, names)));
  }
  if (spec.restartPolicy !== undefined && !restartPolicies.includes(spec.restartPolicy)) {
    errs.push(field.notSupported("spec.restartPolicy", spec.restartPolicy, restartPolicies));
  }
  if (spec.dnsPolicy !== undefined && !dnsPolicies.includes(spec.dnsPolicy as string)) {
    errs.push(field.notSupported("spec.dnsPolicy", spec.dnsPolicy, dnsPolicies));
  }
  const grace = spec.terminationGracePeriodSeconds;
  if (grace !== undefined && grace !== null && (!isInt(grace) || grace < 0)) {
    errs.push(field.invalid("spec.terminationGracePeriodSeconds", grace, "must be greater than or equal to 0"));
  }
  const deadline = spec.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null && (!isInt(deadline) || deadline < 1 || deadline > 2147483647)) {
    errs.push(field.invalid("spec.activeDeadlineSeconds", deadline, "must be between 1 and 2147483647, inclusive"));
  }
  errs.push(...validateLabels(spec.nodeSelector, "spec.nodeSelector"));
  errs.push(...validateOptionalName(spec.nodeName, "spec.nodeName", dns1123SubdomainErrors));
  errs.push(...validateOptionalName(spec.schedulerName, "spec.schedulerName", dns1123SubdomainErrors));
  errs.push(...validateOptionalName(spec.hostname, "spec.hostname", dns1123LabelErrors));
  errs.push(...validateTolerations(spec.tolerations, "spec.tolerations"));
  errs.push(...validatePodSchedulingAndHandlers(spec));
  return errs;
}

const podUpdateForbidden = "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations)";

/** Paths (spec.x, spec.containers[i].x) at which two pod specs differ, for the error message. */
function specDiff(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const out: string[] = [];
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (deepEqual(a[k], b[k])) continue;
    const x = a[k];
    const y = b[k];
    if ((k === "containers" || k === "initContainers") && Array.isArray(x) && Array.isArray(y) && x.length === y.length) {
      x.forEach((c, i) => {
        if (isObject(c) && isObject(y[i])) {
          for (const ck of new Set([...Object.keys(c), ...Object.keys(y[i])])) {
            if (!deepEqual(c[ck], y[i][ck])) out.push(`spec.${k}[${i}].${ck}`);
          }
        } else if (!deepEqual(c, y[i])) {
          out.push(`spec.${k}[${i}]`);
        }
      });
    } else {
      out.push(`spec.${k}`);
    }
  }
  return out;
}

/**
 * The update rules of a pod's spec: only container images, activeDeadlineSeconds (set or
 * lowered) and tolerations (additions) may change; spec.nodeName changes only by binding.
 * Callers also run validatePod and validateObjectMetaUpdate on the new object.
 */
export function validatePodUpdate(pod: Pod, old: Pod): FieldError[] {
  if (!isObject(pod.spec) || !isObject(old.spec)) return [];
  // Compare as stored: omitting a field that defaulting fills is not a change.
  const next = structuredClone({ ...pod, status: undefined }) as Pod;
  const prev = structuredClone({ ...old, status: undefined }) as Pod;
  defaultPod(next);
  defaultPod(prev);
  const newSpec = next.spec;
  const oldSpec = prev.spec;
  if (!Array.isArray(newSpec.containers) || !Array.isArray(oldSpec.containers) || newSpec.containers.length !== oldSpec.containers.length) {
    return [field.forbidden("spec.containers", "pod updates may not add or remove containers")];
  }
  const errs: FieldError[] = [];
  const newDeadline = newSpec.activeDeadlineSeconds;
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  if (newDeadline === undefined || newDeadline === null) {
    if (oldDeadline !== undefined && oldDeadline !== null) {
      errs.push(field.invalid("spec.activeDeadlineSeconds", null, "must not update from a positive integer to nil value"));
    }
  } else if (typeof oldDeadline === "number" && typeof newDeadline === "number" && newDeadline > oldDeadline) {
    errs.push(field.invalid("spec.activeDeadlineSeconds", newDeadline, "must be less than or equal to previous value"));
  }
  // Existing tolerations stay (only their tolerationSeconds may change); new ones may be added.
  const newTols = Array.isArray(newSpec.tolerations) ? newSpec.tolerations : [];
  for (const t of Array.isArray(oldSpec.tolerations) ? oldSpec.tolerations : []) {
    if (!newTols.some((n) => deepEqual({ ...t, tolerationSeconds: n.tolerationSeconds }, n))) {
      errs.push(field.forbidden("spec.tolerations", "existing toleration can not be modified except its tolerationSeconds"));
      break;
    }
  }
  // Copy the mutable fields from the old spec; whatever still differs was not allowed to change.
  const munged = structuredClone(newSpec);
  munged.containers.forEach((c, i) => {
    if (isObject(c) && isObject(oldSpec.containers[i])) c.image = oldSpec.containers[i].image;
  });
  if (Array.isArray(munged.initContainers) && Array.isArray(oldSpec.initContainers) && munged.initContainers.length === oldSpec.initContainers.length) {
    munged.initContainers.forEach((c, i) => {
      if (isObject(c) && isObject(oldSpec.initContainers?.[i])) c.image = oldSpec.initContainers![i].image;
    });
  }
  munged.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
  munged.tolerations = oldSpec.tolerations;
  const changed = specDiff(munged as Record<string, unknown>, oldSpec as Record<string, unknown>);
  if (changed.length) errs.push(field.forbidden("spec", `${podUpdateForbidden}; changed: ${changed.join(", ")}`));
  return errs;
}

// ---- nodes, namespaces, events ----

function validateCidr(v: unknown, path: string): FieldError[] {
  if (v === undefined || v === "") return [];
  const m = typeof v === "string" ? /^([^/]+)\/(\d{1,3})$/.exec(v) : null;
  const ipv4 = m && /^(\d{1,3})(\.\d{1,3}){3}$/.test(m[1]) && m[1].split(".").every((o) => Number(o) <= 255) && Number(m[2]) <= 32;
  const ipv6 = m && m[1].includes(":") && /^[0-9a-fA-F:.]+$/.test(m[1]) && Number(m[2]) <= 128;
  return ipv4 || ipv6 ? [] : [field.invalid(path, v, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)")];
}

/** Validates a node: name (DNS subdomain), taints, pod CIDRs and resource quantities. */
export function validateNode(node: Node): FieldError[] {
  const errs = validateObjectMeta(node.metadata, { namespaced: false });
  const spec = node.spec ?? {};
  if (!isObject(spec)) return [...errs, field.invalid("spec", spec, "must be an object")];
  errs.push(...validateCidr(spec.podCIDR, "spec.podCIDR"));
  if (Array.isArray(spec.podCIDRs)) spec.podCIDRs.forEach((c, i) => errs.push(...validateCidr(c, `spec.podCIDRs[${i}]`)));
  if (spec.taints !== undefined) {
    if (!Array.isArray(spec.taints)) {
      errs.push(field.invalid("spec.taints", spec.taints, "must be a list of taints"));
    } else {
      const seen = new Set<string>();
      spec.taints.forEach((t, i) => {
        const p = `spec.taints[${i}]`;
        if (!isObject(t)) {
          errs.push(field.invalid(p, t, "must be an object"));
          return;
        }
        errs.push(...invalidEach(`${p}.key`, t.key ?? "", qualifiedNameErrors(typeof t.key === "string" ? t.key : "")));
        if (t.value !== undefined) errs.push(...invalidEach(`${p}.value`, t.value, labelValueErrors(String(t.value))));
        if (!t.effect) errs.push(field.required(`${p}.effect`));
        else if (!taintEffects.includes(t.effect as string)) errs.push(field.notSupported(`${p}.effect`, t.effect, taintEffects));
        const id = `${t.key}\u0000${t.effect}`;
        if (seen.has(id)) {
          const dup = field.duplicate(p, { key: t.key, effect: t.effect });
          errs.push({ ...dup, message: `${dup.message}: taints must be unique by key and effect pair` });
        }
        seen.add(id);
      });
    }
  }
  const status = node.status;
  if (isObject(status)) {
    for (const key of ["capacity", "allocatable"] as const) {
      const list = status[key];
      if (list === undefined) continue;
      // Node resources are not container resources: any qualified name is fine.
      if (!isObject(list)) {
        errs.push(field.invalid(`status.${key}`, list, "must be a map of resource names to quantities"));
        continue;
      }
      for (const [name, value] of Object.entries(list)) {
        const p = `status.${key}[${name}]`;
        errs.push(...invalidEach(p, name, qualifiedNameErrors(name)));
        let n = Number.NaN;
        try {
          n = parseQuantity(value as string);
        } catch (err) {
          errs.push(field.invalid(p, value, (err as Error).message.replace(/^invalid quantity "[^"]*": /, "")));
          continue;
        }
        if (n < 0) errs.push(field.invalid(p, value, "must be greater than or equal to 0"));
      }
    }
  }
  return errs;
}

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

/** Validates an event: metadata, and an involvedObject with kind and name in the event's namespace. */
export function validateEvent(ev: Event): FieldError[] {
  const errs = validateObjectMeta(ev.metadata, { namespaced: true });
  const io = ev.involvedObject;
  if (!isObject(io)) {
    errs.push(field.required("involvedObject"));
  } else {
    if (!io.kind) errs.push(field.required("involvedObject.kind"));
    if (!io.name) errs.push(field.required("involvedObject.name"));
    const evNs = isObject(ev.metadata) ? ev.metadata.namespace ?? "" : "";
    // Events about cluster-scoped objects (nodes) live in "default", as in Kubernetes.
    const ok = io.namespace ? io.namespace === evNs : evNs === "" || evNs === "default";
    if (!ok) errs.push(field.invalid("involvedObject.namespace", io.namespace ?? "", "does not match event.namespace"));
  }
  if (ev.type !== undefined && ev.type !== "Normal" && ev.type !== "Warning") {
    errs.push(field.notSupported("type", ev.type, ["Normal", "Warning"]));
  }
  return errs;
}
