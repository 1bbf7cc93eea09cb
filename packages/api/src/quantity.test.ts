import { describe, it, expect } from "vitest";
import { parseQuantity, isValidQuantity, compareQuantities, cpuToMilli, memoryToBytes, formatCpuMilli, formatBytes } from "./quantity.js";

describe("parseQuantity", () => {
  it("parses decimal SI suffixes", () => {
    expect(parseQuantity("500m")).toBe(0.5);
    expect(parseQuantity("128M")).toBe(128_000_000);
    expect(parseQuantity("2k")).toBe(2000);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("3T")).toBe(3e12);
    expect(parseQuantity("1P")).toBe(1e15);
    expect(parseQuantity("1E")).toBe(1e18);
    expect(parseQuantity("250u")).toBe(0.00025);
    expect(parseQuantity("5n")).toBe(5e-9);
    expect(parseQuantity("2")).toBe(2);
  });

  it("parses binary suffixes", () => {
    expect(parseQuantity("1Ki")).toBe(1024);
    expect(parseQuantity("1Mi")).toBe(1048576);
    expect(parseQuantity("1Gi")).toBe(1073741824);
    expect(parseQuantity("1.5Gi")).toBe(1610612736);
    expect(parseQuantity("1Ti")).toBe(1024 ** 4);
    expect(parseQuantity("1Ei")).toBe(1024 ** 6);
  });

  it("parses decimal exponents in either case", () => {
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("1E3")).toBe(1000);
    expect(parseQuantity("12e-3")).toBe(0.012);
    expect(parseQuantity("1e+2")).toBe(100);
  });

  it("parses signs, fractions and numbers", () => {
    expect(parseQuantity("-1")).toBe(-1);
    expect(parseQuantity("+1.5")).toBe(1.5);
    expect(parseQuantity(".5")).toBe(0.5);
    expect(parseQuantity("0")).toBe(0);
    expect(parseQuantity(0.25)).toBe(0.25);
    expect(parseQuantity(3)).toBe(3);
  });

  it("rejects bad syntax with Kubernetes' message", () => {
    expect(() => parseQuantity("abc")).toThrow("quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
    expect(() => parseQuantity("")).toThrow(/quantities must match/);
    expect(() => parseQuantity("1 Gi")).toThrow(/quantities must match/);
    expect(() => parseQuantity("1GB")).toThrow(/quantities must match/);
  });

  it("rejects suffixes and numbers that only look right", () => {
    expect(() => parseQuantity("1K")).toThrow("unable to parse quantity's suffix");
    expect(() => parseQuantity("1mi")).toThrow("unable to parse quantity's suffix");
    expect(() => parseQuantity("1e")).toThrow("unable to parse quantity's suffix");
    expect(() => parseQuantity("1.2.3")).toThrow("unable to parse numeric part of quantity");
    expect(() => parseQuantity(".")).toThrow("unable to parse numeric part of quantity");
    expect(() => parseQuantity("1e999")).toThrow(/out of range/);
    expect(() => parseQuantity(Number.NaN)).toThrow(/quantities must match/);
    expect(() => parseQuantity(Number.POSITIVE_INFINITY)).toThrow(/quantities must match/);
  });

  it("names the bad input in the message", () => {
    expect(() => parseQuantity("12 cores")).toThrow('"12 cores"');
  });
});

describe("isValidQuantity", () => {
  it("accepts quantities and rejects anything else", () => {
    expect(isValidQuantity("100m")).toBe(true);
    expect(isValidQuantity(2)).toBe(true);
    expect(isValidQuantity("2x")).toBe(false);
    expect(isValidQuantity("")).toBe(false);
    expect(isValidQuantity(undefined)).toBe(false);
    expect(isValidQuantity(null)).toBe(false);
    expect(isValidQuantity({})).toBe(false);
  });
});

describe("compareQuantities", () => {
  it("compares exactly across suffixes", () => {
    expect(compareQuantities("1", "1000m")).toBe(0);
    expect(compareQuantities("1Ki", "1024")).toBe(0);
    expect(compareQuantities("2", "1")).toBe(1);
    expect(compareQuantities("999m", "1")).toBe(-1);
    expect(compareQuantities("1G", "1Gi")).toBe(-1);
    // 0.1 + 0.2 style float noise must not leak into comparisons.
    expect(compareQuantities("0.3", "300m")).toBe(0);
  });
});

describe("cpuToMilli", () => {
  it("converts to integer millicores", () => {
    expect(cpuToMilli("500m")).toBe(500);
    expect(cpuToMilli("2")).toBe(2000);
    expect(cpuToMilli("0.1")).toBe(100);
    expect(cpuToMilli(0.1)).toBe(100);
    expect(cpuToMilli("1.5")).toBe(1500);
    expect(cpuToMilli("100m")).toBe(100);
  });

  it("rounds up like Kubernetes' MilliValue", () => {
    expect(cpuToMilli("1n")).toBe(1);
    expect(cpuToMilli("1500u")).toBe(2);
    expect(cpuToMilli("0.0001")).toBe(1);
    expect(cpuToMilli("0")).toBe(0);
    expect(cpuToMilli("1e-300")).toBe(1);
  });

  it("throws on bad syntax", () => {
    expect(() => cpuToMilli("two")).toThrow(/quantities must match/);
  });
});

describe("memoryToBytes", () => {
  it("converts to integer bytes", () => {
    expect(memoryToBytes("1Gi")).toBe(1073741824);
    expect(memoryToBytes("128M")).toBe(128_000_000);
    expect(memoryToBytes("1.5Ki")).toBe(1536);
    expect(memoryToBytes(4096)).toBe(4096);
  });

  it("rounds fractional bytes up", () => {
    expect(memoryToBytes("500m")).toBe(1);
    expect(memoryToBytes("1.1")).toBe(2);
  });
});

describe("formatCpuMilli", () => {
  it("prints whole cores without a suffix and the rest in millicores", () => {
    expect(formatCpuMilli(2000)).toBe("2");
    expect(formatCpuMilli(1500)).toBe("1500m");
    expect(formatCpuMilli(0)).toBe("0");
    expect(formatCpuMilli(250)).toBe("250m");
  });
});

describe("formatBytes", () => {
  it("uses the largest exact binary suffix", () => {
    expect(formatBytes(1073741824)).toBe("1Gi");
    expect(formatBytes(1536 * 1024)).toBe("1536Ki");
    expect(formatBytes(64 * 1024 * 1024)).toBe("64Mi");
    expect(formatBytes(2 * 1024 ** 4)).toBe("2Ti");
  });

  it("prints other values as plain integers", () => {
    expect(formatBytes(1000)).toBe("1000");
    expect(formatBytes(1_000_000)).toBe("1000000");
    // 128M happens to be a whole number of KiB.
    expect(formatBytes(128_000_000)).toBe("125000Ki");
    expect(formatBytes(0)).toBe("0");
  });

  it("round-trips through memoryToBytes", () => {
    for (const b of [1, 1023, 1024, 5 * 1024 ** 3, 123456789]) {
      expect(memoryToBytes(formatBytes(b))).toBe(b);
    }
  });
});
