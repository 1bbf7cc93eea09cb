// ensureChild adopts a running proxy/dns only when it runs the same command line; one left by
// an earlier cluster with other settings is replaced (it would serve the wrong apiserver).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { silentLogger } from "@skiff/log";
import { isAlive } from "@skiff/client/process";
import { ensureChild, stopChild } from "./children.js";

const dir = mkdtempSync(join(tmpdir(), "skiff-children-"));
// A stand-in child: writes its state file (as proxy and dns do) and waits to be stopped.
const main = join(dir, "child.mjs");
writeFileSync(
  main,
  `
const file = process.argv[process.argv.indexOf("--state-file") + 1];
import("node:fs").then((fs) => fs.writeFileSync(file, JSON.stringify({ pid: process.pid, args: process.argv.slice(2) })));
setInterval(() => {}, 1000);
`,
);
const stateFile = join(dir, "child.json");
// Exited counts as gone even before this process (the children's parent) has reaped it.
const alive = isAlive;

afterAll(async () => {
  await stopChild(stateFile);
  rmSync(dir, { recursive: true, force: true });
});

describe("ensureChild", () => {
  it("spawns, adopts the same command line, and replaces a different one", async () => {
    const log = silentLogger();
    const first = await ensureChild("child", main, ["--apiserver", "127.0.0.1:1"], stateFile, join(dir, "child.log"), log);
    expect(alive(first.pid)).toBe(true);

    const again = await ensureChild("child", main, ["--apiserver", "127.0.0.1:1"], stateFile, join(dir, "child.log"), log);
    expect(again.pid).toBe(first.pid);

    const other = await ensureChild("child", main, ["--apiserver", "127.0.0.1:2"], stateFile, join(dir, "child.log"), log);
    expect(other.pid).not.toBe(first.pid);
    expect(alive(first.pid)).toBe(false);
    expect(JSON.parse(readFileSync(stateFile, "utf8")).args).toContain("127.0.0.1:2");
  });
});

describe("stopChild", () => {
  it("stops a child that was spawned but has not written its state file yet (its agent stopped meanwhile)", async () => {
    const slow = join(dir, "slow.mjs");
    writeFileSync(slow, "setInterval(() => {}, 1000);\n"); // never writes its state file
    const slowState = join(dir, "slow.json");
    const starting = ensureChild("slow", slow, [], slowState, join(dir, "slow.log"), silentLogger());
    const failed = starting.then(
      () => undefined,
      (err: Error) => err,
    );
    await new Promise((r) => setTimeout(r, 300));
    const pid = Number(readFileSync(`${slowState}.starting`, "utf8"));
    expect(alive(pid)).toBe(true);
    expect(await stopChild(slowState)).toBe(pid);
    expect(alive(pid)).toBe(false);
    expect((await failed)?.message).toMatch(/slow exited/);
  });
});
