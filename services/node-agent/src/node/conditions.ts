// Node conditions from real measurements, as the kubelet computes them: Ready is False while the
// container runtime does not answer; MemoryPressure and DiskPressure turn True when a hard
// eviction threshold is crossed (the kubelet's defaults: memory.available<100Mi,
// nodefs.available<10%, nodefs.inodesFree<5%; --eviction-hard changes them). PIDPressure has
// no default threshold in the kubelet either, so it stays False.
import { readFile, statfs } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { memoryToBytes } from "@skiff/api";

/** Hard eviction thresholds (a signal and its minimum). */
export interface Thresholds {
  memoryAvailableBytes: number;
  nodefsAvailablePct: number;
  nodefsInodesFreePct: number;
}

/** The kubelet's default --eviction-hard. */
export const DEFAULT_EVICTION_HARD = "memory.available<100Mi,nodefs.available<10%,nodefs.inodesFree<5%";

/** Parses --eviction-hard ("signal<quantity or percent", comma-separated); throws on what it cannot read. */
export function parseEvictionHard(text: string): Thresholds {
  const t: Thresholds = { memoryAvailableBytes: 0, nodefsAvailablePct: 0, nodefsInodesFreePct: 0 };
  for (const part of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const m = /^([a-zA-Z.]+)<(.+)$/.exec(part);
    if (!m) throw new Error(`--eviction-hard: cannot read ${JSON.stringify(part)} (want signal<value)`);
    const [, signal, value] = m;
    const pct = /^(\d+(?:\.\d+)?)%$/.exec(value);
    if (signal === "memory.available" && !pct) t.memoryAvailableBytes = memoryToBytes(value);
    else if (signal === "nodefs.available" && pct) t.nodefsAvailablePct = Number(pct[1]);
    else if (signal === "nodefs.inodesFree" && pct) t.nodefsInodesFreePct = Number(pct[1]);
    else
      throw new Error(
        `--eviction-hard: unsupported signal or value ${JSON.stringify(part)} (memory.available<quantity, nodefs.available<N%, nodefs.inodesFree<N%)`,
      );
  }
  return t;
}

/** What was measured (undefined when it could not be). */
export interface Measurements {
  memoryAvailableBytes?: number;
  nodefsAvailablePct?: number;
  nodefsInodesFreePct?: number;
}

/** Measures memory (/proc/meminfo MemAvailable) and the filesystem holding `rootDir`. */
export async function measure(rootDir: string): Promise<Measurements> {
  const m: Measurements = {};
  try {
    const kb = /MemAvailable:\s+(\d+) kB/.exec(await readFile("/proc/meminfo", "utf8"))?.[1];
    if (kb) m.memoryAvailableBytes = Number(kb) * 1024;
  } catch {
    /* not Linux: unknown */
  }
  // The root dir may not exist yet (made with the first pod): its nearest existing parent is on the same filesystem.
  for (let dir = resolve(rootDir); ; dir = dirname(dir)) {
    try {
      const s = await statfs(dir);
      if (s.blocks > 0) m.nodefsAvailablePct = (100 * s.bavail) / s.blocks;
      if (s.files > 0) m.nodefsInodesFreePct = (100 * s.ffree) / s.files;
      break;
    } catch {
      if (dir === dirname(dir)) break;
    }
  }
  return m;
}

/** One condition as the kubelet writes it. */
export interface ConditionValue {
  status: "True" | "False";
  reason: string;
  message: string;
}

/** The pressure conditions for measurements against thresholds. */
export function pressureConditions(
  m: Measurements,
  t: Thresholds,
): { MemoryPressure: ConditionValue; DiskPressure: ConditionValue; PIDPressure: ConditionValue } {
  const memLow = m.memoryAvailableBytes !== undefined && m.memoryAvailableBytes < t.memoryAvailableBytes;
  const diskLow =
    (m.nodefsAvailablePct !== undefined && m.nodefsAvailablePct < t.nodefsAvailablePct) ||
    (m.nodefsInodesFreePct !== undefined && m.nodefsInodesFreePct < t.nodefsInodesFreePct);
  return {
    MemoryPressure: memLow
      ? { status: "True", reason: "KubeletHasInsufficientMemory", message: "kubelet has insufficient memory available" }
      : { status: "False", reason: "KubeletHasSufficientMemory", message: "kubelet has sufficient memory available" },
    DiskPressure: diskLow
      ? { status: "True", reason: "KubeletHasDiskPressure", message: "kubelet has disk pressure" }
      : { status: "False", reason: "KubeletHasNoDiskPressure", message: "kubelet has no disk pressure" },
    PIDPressure: { status: "False", reason: "KubeletHasSufficientPID", message: "kubelet has sufficient PID available" },
  };
}

/** Ready from the runtime's health. */
export function readyCondition(runtimeError: string | undefined): ConditionValue {
  return runtimeError
    ? { status: "False", reason: "KubeletNotReady", message: `container runtime is down: ${runtimeError}` }
    : { status: "True", reason: "KubeletReady", message: "kubelet is posting ready status" };
}
