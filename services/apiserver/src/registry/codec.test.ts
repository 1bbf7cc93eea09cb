import { describe, expect, it } from "vitest";
import { decodePrevious, decodeShared, encode, RecentMemo } from "./codec.js";

describe("decodeShared", () => {
  it("decodes one stored value once for all watchers, stamped with its revision", () => {
    const value = encode({ apiVersion: "v1", kind: "Pod", metadata: { name: "a", namespace: "default" } });
    const a = decodeShared({ revision: 7, value });
    expect(a.metadata.resourceVersion).toBe("7");
    expect(decodeShared({ revision: 7, value })).toBe(a);
    // The same bytes at another revision (never the case in one event) get their own object.
    expect(decodeShared({ revision: 8, value }).metadata.resourceVersion).toBe("8");
    expect(decodePrevious(value).metadata.name).toBe("a");
  });
});

describe("RecentMemo", () => {
  it("keeps at most its size, forgetting the first stored entry first", () => {
    const m = new RecentMemo<string, number>(2);
    m.set("a", 1);
    m.set("b", 2);
    m.set("a", 3); // replacing keeps the size (and a's place)
    expect(m.get("a")).toBe(3);
    m.set("c", 4);
    expect([m.get("a"), m.get("b"), m.get("c")]).toEqual([undefined, 2, 4]);
  });
});
