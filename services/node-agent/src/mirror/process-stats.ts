// `kubectl top` for a mirror pod: its process's CPU and memory from /proc (Linux), as the
// engine reports a container's: cumulative CPU time, the CPU rate over a short window, and the
// resident set as the working set.
import { readFile } from "node:fs/promises";
import type { nodev1 } from "@skiff/proto";

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ: 100 on every Linux Skiff runs on). */
const USER_HZ = 100;

/** CPU time (ns) and resident memory (bytes) of a process, or undefined when it is gone. */
export async function sampleProcess(pid: number): Promise<{ cpuNanos: number; rssBytes: number } | undefined> {
  try {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, "utf8"), readFile(`/proc/${pid}/status`, "utf8")]);
    // Fields after the command (which may hold spaces) start at state; utime and stime are the 12th and 13th of those.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(f[11]) + Number(f[12]);
    const rssKb = Number(/^VmRSS:\s+(\d+)\s+kB/m.exec(status)?.[1] ?? 0);
    return { cpuNanos: (ticks * 1e9) / USER_HZ, rssBytes: rssKb * 1024 };
  } catch {
    return undefined;
  }
}

/** The figures of a mirror pod's one container: two samples `windowMs` apart give the rate. */
export async function processStats(pid: number, container: string, windowMs = 200): Promise<nodev1.ContainerStats[]> {
  const a = await sampleProcess(pid);
  if (!a) return [];
  const t0 = process.hrtime.bigint();
  await new Promise((r) => setTimeout(r, windowMs));
  const b = await sampleProcess(pid);
  if (!b) return [];
  const elapsedNs = Number(process.hrtime.bigint() - t0);
  return [
    {
      name: container,
      cpuUsageCoreNanoSeconds: Math.round(b.cpuNanos),
      cpuUsageNanoCores: Math.max(0, Math.round(((b.cpuNanos - a.cpuNanos) / elapsedNs) * 1e9)),
      memoryWorkingSetBytes: b.rssBytes,
      timestamp: new Date().toISOString(),
    },
  ];
}
