// A container's CPU and memory read from its cgroup files, as the kubelet's cAdvisor does, instead
// of the engine's stats call. Why: the engine answers nothing for a container that joins a sandbox
// it did not network (a veth-attached one, see veth.ts: it looks for the sandbox's libnetwork
// endpoint and fails), and its one-shot call waits about a second for a second sample.
import { readFileSync } from "node:fs";
import { posix } from "node:path";

export interface CgroupSample {
  /** Cumulative CPU time, ns. */
  cpuNanos: number;
  /** Usage minus inactive file pages (the kubelet's working set). */
  workingSetBytes: number;
}

const read = (f: string) => readFileSync(f, "utf8");

/** The value of key in a flat-keyed cgroup file (memory.stat, cpu.stat). */
export function statValue(text: string, key: string): number | undefined {
  for (const line of text.split("\n")) {
    const [k, v] = line.split(" ");
    if (k === key) return Number(v);
  }
  return undefined;
}

/**
 * Reads the cgroup of a process (the container's first one) under root (/sys/fs/cgroup): cgroup
 * v1 (cpuacct and memory hierarchies) or v2 (one unified hierarchy). Paths in /proc/<pid>/cgroup
 * are relative to this process's cgroup namespace, which is how root is mounted for it.
 * Undefined when they cannot be read (the process is gone, or another layout).
 */
export function readCgroup(pid: number, root = "/sys/fs/cgroup", procCgroup = read(`/proc/${pid}/cgroup`)): CgroupSample | undefined {
  const v1 = new Map<string, string>();
  let v2: string | undefined;
  for (const line of procCgroup.split("\n")) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === "0" && m[2] === "") v2 = m[3];
    else for (const c of m[2].split(",")) v1.set(c, m[3]);
  }
  try {
    const cpuacct = v1.get("cpuacct");
    const memory = v1.get("memory");
    if (cpuacct !== undefined && memory !== undefined) {
      const mem = posix.join(root, "memory", memory);
      const usage = Number(read(posix.join(mem, "memory.usage_in_bytes")));
      const inactive = statValue(read(posix.join(mem, "memory.stat")), "total_inactive_file") ?? 0;
      return { cpuNanos: Number(read(posix.join(root, "cpuacct", cpuacct, "cpuacct.usage"))), workingSetBytes: Math.max(0, usage - inactive) };
    }
    if (v2 !== undefined) {
      const dir = posix.join(root, v2);
      const usage = Number(read(posix.join(dir, "memory.current")));
      const inactive = statValue(read(posix.join(dir, "memory.stat")), "inactive_file") ?? 0;
      return { cpuNanos: (statValue(read(posix.join(dir, "cpu.stat")), "usage_usec") ?? 0) * 1000, workingSetBytes: Math.max(0, usage - inactive) };
    }
  } catch {
    return undefined;
  }
  return undefined;
}

/**
 * Each container's recent CPU samples, so that a rate spans at least `minWindowMs`. Why: a
 * container held to a CFS quota (100m: 10 ms per 100 ms period) may use a whole period's share at
 * a window's each end, so over 100 ms it can read twice its limit; over a second, at most about a
 * tenth more. The kubelet's rates span cAdvisor's housekeeping interval (10 s or more).
 */
export class CpuWindows {
  private readonly samples = new Map<string, { nanos: number; at: number }[]>();

  constructor(
    readonly minWindowMs = 1000,
    private readonly maxAgeMs = 60_000,
    private readonly maxContainers = 10_000,
  ) {}

  /** The sample a rate at `now` starts from: the newest at least minWindowMs old, else the oldest kept (younger). */
  base(id: string, now: number): { nanos: number; at: number } | undefined {
    const list = this.samples.get(id)?.filter((s) => now - s.at <= this.maxAgeMs);
    if (!list?.length) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (now - list[i].at >= this.minWindowMs) return list[i];
    return list[0];
  }

  /** Keeps a sample, and of the older ones only what a later window may still start from. */
  record(id: string, nanos: number, at: number): void {
    if (!this.samples.has(id) && this.samples.size >= this.maxContainers) this.samples.clear();
    const list = (this.samples.get(id) ?? []).filter((s) => at - s.at <= this.maxAgeMs);
    list.push({ nanos, at });
    while (list.length > 1 && at - list[1].at >= this.minWindowMs) list.shift();
    this.samples.set(id, list);
  }

  forget(id: string): void {
    this.samples.delete(id);
  }
}
