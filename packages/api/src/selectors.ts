// Label and field selectors: kubectl's string syntax ("app=web,tier in (a,b)"), the
// matchLabels/matchExpressions struct of workloads, and matching objects against them.
import { BadRequestError } from "./errors.js";
import { isQualifiedName, isValidLabelValue } from "./validation/names.js";

/** One requirement of a label selector; "exists" and "!" have no values. */
export interface LabelRequirement {
  key: string;
  operator: "=" | "!=" | "in" | "notin" | "exists" | "!";
  values: string[];
}

/** A conjunction of requirements; the empty selector matches everything. */
export type LabelSelector = LabelRequirement[];

// ---- lexer (k8s.io/apimachinery/pkg/labels/selector.go) ----

type TokenKind = "ident" | "in" | "notin" | "=" | "==" | "!=" | "!" | "(" | ")" | "," | "<" | ">" | "end";
interface Token {
  kind: TokenKind;
  text: string;
}

const specialChars = "=!(),<>";

function lex(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (/\s/.test(ch)) {
      i++;
    } else if (specialChars.includes(ch)) {
      const two = s.slice(i, i + 2);
      if (two === "==" || two === "!=") {
        out.push({ kind: two, text: two });
        i += 2;
      } else {
        out.push({ kind: ch as TokenKind, text: ch });
        i++;
      }
    } else {
      let j = i;
      while (j < s.length && !/\s/.test(s[j]) && !specialChars.includes(s[j])) j++;
      const text = s.slice(i, j);
      out.push({ kind: text === "in" ? "in" : text === "notin" ? "notin" : "ident", text });
      i = j;
    }
  }
  out.push({ kind: "end", text: "" });
  return out;
}

/** Tokens that can be a key or value: "in" and "notin" are fine as label values and keys. */
const isWord = (t: Token): boolean => t.kind === "ident" || t.kind === "in" || t.kind === "notin";

const describe = (t: Token): string => (t.kind === "end" ? "end of string" : `'${t.text}'`);

/**
 * Parses kubectl's label selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
 * `a`, `!a`, comma-separated. Requirements come back sorted by key (as Kubernetes does).
 * Throws BadRequestError on bad syntax or invalid keys/values.
 */
export function parseLabelSelector(s: string): LabelSelector {
  function fail(why: string): never {
    throw new BadRequestError(`unable to parse label selector ${JSON.stringify(s)}: ${why}`);
  }
  const toks = lex(s);
  let pos = 0;
  const next = (): Token => toks[pos++];
  const peek = (): Token => toks[pos];
  const reqs: LabelRequirement[] = [];

  if (peek().kind === "end") return [];
  for (;;) {
    let t = next();
    let req: LabelRequirement;
    if (t.kind === "!") {
      t = next();
      if (!isWord(t)) fail(`found ${describe(t)}, expected: identifier after '!'`);
      req = { key: t.text, operator: "!", values: [] };
    } else {
      if (!isWord(t)) fail(`found ${describe(t)}, expected: !, identifier, or 'end of string'`);
      const key = t.text;
      const op = peek();
      if (op.kind === "," || op.kind === "end") {
        req = { key, operator: "exists", values: [] };
      } else if (op.kind === "=" || op.kind === "==" || op.kind === "!=") {
        next();
        // A missing value means the empty value: "tier=" selects labels tier="".
        const v = peek();
        const value = isWord(v) ? next().text : "";
        if (!isWord(v) && v.kind !== "," && v.kind !== "end") fail(`found ${describe(v)}, expected: identifier`);
        req = { key, operator: op.kind === "!=" ? "!=" : "=", values: [value] };
      } else if (op.kind === "in" || op.kind === "notin") {
        next();
        const open = next();
        if (open.kind !== "(") fail(`found ${describe(open)}, expected: '(' after '${op.text}'`);
        const values: string[] = [];
        // Values are separated by commas; an empty entry ("(a,)") is the empty value.
        for (;;) {
          const v = peek();
          if (isWord(v)) {
            values.push(next().text);
          } else if (v.kind === "," || v.kind === ")") {
            if (v.kind === "," || values.length > 0) values.push("");
          } else {
            fail(`found ${describe(v)}, expected: ',' or ')'`);
          }
          const sep = next();
          if (sep.kind === ")") break;
          if (sep.kind !== ",") fail(`found ${describe(sep)}, expected: ',' or ')'`);
        }
        if (values.length === 0) fail(`for 'in', 'notin' operators, values set can't be empty`);
        req = { key, operator: op.kind, values };
      } else if (op.kind === "<" || op.kind === ">") {
        fail(`operator '${op.text}' is not supported`);
      } else {
        fail(`found ${describe(op)}, expected: in, notin, =, ==, !=, or ',' after key '${key}'`);
      }
    }
    const keyErr = isQualifiedName(req.key);
    if (keyErr) fail(`invalid label key "${req.key}": ${keyErr}`);
    for (const v of req.values) {
      const valueErr = isValidLabelValue(v);
      if (valueErr) fail(`invalid label value: "${v}": at key: "${req.key}": ${valueErr}`);
    }
    reqs.push(req);
    const sep = next();
    if (sep.kind === "end") break;
    if (sep.kind !== ",") fail(`found ${describe(sep)}, expected: ',' or 'end of string'`);
    const after = peek();
    if (!isWord(after) && after.kind !== "!") fail(`found ${describe(after)}, expected: identifier after ','`);
  }
  return sortByKey(reqs);
}

