// Percentiles and table printing for benchmarks.

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
