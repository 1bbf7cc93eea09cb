import { describe, expect, it } from "vitest";
import { formatIPv4, ipv4InCidr, parseIPv4, parseIPv4Cidr } from "./ipv4.js";

describe("IPv4 arithmetic", () => {
  it("parses dotted addresses and refuses what is not one", () => {
    expect(parseIPv4("10.244.3.1")).toBe(0x0af40301);
    expect(parseIPv4("255.255.255.255")).toBe(2 ** 32 - 1);
    for (const bad of ["256.0.0.1", "1.2.3", "1.2.3.4.5", "a.b.c.d", "", "1.2.3.4/8", " 1.2.3.4", "1234.1.1.1"]) expect(parseIPv4(bad), bad).toBeUndefined();
    expect(formatIPv4(0x0af40301)).toBe("10.244.3.1");
    expect(formatIPv4(2 ** 32 - 1)).toBe("255.255.255.255");
  });

  it("parses CIDRs with the host bits cleared; a bare address only as a /32 when asked", () => {
    expect(parseIPv4Cidr("10.244.3.7/24")).toEqual({ net: parseIPv4("10.244.3.0"), bits: 24, size: 256 });
    expect(parseIPv4Cidr("0.0.0.0/0")).toEqual({ net: 0, bits: 0, size: 2 ** 32 });
    expect(parseIPv4Cidr("10.1.2.3")).toBeUndefined();
    expect(parseIPv4Cidr("10.1.2.3", true)).toEqual({ net: parseIPv4("10.1.2.3"), bits: 32, size: 1 });
    for (const bad of ["10.0.0.0/33", "10.0.0.0/", "10.0.0.0/x", "300.0.0.0/8", "10.0.0.0/8/8"]) expect(parseIPv4Cidr(bad), bad).toBeUndefined();
  });

  it("tells whether an address lies in a CIDR, false for anything malformed", () => {
    expect(ipv4InCidr("10.244.3.255", "10.244.3.0/24")).toBe(true);
    expect(ipv4InCidr("10.244.4.0", "10.244.3.0/24")).toBe(false);
    expect(ipv4InCidr("192.168.1.20", "0.0.0.0/0")).toBe(true);
    expect(ipv4InCidr("255.255.255.255", "255.255.255.0/24")).toBe(true);
    expect(ipv4InCidr("10.1.2.3", "10.1.2.3")).toBe(false);
    expect(ipv4InCidr("10.1.2.3", "10.1.2.3", true)).toBe(true);
    expect(ipv4InCidr("fe80::1", "10.0.0.0/8")).toBe(false);
    expect(ipv4InCidr("10.0.0.1", "nope")).toBe(false);
  });
});
