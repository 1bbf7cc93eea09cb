// Benchmark results as JSON under bench-results/ (name, machine, parameters, figures, floor):
// the README's figures are quoted from these files.
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../harness/cluster.js";

/** The machine a benchmark ran on, with its load (other work on it skews the figures). */
export function machine(): Record<string, unknown> {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: process.platform,
    loadAverage1m: Number(loadavg()[0].toFixed(2)),
  };
}

/** Writes bench-results/<name>.json and says where. */
export function writeBenchResult(name: string, body: Record<string, unknown>): void {
  const dir = join(repoRoot, "bench-results");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}.json`);
  writeFileSync(file, JSON.stringify({ name, date: new Date().toISOString(), machine: machine(), ...body }, null, 2) + "\n");
  process.stdout.write(`\nresults: ${file}\n`);
}
