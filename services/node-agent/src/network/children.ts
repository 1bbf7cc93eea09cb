// The node's proxy and dns processes. By default (--proxy=spawn) the agent starts them as
// detached processes that outlive it, recording pid and addresses in its run dir; a
// restarted agent adopts the running ones. With --proxy=external something else runs them
// at the addresses given.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { Logger } from "@skiff/log";

/** The state file a child writes once it serves. */
export interface ChildState {
  pid: number;
  [k: string]: unknown;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Path of a sibling service's main (services/<name>/dist/main.js). */
export function serviceMain(name: string): string {
  return fileURLToPath(new URL(`../../../${name}/dist/main.js`, import.meta.url));
}

/** Reads a child's state file if its process still runs. */
export function readState(file: string): ChildState | undefined {
  try {
    const s = JSON.parse(readFileSync(file, "utf8")) as ChildState;
    return alive(s.pid) ? s : undefined;
  } catch {
    return undefined;
  }
}

/** The command line a process runs, from /proc (undefined when it is gone). */
function commandLine(pid: number): string[] | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    return undefined;
  }
}

/** Stops a process: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopProcess(pid: number, graceMs = 5000): Promise<void> {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone meanwhile */
    }
  }
}

/** Stops the child recorded in a state file, if it still runs, and forgets it. */
export async function stopChild(stateFile: string): Promise<number | undefined> {
  const s = readState(stateFile);
  if (s) await stopProcess(s.pid);
  rmSync(stateFile, { force: true });
  return s?.pid;
}

/**
 * Adopts the child recorded in `stateFile` or spawns `main args…` detached (logs to
 * `logFile`), then waits for its state file. A running child is adopted only when it runs
 * exactly this command line: one left by an earlier cluster of the same name (another
 * apiserver, other flags) is replaced, never served to this cluster's pods.
 */
export async function ensureChild(name: string, main: string, args: string[], stateFile: string, logFile: string, log: Logger): Promise<ChildState> {
  const cur = readState(stateFile);
  const wanted = [process.execPath, main, ...args, "--state-file", stateFile];
  if (cur) {
    if (JSON.stringify(commandLine(cur.pid)) === JSON.stringify(wanted)) {
      log.info({ child: name, pid: cur.pid }, "adopted running process");
      return cur;
    }
    log.info({ child: name, pid: cur.pid }, "replacing a running process started with other settings");
    await stopProcess(cur.pid);
  }
  mkdirSync(join(stateFile, ".."), { recursive: true });
  rmSync(stateFile, { force: true });
  const out = openSync(logFile, "a");
  const child = spawn(wanted[0], wanted.slice(1), { detached: true, stdio: ["ignore", "ignore", out], env: process.env });
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (existsSync(stateFile)) {
      const s = readState(stateFile);
      if (s) {
        log.info({ child: name, pid: s.pid }, "started");
        return s;
      }
    }
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not start within 30 s; see ${logFile}`);
}
