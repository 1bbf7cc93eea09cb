import { describe, it, expect } from "vitest";
import { ageSince, humanDuration } from "./age.js";

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

describe("humanDuration", () => {
  it.each([
    [0, "0s"],
    [5 * s, "5s"],
    [119 * s, "119s"],
    [2 * m, "2m"],
    [3 * m + 12 * s, "3m12s"],
    [10 * m + 30 * s, "10m"],
    [179 * m, "179m"],
    [3 * h, "3h"],
    [5 * h + 30 * m, "5h30m"],
    [8 * h, "8h"],
    [47 * h, "47h"],
    [2 * d + 3 * h, "2d3h"],
    [7 * d, "7d"],
    [400 * d, "400d"],
    [3 * 365 * d + 20 * d, "3y20d"],
    [10 * 365 * d, "10y"],
  ])("%i ms is %s", (ms, want) => {
    expect(humanDuration(ms)).toBe(want);
  });

  it("tolerates a little clock skew and flags more", () => {
    expect(humanDuration(-1500)).toBe("0s");
    expect(humanDuration(-5000)).toBe("<invalid>");
  });
});

describe("ageSince", () => {
  it("measures from a timestamp and says <unknown> without one", () => {
    const now = new Date("2024-05-01T12:00:00Z");
    expect(ageSince("2024-05-01T11:59:15Z", now)).toBe("45s");
    expect(ageSince(undefined, now)).toBe("<unknown>");
    expect(ageSince("garbage", now)).toBe("<unknown>");
  });
});
