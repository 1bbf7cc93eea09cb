import { describe, it, expect } from "vitest";
import { parseLabelSelector, labelSelectorFromStruct, matchesLabels, formatLabelSelector, parseFieldSelector, matchesFields } from "./selectors.js";
import { BadRequestError } from "./errors.js";

/** Runs fn and returns what it threw. */
function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a throw");
}

describe("parseLabelSelector", () => {
  it("parses every operator", () => {
    expect(parseLabelSelector("a=b")).toEqual([{ key: "a", operator: "=", values: ["b"] }]);
    expect(parseLabelSelector("a==b")).toEqual([{ key: "a", operator: "=", values: ["b"] }]);
    expect(parseLabelSelector("a!=b")).toEqual([{ key: "a", operator: "!=", values: ["b"] }]);
    expect(parseLabelSelector("a in (x,y)")).toEqual([{ key: "a", operator: "in", values: ["x", "y"] }]);
    expect(parseLabelSelector("a notin (x)")).toEqual([{ key: "a", operator: "notin", values: ["x"] }]);
    expect(parseLabelSelector("a")).toEqual([{ key: "a", operator: "exists", values: [] }]);
    expect(parseLabelSelector("!a")).toEqual([{ key: "a", operator: "!", values: [] }]);
  });

  it("parses comma-separated requirements, sorted by key", () => {
    expect(parseLabelSelector("tier=web,app in (a, b),!canary")).toEqual([
      { key: "app", operator: "in", values: ["a", "b"] },
      { key: "canary", operator: "!", values: [] },
      { key: "tier", operator: "=", values: ["web"] },
    ]);
  });

  it("tolerates whitespace anywhere between tokens", () => {
    expect(parseLabelSelector("  a = b ,  c  in  ( x , y ) , ! d ")).toEqual([
      { key: "a", operator: "=", values: ["b"] },
      { key: "c", operator: "in", values: ["x", "y"] },
      { key: "d", operator: "!", values: [] },
    ]);
  });

  it("accepts prefixed keys and an empty value", () => {
    expect(parseLabelSelector("app.kubernetes.io/name=web")).toEqual([{ key: "app.kubernetes.io/name", operator: "=", values: ["web"] }]);
    expect(parseLabelSelector("a=")).toEqual([{ key: "a", operator: "=", values: [""] }]);
    expect(parseLabelSelector("a=,b")).toEqual([
      { key: "a", operator: "=", values: [""] },
      { key: "b", operator: "exists", values: [] },
    ]);
  });

  it("returns the empty selector for an empty string", () => {
    expect(parseLabelSelector("")).toEqual([]);
    expect(parseLabelSelector("   ")).toEqual([]);
  });

  it("rejects bad syntax with a BadRequestError saying what was expected", () => {
    const err = thrown(() => parseLabelSelector("a in x"));
    expect(err).toBeInstanceOf(BadRequestError);
    expect((err as BadRequestError).code).toBe(400);
    expect((err as Error).message).toBe(`unable to parse label selector "a in x": found 'x', expected: '(' after 'in'`);
    expect(() => parseLabelSelector("a in ()")).toThrow("for 'in', 'notin' operators, values set can't be empty");
    expect(() => parseLabelSelector("a in (x")).toThrow("found end of string, expected: ',' or ')'");
    expect(() => parseLabelSelector("a,")).toThrow("found end of string, expected: identifier after ','");
    expect(() => parseLabelSelector("=b")).toThrow("found '=', expected: !, identifier, or 'end of string'");
    expect(() => parseLabelSelector("a b")).toThrow("found 'b', expected: in, notin, =, ==, !=, or ',' after key 'a'");
    expect(() => parseLabelSelector("a=b c")).toThrow("found 'c', expected: ',' or 'end of string'");
    expect(() => parseLabelSelector("a>1")).toThrow("operator '>' is not supported");
    expect(() => parseLabelSelector("!")).toThrow(BadRequestError);
  });

  it("rejects invalid keys and values", () => {
    expect(() => parseLabelSelector("a/b/c=x")).toThrow(/invalid label key "a\/b\/c": a qualified name must consist of/);
    expect(() => parseLabelSelector("a=-x")).toThrow(/invalid label value: "-x": at key: "a": a valid label must be an empty string/);
    expect(() => parseLabelSelector("a=" + "x".repeat(64))).toThrow(/must be no more than 63 characters/);
  });
});

describe("labelSelectorFromStruct", () => {
  it("converts matchLabels and matchExpressions", () => {
    expect(
      labelSelectorFromStruct({
        matchLabels: { app: "web" },
        matchExpressions: [
          { key: "tier", operator: "In", values: ["a", "b"] },
          { key: "env", operator: "NotIn", values: ["dev"] },
          { key: "owner", operator: "Exists" },
          { key: "canary", operator: "DoesNotExist" },
        ],
      }),
    ).toEqual([
      { key: "app", operator: "=", values: ["web"] },
      { key: "canary", operator: "!", values: [] },
      { key: "env", operator: "notin", values: ["dev"] },
      { key: "owner", operator: "exists", values: [] },
      { key: "tier", operator: "in", values: ["a", "b"] },
    ]);
  });

  it("treats an absent or empty selector as matching everything", () => {
    expect(labelSelectorFromStruct(undefined)).toEqual([]);
    expect(labelSelectorFromStruct(null)).toEqual([]);
    expect(labelSelectorFromStruct({})).toEqual([]);
    expect(matchesLabels(labelSelectorFromStruct(undefined), { any: "thing" })).toBe(true);
  });

  it("rejects operators with the wrong number of values", () => {
    expect(() => labelSelectorFromStruct({ matchExpressions: [{ key: "a", operator: "In", values: [] }] })).toThrow(BadRequestError);
    expect(() => labelSelectorFromStruct({ matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] })).toThrow(/values set must be empty/);
    expect(() => labelSelectorFromStruct({ matchExpressions: [{ key: "a", operator: "Gt" as "In", values: ["1"] }] })).toThrow(
      /"Gt" is not a valid label selector operator/,
    );
  });
});

