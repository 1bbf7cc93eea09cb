import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CpuWindows, readCgroup } from "./cgroup-stats.js";

function files(root: string, entries: Record<string, string>): void {
  for (const [f, text] of Object.entries(entries)) {
    mkdirSync(join(root, f, ".."), { recursive: true });
    writeFileSync(join(root, f), text);
  }
}

describe("readCgroup", () => {
  it("reads cgroup v1's cpuacct and memory hierarchies (a hybrid host's unified line is ignored)", () => {
    const root = mkdtempSync(join(tmpdir(), "skiff-cg-"));
    files(root, {
      "cpuacct/docker/abc/cpuacct.usage": "1500000000\n",
      "memory/docker/abc/memory.usage_in_bytes": "10485760\n",
      "memory/docker/abc/memory.stat": "cache 100\ntotal_inactive_file 4194304\n",
    });
    const proc = "4:memory:/docker/abc\n2:cpuacct,cpu:/docker/abc\n0::/docker/abc\n";
    expect(readCgroup(1, root, proc)).toEqual({ cpuNanos: 1_500_000_000, workingSetBytes: 6_291_456 });
  });

  it("reads cgroup v2's unified hierarchy", () => {
    const root = mkdtempSync(join(tmpdir(), "skiff-cg-"));
    files(root, {
      "system.slice/docker-abc.scope/cpu.stat": "usage_usec 250\nuser_usec 200\n",
      "system.slice/docker-abc.scope/memory.current": "2048\n",
      "system.slice/docker-abc.scope/memory.stat": "anon 1024\ninactive_file 1000\n",
    });
    expect(readCgroup(1, root, "0::/system.slice/docker-abc.scope\n")).toEqual({ cpuNanos: 250_000, workingSetBytes: 1048 });
  });

  it("answers undefined when the files are not there", () => {
    const root = mkdtempSync(join(tmpdir(), "skiff-cg-"));
    expect(readCgroup(1, root, "4:memory:/docker/gone\n2:cpuacct:/docker/gone\n")).toBeUndefined();
    expect(readCgroup(1, root, "")).toBeUndefined();
  });
});

describe("CpuWindows", () => {
  it("starts a rate from the newest sample at least a second old", () => {
    const w = new CpuWindows(1000);
    w.record("c", 0, 0);
    w.record("c", 50, 400);
    w.record("c", 100, 1200);
    // At 1,500 ms: the sample of 400 ms is 1.1 s old; the one of 1,200 ms is too young.
    expect(w.base("c", 1500)).toEqual({ nanos: 50, at: 400 });
    // At 2,300 ms the one of 1,200 ms will do.
    expect(w.base("c", 2300)).toEqual({ nanos: 100, at: 1200 });
  });

  it("answers the oldest younger sample when none is a second old, and nothing for an unknown or forgotten container", () => {
    const w = new CpuWindows(1000);
    expect(w.base("c", 0)).toBeUndefined();
    w.record("c", 10, 100);
    w.record("c", 20, 300);
    expect(w.base("c", 500)).toEqual({ nanos: 10, at: 100 });
    w.forget("c");
    expect(w.base("c", 5000)).toBeUndefined();
  });

  it("keeps only what a later window may start from, and nothing older than its age limit", () => {
    const w = new CpuWindows(1000, 60_000);
    for (let t = 0; t <= 10_000; t += 100) w.record("c", t, t);
    // Samples at 9,000..10,000 remain: 9,000 is the newest a second old at 10,000.
    expect(w.base("c", 10_000)).toEqual({ nanos: 9000, at: 9000 });
    expect(w.base("c", 10_050)).toEqual({ nanos: 9000, at: 9000 });
    expect(w.base("c", 10_950)).toEqual({ nanos: 9900, at: 9900 });
    expect(w.base("c", 80_000)).toBeUndefined();
  });
});
