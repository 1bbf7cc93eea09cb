import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readCgroup } from "./cgroup-stats.js";

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