describe("matchesLabels", () => {
  const labels = { app: "web", tier: "frontend" };

  it("matches the empty selector against anything, even no labels", () => {
    expect(matchesLabels([], labels)).toBe(true);
    expect(matchesLabels([], undefined)).toBe(true);
  });

  it("applies equality and inequality", () => {
    expect(matchesLabels(parseLabelSelector("app=web"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("app=db"), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector("app!=db"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("app!=web"), labels)).toBe(false);
    // As in Kubernetes, a missing label is "not equal".
    expect(matchesLabels(parseLabelSelector("env!=prod"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("env="), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector("env="), { env: "" })).toBe(true);
  });

  it("applies set operators", () => {
    expect(matchesLabels(parseLabelSelector("tier in (frontend,backend)"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("tier in (backend)"), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector("env in (prod)"), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector("tier notin (backend)"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("tier notin (frontend)"), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector("env notin (prod)"), labels)).toBe(true);
  });

  it("applies existence", () => {
    expect(matchesLabels(parseLabelSelector("app"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("env"), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector("!env"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("!app"), labels)).toBe(false);
    expect(matchesLabels(parseLabelSelector("!app"), undefined)).toBe(true);
  });

  it("requires every requirement", () => {
    expect(matchesLabels(parseLabelSelector("app=web,tier=frontend"), labels)).toBe(true);
    expect(matchesLabels(parseLabelSelector("app=web,tier=backend"), labels)).toBe(false);
  });

  it("does not see inherited properties as labels", () => {
    expect(matchesLabels(parseLabelSelector("constructor"), {})).toBe(false);
  });
});

describe("formatLabelSelector", () => {
  it("prints kubectl syntax", () => {
    expect(
      formatLabelSelector([
        { key: "a", operator: "=", values: ["b"] },
        { key: "c", operator: "!=", values: ["d"] },
        { key: "e", operator: "in", values: ["y", "x"] },
        { key: "f", operator: "notin", values: ["z"] },
        { key: "g", operator: "exists", values: [] },
        { key: "h", operator: "!", values: [] },
      ]),
    ).toBe("a=b,c!=d,e in (x,y),f notin (z),g,!h");
    expect(formatLabelSelector([])).toBe("");
  });

  it("round-trips through parseLabelSelector", () => {
    const s = "app in (a,b),env!=prod,tier=web,!canary,owner";
    expect(parseLabelSelector(formatLabelSelector(parseLabelSelector(s)))).toEqual(parseLabelSelector(s));
  });
});

describe("parseFieldSelector", () => {
  it("parses =, == and != terms", () => {
    expect(parseFieldSelector("spec.nodeName=n1,status.phase!=Running,metadata.name==p")).toEqual([
      { field: "spec.nodeName", operator: "=", value: "n1" },
      { field: "status.phase", operator: "!=", value: "Running" },
      { field: "metadata.name", operator: "=", value: "p" },
    ]);
  });

  it("accepts empty values and an empty selector", () => {
    expect(parseFieldSelector("spec.nodeName=")).toEqual([{ field: "spec.nodeName", operator: "=", value: "" }]);
    expect(parseFieldSelector("")).toEqual([]);
  });

  it("unescapes commas and equals signs in values", () => {
    expect(parseFieldSelector("metadata.name=a\\,b,reason=x\\=y")).toEqual([
      { field: "metadata.name", operator: "=", value: "a,b" },
      { field: "reason", operator: "=", value: "x=y" },
    ]);
  });

  it("rejects terms without an operator or field", () => {
    expect(() => parseFieldSelector("spec.nodeName")).toThrow(BadRequestError);
    expect(() => parseFieldSelector("spec.nodeName")).toThrow(`invalid field selector "spec.nodeName": can't understand 'spec.nodeName'`);
    expect(() => parseFieldSelector("=x")).toThrow(/can't understand '=x'/);
    expect(() => parseFieldSelector("a=b\\q")).toThrow(/invalid escape sequence/);
  });
});

describe("matchesFields", () => {
  const pod = { metadata: { name: "p", namespace: "ns" }, spec: { nodeName: "n1", priority: 5 }, status: { phase: "Running" } };

  it("looks up dotted paths", () => {
    expect(matchesFields(parseFieldSelector("spec.nodeName=n1"), pod)).toBe(true);
    expect(matchesFields(parseFieldSelector("spec.nodeName=n2"), pod)).toBe(false);
    expect(matchesFields(parseFieldSelector("metadata.name=p,metadata.namespace=ns"), pod)).toBe(true);
    expect(matchesFields(parseFieldSelector("status.phase!=Running"), pod)).toBe(false);
    expect(matchesFields(parseFieldSelector("spec.priority=5"), pod)).toBe(true);
  });

  it("compares a missing field as the empty string", () => {
    const pending = { metadata: { name: "q" }, spec: {} };
    expect(matchesFields(parseFieldSelector("spec.nodeName="), pending)).toBe(true);
    expect(matchesFields(parseFieldSelector("spec.nodeName!="), pending)).toBe(false);
    expect(matchesFields(parseFieldSelector("spec.nodeName!=n1"), pending)).toBe(true);
    expect(matchesFields(parseFieldSelector("status.phase="), pending)).toBe(true);
  });

  it("matches everything with no requirements", () => {
    expect(matchesFields([], pod)).toBe(true);
    expect(matchesFields([], undefined)).toBe(true);
  });
});
