// Percentiles, table printing and process CPU time for benchmarks.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

/** The p-th percentile (0..100) of a list of numbers, nearest-rank. */
export function percentile(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

/** Prints rows as an aligned text table on stdout. */
export function printTable(title: string, header: string[], rows: (string | number)[][]): void {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join("  ");
  process.stdout.write(`\n${title}\n${line(header)}\n${cells.slice(1).map(line).join("\n")}\n`);
}

let clockTicks: number | undefined;
/** The kernel's clock ticks per second (/proc's CPU times are in ticks), asked once. */
function clkTck(): number {
  clockTicks ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  return clockTicks;
}

/** CPU seconds (user + system) used so far by a process and its descendants (e.g. nginx's workers). */
export function cpuSeconds(root: number): number {
  const stats: { pid: number; ppid: number; ticks: number }[] = [];
  for (const d of readdirSync("/proc")) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const f = readFileSync(`/proc/${d}/stat`, "utf8");
      const rest = f.slice(f.lastIndexOf(")") + 2).split(" ");
      // Fields after the command: state(3) ppid(4) … utime(14) stime(15), numbered from 1.
      stats.push({ pid: Number(d), ppid: Number(rest[1]), ticks: Number(rest[11]) + Number(rest[12]) });
    } catch {
      // the process ended meanwhile
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of stats)
      if (!tree.has(s.pid) && tree.has(s.ppid)) {
        tree.add(s.pid);
        grew = true;
      }
  }
  return stats.filter((s) => tree.has(s.pid)).reduce((a, s) => a + s.ticks, 0) / clkTck();
}