function sortByKey(reqs: LabelRequirement[]): LabelRequirement[] {
  return [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

/** The matchLabels/matchExpressions form used by ReplicaSets, Deployments, Services… */
export interface LabelSelectorStruct {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist"; values?: string[] }[];
}

const structOperators = { In: "in", NotIn: "notin", Exists: "exists", DoesNotExist: "!" } as const;

/**
 * Converts a selector struct. An absent (undefined/null) or empty selector gives [], which
 * matches everything — unlike Kubernetes, where a nil selector matches nothing; callers that
 * need "nothing" must check for absence themselves. Throws BadRequestError on bad operators
 * or values (In/NotIn need values; Exists/DoesNotExist take none).
 */
export function labelSelectorFromStruct(sel: LabelSelectorStruct | undefined | null): LabelSelector {
  if (!sel) return [];
  const reqs: LabelRequirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) {
    reqs.push({ key, operator: "=", values: [value] });
  }
  for (const e of sel.matchExpressions ?? []) {
    const operator = structOperators[e.operator];
    if (!operator) throw new BadRequestError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    const values = e.values ?? [];
    if ((operator === "in" || operator === "notin") && values.length === 0) {
      throw new BadRequestError(`values: Invalid value: []: for 'in', 'notin' operators, values set can't be empty`);
    }
    if ((operator === "exists" || operator === "!") && values.length > 0) {
      throw new BadRequestError(`values: Invalid value: ${JSON.stringify(values)}: values set must be empty for exists and does not exist`);
    }
    reqs.push({ key: e.key, operator, values: [...values] });
  }
  return sortByKey(reqs);
}

/** Whether labels satisfy every requirement (a missing label satisfies != and notin). */
export function matchesLabels(sel: LabelSelector, labels: Record<string, string> | undefined): boolean {
  const ls = labels ?? {};
  return sel.every((r) => {
    const has = Object.hasOwn(ls, r.key);
    const v = ls[r.key];
    switch (r.operator) {
      case "=":
        return has && v === r.values[0];
      case "!=":
        return !has || v !== r.values[0];
      case "in":
        return has && r.values.includes(v);
      case "notin":
        return !has || !r.values.includes(v);
      case "exists":
        return has;
      case "!":
        return !has;
      default:
        return false;
    }
  });
}

/** Formats a selector in kubectl syntax (values of in/notin sorted), the inverse of parseLabelSelector. */
export function formatLabelSelector(sel: LabelSelector): string {
  return sel
    .map((r) => {
      switch (r.operator) {
        case "=":
        case "!=":
          return `${r.key}${r.operator}${r.values[0] ?? ""}`;
        case "in":
        case "notin":
          return `${r.key} ${r.operator} (${[...r.values].sort().join(",")})`;
        case "exists":
          return r.key;
        case "!":
          return `!${r.key}`;
        default:
          return "";
      }
    })
    .join(",");
}

// ---- field selectors ----

/** One requirement of a field selector: a dotted field path compared with a value. */
export interface FieldRequirement {
  field: string;
  operator: "=" | "!=";
  value: string;
}

/** Splits on commas not escaped with a backslash (Kubernetes' splitTerms). */
function splitTerms(s: string): string[] {
  const terms: string[] = [];
  let cur = "";
  for (let i = 0; i < s.length; i++) {
    if (s[i] === "\\" && i + 1 < s.length) {
      cur += s[i] + s[i + 1];
      i++;
    } else if (s[i] === ",") {
      terms.push(cur);
      cur = "";
    } else {
      cur += s[i];
    }
  }
  terms.push(cur);
  return terms;
}

/** Undoes the escapes a field selector value may hold: `\\`, `\,` and `\=`. */
function unescapeValue(v: string, selector: string): string {
  let out = "";
  for (let i = 0; i < v.length; i++) {
    if (v[i] !== "\\") {
      out += v[i];
      continue;
    }
    const c = v[i + 1];
    if (c !== "\\" && c !== "," && c !== "=") {
      throw new BadRequestError(`invalid field selector ${JSON.stringify(selector)}: invalid escape sequence in value ${JSON.stringify(v)}`);
    }
    out += c;
    i++;
  }
  return out;
}

/** Parses a field selector: `a=b`, `a==b`, `a!=b`, comma-separated. Throws BadRequestError on bad syntax. */
export function parseFieldSelector(s: string): FieldRequirement[] {
  const reqs: FieldRequirement[] = [];
  for (const term of splitTerms(s)) {
    if (term.trim() === "") continue;
    // The first operator wins, so "a=b=c" compares a with "b=c" (escape "=" as "\=" to be explicit).
    const m = /^([^=!]*)(!=|==|=)(.*)$/.exec(term);
    const key = m?.[1].trim() ?? "";
    if (!m || key === "") {
      throw new BadRequestError(`invalid field selector ${JSON.stringify(s)}: can't understand '${term}'`);
    }
    reqs.push({ field: key, operator: m[2] === "!=" ? "!=" : "=", value: unescapeValue(m[3].trim(), s) });
  }
  return reqs;
}

/** The string value at a dotted path ("spec.nodeName"), or "" when absent or not a scalar. */
function fieldValue(obj: unknown, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split(".")) {
    if (typeof cur !== "object" || cur === null) return "";
    cur = (cur as Record<string, unknown>)[part];
  }
  if (typeof cur === "string") return cur;
  if (typeof cur === "number" || typeof cur === "boolean") return String(cur);
  return "";
}

/** Whether obj satisfies every field requirement; a missing field compares as "". */
export function matchesFields(reqs: FieldRequirement[], obj: unknown): boolean {
  return reqs.every((r) => (fieldValue(obj, r.field) === r.value) === (r.operator === "="));
}
