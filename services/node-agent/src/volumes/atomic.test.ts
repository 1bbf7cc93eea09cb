import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, readlinkSync, existsSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeAtomic, type Payload } from "./atomic.js";

const files = (o: Record<string, string>, mode = 0o644) => new Map<string, Payload>(Object.entries(o).map(([k, v]) => [k, { content: Buffer.from(v), mode }]));

describe("writeAtomic", () => {
  it("writes, swaps ..data on change, removes stale names, and is a no-op when unchanged", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atomic-"));
    expect(await writeAtomic(dir, files({ a: "1", "sub/b": "2" }, 0o600))).toBe(true);
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("1");
    expect(readFileSync(join(dir, "sub/b"), "utf8")).toBe("2");
    expect(statSync(join(dir, "a")).mode & 0o777).toBe(0o600);
    const first = readlinkSync(join(dir, "..data"));
    expect(await writeAtomic(dir, files({ a: "1", "sub/b": "2" }, 0o600))).toBe(false);
    expect(await writeAtomic(dir, files({ a: "changed" }))).toBe(true);
    expect(readlinkSync(join(dir, "..data"))).not.toBe(first);
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("changed");
    expect(existsSync(join(dir, "sub"))).toBe(false);
    expect(existsSync(join(dir, first))).toBe(false);
  });
});
