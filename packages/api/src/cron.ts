// Cron schedules for CronJobs: the controller computes run times and the apiserver validates with the same parser.
// Standard 5-field cron schedules (minute hour day-of-month month day-of-week) with ranges,
// steps, lists, month/day names and the @yearly/@monthly/@weekly/@daily/@hourly macros.
// Times are in the controller's local time zone, as in Kubernetes without spec.timeZone.

/** A parsed schedule: the allowed values of each field. */
export interface CronSchedule {
  minutes: Set<number>;
  hours: Set<number>;
  daysOfMonth: Set<number>;
  months: Set<number>;
  daysOfWeek: Set<number>;
  /** Day-of-month or day-of-week was "*" (Vixie cron: if both are restricted, either matches). */
  domStar: boolean;
  dowStar: boolean;
}

const macros: Record<string, string> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};
const monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

function parseField(text: string, min: number, max: number, names: string[] | undefined, nameBase: number, what: string): Set<number> {
  const out = new Set<number>();
  const value = (s: string): number => {
    const i = names ? names.indexOf(s.toLowerCase()) : -1;
    if (i >= 0) return i + nameBase;
    if (!/^\d+$/.test(s)) throw new Error(`${what}: invalid value ${JSON.stringify(s)}`);
    return Number(s);
  };
  for (const part of text.split(",")) {
    const [range, stepText] = part.split("/");
    if (part.split("/").length > 2) throw new Error(`${what}: invalid step in ${JSON.stringify(part)}`);
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step <= 0) throw new Error(`${what}: step must be a positive integer, got ${JSON.stringify(stepText)}`);
    let lo: number, hi: number;
    if (range === "*" || range === "?") {
      lo = min;
      hi = max;
    } else if (range.includes("-")) {
      const [a, b] = range.split("-");
      lo = value(a);
      hi = value(b);
    } else {
      lo = value(range);
      hi = stepText === undefined ? lo : max; // "5/15" means from 5 in steps of 15
    }
    if (lo < min || hi > max || lo > hi) throw new Error(`${what}: ${JSON.stringify(part)} is outside ${min}-${max}`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

/** Parses a schedule; throws an Error saying which field is wrong. */
export function parseCron(expr: string): CronSchedule {
  const text = macros[expr.trim().toLowerCase()] ?? expr.trim();
  if (text.startsWith("@")) throw new Error(`unrecognized descriptor: ${text}`);
  const f = text.split(/\s+/);
  if (f.length !== 5) throw new Error(`expected exactly 5 fields, found ${f.length}: ${JSON.stringify(expr)}`);
  const dow = parseField(f[4], 0, 7, dayNames, 0, "day-of-week");
  if (dow.has(7)) {
    dow.delete(7);
    dow.add(0);
  } // 7 is Sunday too
  return {
    minutes: parseField(f[0], 0, 59, undefined, 0, "minute"),
    hours: parseField(f[1], 0, 23, undefined, 0, "hour"),
    daysOfMonth: parseField(f[2], 1, 31, undefined, 0, "day-of-month"),
    months: parseField(f[3], 1, 12, monthNames, 1, "month"),
    daysOfWeek: dow,
    domStar: f[2] === "*" || f[2] === "?",
    dowStar: f[4] === "*" || f[4] === "?",
  };
}

function dayMatches(s: CronSchedule, d: Date): boolean {
  const dom = s.daysOfMonth.has(d.getDate());
  const dow = s.daysOfWeek.has(d.getDay());
  if (s.domStar || s.dowStar) return dom && dow;
  return dom || dow;
}

/** The first scheduled time strictly after `after` (minute precision); undefined if none within 5 years. */
export function nextAfter(s: CronSchedule, after: Date): Date | undefined {
  const t = new Date(after.getTime());
  t.setSeconds(0, 0);
  t.setMinutes(t.getMinutes() + 1);
  const limit = after.getTime() + 5 * 366 * 86_400_000;
  while (t.getTime() <= limit) {
    if (!s.months.has(t.getMonth() + 1)) {
      t.setMonth(t.getMonth() + 1, 1);
      t.setHours(0, 0, 0, 0);
      continue;
    }
    if (!dayMatches(s, t)) {
      t.setDate(t.getDate() + 1);
      t.setHours(0, 0, 0, 0);
      continue;
    }
    if (!s.hours.has(t.getHours())) {
      t.setHours(t.getHours() + 1, 0, 0, 0);
      continue;
    }
    if (!s.minutes.has(t.getMinutes())) {
      t.setMinutes(t.getMinutes() + 1, 0, 0);
      continue;
    }
    return t;
  }
  return undefined;
}

/** The latest scheduled time in (after, now], if any — the run that is due. */
export function lastDue(s: CronSchedule, after: Date, now: Date): Date | undefined {
  let due: Date | undefined;
  for (let t = nextAfter(s, after), n = 0; t && t.getTime() <= now.getTime() && n < 100_000; t = nextAfter(s, t), n++) due = t;
  return due;
}
