// Name and label syntax checks with Kubernetes' messages (k8s.io/apimachinery/pkg/util/validation):
// DNS-1123 labels and subdomains, qualified names, label values, env var and port names.
/** Kubernetes' RegexError, including its double space between examples. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;
}
const maxLenError = (n: number): string => `must be no more than ${n} characters`;
const emptyError = "must be non-empty";

const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123LabelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1123SubdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const qualifiedNameMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
const labelValueMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const envVarNameFmt = "[-._a-zA-Z][-._a-zA-Z0-9]*";
const envVarNameRe = new RegExp(`^${envVarNameFmt}$`);
const envVarNameMsg = "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";

export function dns1123LabelErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 63) errs.push(maxLenError(63));
  if (!dns1123LabelRe.test(s)) errs.push(regexError(dns1123LabelMsg, dns1123LabelFmt, "my-name", "123-abc"));
  return errs;
}

export function dns1123SubdomainErrors(s: string): string[] {
  const errs: string[] = [];
  if (s.length > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainRe.test(s)) errs.push(regexError(dns1123SubdomainMsg, dns1123SubdomainFmt, "example.com"));
  return errs;
}

export function qualifiedNameErrors(s: string): string[] {
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
    return [
      `a qualified name ${regexError(qualifiedNameMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push(`name part ${emptyError}`);
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(qualifiedNameMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")}`);
  return errs;
}

export function labelValueErrors(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(v)) errs.push(regexError(labelValueMsg, labelValueFmt, "MyValue", "my_value", "12345"));
  return errs;
}

export function envVarNameErrors(s: string): string[] {
  const errs: string[] = [];
  if (!envVarNameRe.test(s)) errs.push(regexError(envVarNameMsg, envVarNameFmt, "my.env-name", "MY_ENV.NAME", "MyEnvName1"));
  // Why: "." and ".." would be path components if the variable were projected into a file.
  if (s === ".") errs.push("must not be '.'");
  else if (s === "..") errs.push("must not be '..'");
  else if (s.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

export function portNameErrors(s: string): string[] {
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

/** Names that are one URL path segment (RBAC objects: "system:aggregate-to-view" is valid). */
export function pathSegmentNameErrors(s: string): string[] {
  if (s === "." || s === "..") return [`may not be '${s}'`];
  for (const bad of ["/", "%"]) if (s.includes(bad)) return [`may not contain '${bad}'`];
  return [];
}
