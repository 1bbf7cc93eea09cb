import { describe, it, expect } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, linkSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Pod } from "@skiff/api";
import { diskUsage, EmptyDirMonitor, emptyDirMessage, limitedEmptyDirs } from "./emptydir.js";
import { silentLogger } from "@skiff/log";

const pod = (volumes: unknown[], phase = "Running"): Pod => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "p", namespace: "default", uid: "u1" },
  spec: { containers: [{ name: "a", image: "i" }], volumes: volumes as Pod["spec"]["volumes"] },
  status: { phase: phase as "Running" },
});

describe("emptyDir usage", () => {
  it("measures allocated bytes of a tree, counting hard links once", async () => {
    const d = mkdtempSync(join(tmpdir(), "du-"));
    mkdirSync(join(d, "sub"));
    writeFileSync(join(d, "sub", "a"), Buffer.alloc(256 * 1024, 1));
    linkSync(join(d, "sub", "a"), join(d, "b"));
    const n = await diskUsage(d);
    rmSync(d, { recursive: true, force: true });
    expect(n).toBeGreaterThanOrEqual(256 * 1024);
    expect(n).toBeLessThan(2 * 256 * 1024);
  });

  it("a missing directory uses nothing", async () => {
    expect(await diskUsage("/nonexistent/skiff/dir")).toBe(0);
  });

  it("only disk emptyDirs with a sizeLimit are measured", () => {
    expect(
      limitedEmptyDirs(
        pod([
          { name: "a", emptyDir: { sizeLimit: "1Mi" } },
          { name: "b", emptyDir: {} },
          { name: "c", emptyDir: { medium: "Memory", sizeLimit: "1Mi" } },
          { name: "d", hostPath: { path: "/x" } },
        ]),
      ),
    ).toEqual([["a", "1Mi", 1024 * 1024]]);
  });

  it("evicts a running pod whose volume is over its limit, with the kubelet's message", async () => {
    const d = mkdtempSync(join(tmpdir(), "du-"));
    writeFileSync(join(d, "f"), Buffer.alloc(64 * 1024, 1));
    const evicted: [string, string][] = [];
    const mon = (limit: string, phase?: string) =>
      new EmptyDirMonitor(
        {
          pods: () => [pod([{ name: "scratch", emptyDir: { sizeLimit: limit } }], phase)],
          emptyDirPath: () => d,
          evict: (p, m) => evicted.push([p.metadata.name!, m]),
          log: silentLogger(),
        },
        1000,
      );
    await mon("1Mi").check();
    expect(evicted).toEqual([]);
    await mon("16Ki", "Succeeded").check();
    expect(evicted).toEqual([]);
    await mon("16Ki").check();
    expect(evicted).toEqual([["p", emptyDirMessage("scratch", "16Ki")]]);
    expect(evicted[0][1]).toBe('Usage of EmptyDir volume "scratch" exceeds the limit "16Ki".');
    rmSync(d, { recursive: true, force: true });
  });
});
