import { describe, expect, it } from "vitest";
import { proxyHeaderV2 } from "./proxy-protocol.js";

const SIG = "0d0a0d0a000d0a515549540a";

describe("PROXY protocol v2 header", () => {
  it("encodes a TCP over IPv4 connection (spec example layout)", () => {
    const h = proxyHeaderV2("203.0.113.7", 40000, "10.96.0.10", 80);
    expect(h.toString("hex")).toBe(`${SIG}2111000c` + "cb007107" + "0a60000a" + "9c40" + "0050");
  });

  it("unmaps IPv4-mapped IPv6 addresses", () => {
    expect(proxyHeaderV2("::ffff:127.0.0.1", 1, "::ffff:127.0.0.2", 2)).toEqual(proxyHeaderV2("127.0.0.1", 1, "127.0.0.2", 2));
  });

  it("sends IPv6 (and mixed families as IPv6)", () => {
    const h = proxyHeaderV2("2001:db8::1", 443, "10.0.0.1", 8443);
    expect(h.length).toBe(52);
    expect(h.subarray(12, 16).toString("hex")).toBe("21210024");
    expect(h.subarray(16, 32).toString("hex")).toBe("20010db8000000000000000000000001");
    expect(h.subarray(32, 48).toString("hex")).toBe("00000000000000000000ffff0a000001");
    expect(h.readUInt16BE(48)).toBe(443);
    expect(h.readUInt16BE(50)).toBe(8443);
  });

  it("falls back to LOCAL without addresses", () => {
    expect(proxyHeaderV2("", 0, "", 0).toString("hex")).toBe(`${SIG}20000000`);
  });
});
