import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, readFileSync, readlinkSync, existsSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { forgetWrittenUnder, writeAtomic, type Payload } from "./atomic.js";

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

  it("writes nested directories of a new volume", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), "atomic-")), "pod", "volume");
    expect(await writeAtomic(dir, files({ "x/y/a": "1", "x/y/b": "2", "x/c": "3", d: "4" }))).toBe(true);
    expect(readFileSync(join(dir, "x/y/a"), "utf8")).toBe("1");
    expect(readFileSync(join(dir, "x/y/b"), "utf8")).toBe("2");
    expect(readFileSync(join(dir, "x/c"), "utf8")).toBe("3");
    expect(readFileSync(join(dir, "d"), "utf8")).toBe("4");
    expect(readlinkSync(join(dir, "x"))).toBe(join("..data", "x"));
  });

  it("rewrites a directory whose ..data another writer swapped, even when it wrote the same files before", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atomic-"));
    expect(await writeAtomic(dir, files({ a: "mine" }))).toBe(true);
    // Another writer's version, swapped in the same way (the agent's memory of the dir is now stale).
    mkdirSync(join(dir, "..other"));
    writeFileSync(join(dir, "..other", "a"), "theirs");
    symlinkSync("..other", join(dir, "..data_tmp"));
    renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("theirs");
    expect(await writeAtomic(dir, files({ a: "mine" }))).toBe(true);
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("mine");
    expect(existsSync(join(dir, "..other"))).toBe(false);
  });

  it("reads back a directory it does not know (e.g. written before a restart) and leaves it when it holds the files", async () => {
    const dir = mkdtempSync(join(tmpdir(), "atomic-"));
    expect(await writeAtomic(dir, files({ a: "1" }))).toBe(true);
    const target = readlinkSync(join(dir, "..data"));
    // Another path to the same directory is one this process has not written.
    const alias = join(mkdtempSync(join(tmpdir(), "atomic-alias-")), "v");
    symlinkSync(dir, alias);
    expect(await writeAtomic(alias, files({ a: "1" }))).toBe(false);
    expect(readlinkSync(join(dir, "..data"))).toBe(target);
    expect(await writeAtomic(alias, files({ a: "1" }, 0o600))).toBe(true);
    expect(statSync(join(dir, "a")).mode & 0o777).toBe(0o600);
  });

  it("writes a volume again after its pod directory was removed", async () => {
    const pod = mkdtempSync(join(tmpdir(), "atomic-pod-"));
    const dir = join(pod, "volumes", "v");
    expect(await writeAtomic(dir, files({ a: "1" }))).toBe(true);
    rmSync(pod, { recursive: true, force: true });
    forgetWrittenUnder(pod);
    expect(await writeAtomic(dir, files({ a: "1" }))).toBe(true);
    expect(readFileSync(join(dir, "a"), "utf8")).toBe("1");
  });
});
