import { describe, it, expect } from "vitest";
import { parseTokenFile, StaticTokens, TokenAuthenticator } from "./authn.js";

describe("static token file", () => {
  it("reads token,user,uid and quoted groups; every user is authenticated", () => {
    const tokens = parseTokenFile('# admins\nabc123,erin,1001,"ops,devs"\n\nxyz,frank,1002\n');
    expect(tokens).toEqual([
      { token: "abc123", user: { name: "erin", groups: ["ops", "devs", "system:authenticated"] } },
      { token: "xyz", user: { name: "frank", groups: ["system:authenticated"] } },
    ]);
  });

  it("refuses a malformed line with its number", () => {
    expect(() => parseTokenFile("only-a-token\n", "tokens.csv")).toThrow("tokens.csv:1: want token,user,uid");
  });

  it("the chain asks each checker in turn", async () => {
    const a = new TokenAuthenticator([
      new StaticTokens([{ token: "t1", user: { name: "one", groups: [] } }]),
      { check: async (t: string) => (t === "t2" ? { name: "two", groups: [] } : undefined) },
    ]);
    expect((await a.check("t1"))?.name).toBe("one");
    expect((await a.check("t2"))?.name).toBe("two");
    expect(await a.check("nope")).toBeUndefined();
  });
});
