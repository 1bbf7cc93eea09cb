// Local-storage eviction for disk-backed emptyDir volumes: every few seconds the agent measures
// each such volume that has a sizeLimit (like `du`: allocated blocks) and evicts the pod whose
// volume grew past it, as the kubelet's eviction manager does.
import { lstat, readdir } from "node:fs/promises";
import { join } from "node:path";
import type { Logger } from "@skiff/log";
import { memoryToBytes, type Pod, type Volume } from "@skiff/api";

/** Disk usage of a directory tree in bytes (allocated blocks, hard links counted once, symlinks not followed). */
export async function diskUsage(dir: string, seen = new Set<string>()): Promise<number> {
  const st = await lstat(dir).catch(() => undefined);
  if (!st) return 0;
  const key = `${st.dev}:${st.ino}`;
  if (seen.has(key)) return 0;
  seen.add(key);
  let total = st.blocks * 512;
  if (!st.isDirectory()) return total;
  for (const n of await readdir(dir).catch(() => [] as string[])) total += await diskUsage(join(dir, n), seen);
  return total;
}

/** The eviction message of an emptyDir over its limit (the kubelet's wording). */
export function emptyDirMessage(volume: string, limit: string): string {
  return `Usage of EmptyDir volume "${volume}" exceeds the limit "${limit}".`;
}

/** Disk emptyDirs with a sizeLimit of a pod: [volume name, limit as written, limit in bytes]. */
export function limitedEmptyDirs(pod: Pod): [string, string, number][] {
  const out: [string, string, number][] = [];
  for (const v of (pod.spec.volumes ?? []) as Volume[]) {
    // medium Memory is a tmpfs of sizeLimit already: the kernel enforces it.
    if (!v.emptyDir || v.emptyDir.medium === "Memory" || !v.emptyDir.sizeLimit) continue;
    try {
      out.push([v.name, v.emptyDir.sizeLimit, memoryToBytes(v.emptyDir.sizeLimit)]);
    } catch {
      // validation rejects malformed quantities; an old object with one is not measured
    }
  }
  return out;
}

export interface EmptyDirMonitorDeps {
  /** Pods bound to this node. */
  pods(): Pod[];
  /** Host directory of a pod's emptyDir. */
  emptyDirPath(uid: string, volume: string): string;
  /** Called once per check for a pod whose volume exceeds its limit. */
  evict(pod: Pod, message: string): void;
  log: Logger;
}

export class EmptyDirMonitor {
  private timer?: NodeJS.Timeout;
  private running = false;

  constructor(
    private readonly deps: EmptyDirMonitorDeps,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.check().catch((err) => this.deps.log.warn({ err }, "emptyDir usage check failed")), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One pass over the node's running pods. */
  async check(): Promise<void> {
    if (this.running) return; // a slow walk never overlaps the next one
    this.running = true;
    try {
      for (const pod of this.deps.pods()) {
        const phase = pod.status?.phase;
        if (pod.metadata.deletionTimestamp || phase === "Succeeded" || phase === "Failed") continue;
        for (const [name, limit, bytes] of limitedEmptyDirs(pod)) {
          const used = await diskUsage(this.deps.emptyDirPath(pod.metadata.uid!, name));
          if (used <= bytes) continue;
          this.deps.log.info(
            { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, volume: name, used, limit: bytes },
            "emptyDir over its sizeLimit; evicting",
          );
          this.deps.evict(pod, emptyDirMessage(name, limit));
          break;
        }
      }
    } finally {
      this.running = false;
    }
  }
}
