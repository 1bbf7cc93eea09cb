import { describe, it, expect } from "vitest";
import { parseArgs, parseDuration, UsageError, type FlagSpec } from "./args.js";

const spec: FlagSpec = {
  namespace: { type: "string", short: "n", description: "" },
  output: { type: "string", short: "o", description: "" },
  "all-namespaces": { type: "boolean", short: "A", description: "" },
  watch: { type: "boolean", short: "w", description: "" },
  wait: { type: "boolean", description: "" },
  filename: { type: "strings", short: "f", description: "" },
};

describe("parseArgs", () => {
  it("reads the forms kubectl accepts", () => {
    const { positionals, flags } = parseArgs(["get", "-n", "kube", "pods", "-owide", "-Aw", "--wait=false", "-f", "a.yaml", "--filename=b.yaml"], spec);
    expect(positionals).toEqual(["get", "pods"]);
    expect(flags.string("namespace")).toBe("kube");
    expect(flags.string("output")).toBe("wide");
    expect(flags.bool("all-namespaces")).toBe(true);
    expect(flags.bool("watch")).toBe(true);
    expect(flags.bool("wait", true)).toBe(false);
    expect(flags.strings("filename")).toEqual(["a.yaml", "b.yaml"]);
  });

  it("accepts -o=json and --namespace value, and stops at --", () => {
    const { positionals, flags } = parseArgs(["-o=json", "--namespace", "x", "--", "-n"], spec);
    expect(flags.string("output")).toBe("json");
    expect(flags.string("namespace")).toBe("x");
    expect(positionals).toEqual(["-n"]);
  });

  it("rejects unknown flags and missing values", () => {
    expect(() => parseArgs(["--nope"], spec)).toThrow(UsageError);
    expect(() => parseArgs(["-n"], spec)).toThrow("flag needs an argument");
    expect(() => parseArgs(["--wait=maybe"], spec)).toThrow(/invalid argument "maybe"/);
  });
});

describe("parseDuration", () => {
  it("reads Go-style durations and plain seconds", () => {
    expect(parseDuration("30s", "timeout")).toBe(30_000);
    expect(parseDuration("2m", "timeout")).toBe(120_000);
    expect(parseDuration("5", "timeout")).toBe(5_000);
    expect(() => parseDuration("soon", "timeout")).toThrow(UsageError);
  });
});
