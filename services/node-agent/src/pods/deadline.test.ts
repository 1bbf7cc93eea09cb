import { describe, expect, it } from "vitest";
import { deadlineLeftMs } from "./deadline.js";

describe("activeDeadlineSeconds", () => {
  it("counts from status.startTime; none without a deadline or a start", () => {
    const start = "2026-01-01T00:00:00Z";
    expect(deadlineLeftMs({ activeDeadlineSeconds: 10 }, start, Date.parse(start) + 4000)).toBe(6000);
    expect(deadlineLeftMs({ activeDeadlineSeconds: 10 }, start, Date.parse(start) + 11_000)).toBe(-1000);
    expect(deadlineLeftMs({}, start)).toBeUndefined();
    expect(deadlineLeftMs({ activeDeadlineSeconds: 10 }, undefined)).toBeUndefined();
  });
});
