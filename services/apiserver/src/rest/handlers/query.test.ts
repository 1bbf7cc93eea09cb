import { describe, expect, it } from "vitest";
import { isDryRun, continueToken, flag, intParam, listOptions } from "./query.js";

const q = (s: string) => new URLSearchParams(s);

describe("query parameters as Kubernetes reads them", () => {
  it("booleans: absent, 0 and false (any case) are false; anything else is true", () => {
    for (const v of ["true", "True", "TRUE", "1", "t", "T", "yes", ""]) expect(flag(q(`watch=${v}`), "watch"), v).toBe(true);
    for (const v of ["false", "False", "FALSE", "0"]) expect(flag(q(`watch=${v}`), "watch"), v).toBe(false);
    expect(flag(q(""), "watch")).toBe(false);
    // The first value wins, as in Go's url.Values conversion.
    expect(flag(q("watch=0&watch=1"), "watch")).toBe(false);
  });

  it("integers are strconv.ParseInt: sign and digits, anything else is a 400 naming the parameter", () => {
    expect(intParam(q("limit=5"), "limit")).toBe(5);
    expect(intParam(q("limit=%2B5"), "limit")).toBe(5);
    expect(intParam(q("timeoutSeconds=-1"), "timeoutSeconds")).toBe(-1);
    expect(intParam(q(""), "limit")).toBeUndefined();
    for (const bad of ["abc", "1.5", " 5", "5s", "", "0x10", "99999999999999999999"]) {
      expect(() => intParam(q(`limit=${encodeURIComponent(bad)}`), "limit"), bad).toThrow(/query parameter "limit": strconv\.ParseInt/);
    }
    try {
      intParam(q("tailLines=x"), "tailLines");
    } catch (err) {
      expect((err as { code: number }).code).toBe(400);
    }
  });

  it("continue tokens Skiff did not issue are a 400, not an empty page", () => {
    const good = Buffer.from(JSON.stringify({ k: "default/a" })).toString("base64url");
    expect(continueToken(q(`continue=${good}`))).toBe(good);
    expect(listOptions(q(`limit=1&continue=${good}`), "default").continueToken).toBe(good);
    for (const bad of [
      "abc",
      "!!!",
      Buffer.from("{}").toString("base64url"),
      Buffer.from('"x"').toString("base64url"),
      Buffer.from('{"k":5}').toString("base64url"),
    ]) {
      expect(() => continueToken(q(`continue=${encodeURIComponent(bad)}`)), bad).toThrow(/continue token is not valid/);
    }
    expect(() => continueToken(q(`continue=${good}&resourceVersion=12`))).toThrow(/resource version is not allowed when using continue/);
    expect(continueToken(q(`continue=${good}&resourceVersion=0`))).toBe(good);
  });

  it("dryRun accepts only All", () => {
    expect(isDryRun(q("dryRun=All"))).toBe(true);
    expect(() => isDryRun(q("dryRun=true"))).toThrow(/only All/);
  });
});
