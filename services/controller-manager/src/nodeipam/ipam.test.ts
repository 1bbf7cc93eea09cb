import { describe, expect, it } from "vitest";
import { nextFreeSubnet } from "./ipam.js";

describe("node IPAM: the next free podCIDR", () => {
  it("hands out the lowest subnet no node holds", () => {
    expect(nextFreeSubnet("10.244.0.0/16", 24, [])).toBe("10.244.0.0/24");
    expect(nextFreeSubnet("10.244.0.0/16", 24, ["10.244.0.0/24", "10.244.2.0/24"])).toBe("10.244.1.0/24");
    // Host bits set in a node's podCIDR still mark its subnet taken; other sizes and ranges do not count.
    expect(nextFreeSubnet("10.244.0.0/16", 24, ["10.244.0.9/24", "10.244.1.0/25", "10.99.2.0/24"])).toBe("10.244.1.0/24");
  });

  it("says when the cluster CIDR is full, and refuses a node mask wider than it", () => {
    expect(nextFreeSubnet("10.244.0.0/23", 24, ["10.244.0.0/24", "10.244.1.0/24"])).toBeUndefined();
    expect(() => nextFreeSubnet("10.244.0.0/24", 16, [])).toThrow(/larger than the cluster CIDR/);
    expect(() => nextFreeSubnet("nope", 24, [])).toThrow(/invalid CIDR/);
  });

  it("finds the gap among 1,000 nodes, and the end of a full range", () => {
    const used = Array.from({ length: 1000 }, (_, i) => `10.${(i >> 8) + 1}.${i & 255}.0/24`);
    expect(nextFreeSubnet("10.0.0.0/8", 24, used)).toBe("10.0.0.0/24");
    expect(nextFreeSubnet("10.1.0.0/16", 24, used.slice(0, 256))).toBeUndefined();
  });
});
