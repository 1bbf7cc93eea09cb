// Physical memory a group of processes occupies together: every resident page of every one of
// them, each physical page counted once (from /proc/PID/pagemap, which names the page frame of
// each resident virtual page; frame numbers need root, elsewhere they read as 0).
//
// Why beside RSS: VmRSS counts the pages of files a process maps, and every Node.js process maps
// the same `node` binary — about 34 MB of it resident in an idle one here. Three processes on a
// node then count those same physical pages three times. A cgroup holding the three (a node
// container, a systemd slice) is charged for them once.
import { closeSync, openSync, readFileSync, readSync } from "node:fs";

const PAGE = 4096;
const PRESENT = 1n << 63n;
const PFN_MASK = (1n << 55n) - 1n;

/** Address ranges of a process's mappings that have resident pages (from smaps). */
function residentRanges(pid: number): [number, number][] {
  const ranges: [number, number][] = [];
  let cur: [number, number] | undefined;
  for (const line of readFileSync(`/proc/${pid}/smaps`, "utf8").split("\n")) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) /.exec(line);
    if (head) {
      cur = [Number.parseInt(head[1], 16), Number.parseInt(head[2], 16)];
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss && cur && Number(rss[1]) > 0) ranges.push(cur);
  }
  return ranges;
}

/** Adds the page frame numbers of a process's resident pages; false when none could be named (not root). */
function frames(pid: number, into: Set<bigint>): boolean {
  const fd = openSync(`/proc/${pid}/pagemap`, "r");
  let named = false;
  try {
    for (const [start, end] of residentRanges(pid)) {
      const pages = (end - start) / PAGE;
      const buf = Buffer.alloc(pages * 8);
      const n = readSync(fd, buf, 0, buf.length, (start / PAGE) * 8);
      for (let off = 0; off + 8 <= n; off += 8) {
        const e = buf.readBigUInt64LE(off);
        if ((e & PRESENT) === 0n) continue;
        const pfn = e & PFN_MASK;
        if (pfn !== 0n) named = true;
        into.add(pfn);
      }
    }
  } finally {
    closeSync(fd);
  }
  return named;
}

/**
 * MB of physical memory the processes occupy together (shared pages counted once); undefined
 * when page frames cannot be read here (not root) or a process is gone.
 */
export function distinctResidentMB(pids: readonly (number | undefined)[]): number | undefined {
  const all = new Set<bigint>();
  try {
    for (const pid of pids) {
      if (!pid || !frames(pid, all)) return undefined;
    }
  } catch {
    return undefined;
  }
  return (all.size * PAGE) / 1024 / 1024;
}
