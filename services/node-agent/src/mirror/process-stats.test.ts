import { describe, expect, it } from "vitest";
import { processStats, sampleProcess } from "./process-stats.js";

describe("mirror pod process stats (/proc)", () => {
  it("reads a live process's CPU time and resident memory, and its CPU rate over a window", async () => {
    const s = await sampleProcess(process.pid);
    expect(s!.cpuNanos).toBeGreaterThan(0);
    expect(s!.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
    const busy = setInterval(() => {
      const end = Date.now() + 5;
      while (Date.now() < end);
    }, 5);
    const [c] = await processStats(process.pid, "proxy", 150);
    clearInterval(busy);
    expect(c.name).toBe("proxy");
    expect(c.cpuUsageNanoCores).toBeGreaterThan(10_000_000); // busy about half the time: well above 0.01 core
    expect(c.memoryWorkingSetBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it("reports nothing for a process that is gone", async () => {
    expect(await sampleProcess(2 ** 22 + 7)).toBeUndefined();
    expect(await processStats(2 ** 22 + 7, "proxy", 10)).toEqual([]);
  });
});
