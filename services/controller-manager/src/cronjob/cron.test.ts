import { describe, expect, it } from "vitest";
import { lastDue, nextAfter, parseCron } from "./cron.js";

const at = (s: string) => new Date(s); // local time (no Z): cron runs in local time
const next = (expr: string, from: string) => {
  const d = nextAfter(parseCron(expr), at(from))!;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:${p(d.getMinutes())}`;
};

describe("cron schedules", () => {
  it("every minute and steps", () => {
    expect(next("* * * * *", "2024-05-10T10:15:30")).toBe("2024-05-10T10:16");
    expect(next("*/1 * * * *", "2024-05-10T10:15:00")).toBe("2024-05-10T10:16");
    expect(next("*/15 * * * *", "2024-05-10T10:15:00")).toBe("2024-05-10T10:30");
    expect(next("5/20 * * * *", "2024-05-10T10:26:00")).toBe("2024-05-10T10:45");
  });

  it("ranges, lists and ranges with steps", () => {
    expect(next("0 9-17 * * *", "2024-05-10T17:30:00")).toBe("2024-05-11T09:00");
    expect(next("0,30 8,20 * * *", "2024-05-10T08:10:00")).toBe("2024-05-10T08:30");
    expect(next("10-50/20 * * * *", "2024-05-10T10:31:00")).toBe("2024-05-10T10:50");
  });

  it("names, day-of-week (7 = Sunday) and the day-of-month OR day-of-week rule", () => {
    expect(next("0 0 * * mon", "2024-05-10T12:00:00")).toBe("2024-05-13T00:00"); // 10 May 2024 is a Friday
    expect(next("0 0 * * 7", "2024-05-10T12:00:00")).toBe("2024-05-12T00:00");
    expect(next("0 0 1 feb *", "2024-05-10T12:00:00")).toBe("2025-02-01T00:00");
    expect(next("0 0 13 * fri", "2024-05-10T12:00:00")).toBe("2024-05-13T00:00"); // the 13th OR a Friday
    expect(next("0 0 29 2 *", "2024-03-01T00:00:00")).toBe("2028-02-29T00:00");
  });

  it("macros", () => {
    expect(next("@hourly", "2024-05-10T10:15:00")).toBe("2024-05-10T11:00");
    expect(next("@daily", "2024-05-10T10:15:00")).toBe("2024-05-11T00:00");
    expect(next("@weekly", "2024-05-10T10:15:00")).toBe("2024-05-12T00:00");
    expect(next("@monthly", "2024-05-10T10:15:00")).toBe("2024-06-01T00:00");
    expect(next("@yearly", "2024-05-10T10:15:00")).toBe("2025-01-01T00:00");
  });

  it("rejects bad schedules with the field at fault", () => {
    expect(() => parseCron("* * * *")).toThrow(/exactly 5 fields/);
    expect(() => parseCron("60 * * * *")).toThrow(/minute/);
    expect(() => parseCron("* * * 13 *")).toThrow(/month/);
    expect(() => parseCron("*/0 * * * *")).toThrow(/step/);
    expect(() => parseCron("* * * * funday")).toThrow(/day-of-week/);
    expect(() => parseCron("@fortnightly")).toThrow(/descriptor/);
  });

  it("finds the latest due time since the last run", () => {
    expect(lastDue(parseCron("*/5 * * * *"), at("2024-05-10T10:00:00"), at("2024-05-10T10:17:00"))!.getMinutes()).toBe(15);
    expect(lastDue(parseCron("0 * * * *"), at("2024-05-10T10:00:00"), at("2024-05-10T10:59:00"))).toBeUndefined();
  });
});
