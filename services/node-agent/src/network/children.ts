// The node's proxy and dns processes. By default (--proxy=spawn) the agent starts them as
// detached processes that outlive it, recording pid and addresses in its run dir; a
// restarted agent adopts the running ones. With --proxy=external something else runs them
// at the addresses given.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import type { Logger } from "@skiff/log";
import { isAlive } from "@skiff/client/process";
import { nodeCommand, nodeEnv } from "@skiff/client/launch";

/** The state file a child writes once it serves. */
export interface ChildState {
  pid: number;
  [k: string]: unknown;
}

/** Path of a sibling service's main (services/<name>/dist/main.js). */
export function serviceMain(name: string): string {
  return fileURLToPath(new URL(`../../../${name}/dist/main.js`, import.meta.url));
}

/**
 * The command line a child runs: node with the flags every launcher gives a component
 * (@skiff/client/launch), its main, its args and its state file. Adoption compares it whole.
 */
export function childCommandLine(main: string, args: readonly string[], stateFile: string): string[] {
  const c = nodeCommand(main, [...args, "--state-file", stateFile]);
  return [c.command, ...c.args];
}

/** Reads a child's state file if its process still runs. */
export function readState(file: string): ChildState | undefined {
  try {
    const s = JSON.parse(readFileSync(file, "utf8")) as ChildState;
    return isAlive(s.pid) ? s : undefined;
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
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (isAlive(pid)) {
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      /* gone meanwhile */
    }
  }
}

/** Stops the child recorded in a state file, if it still runs, and forgets it. */
export async function stopChild(stateFile: string): Promise<number | undefined> {
  const starting = await stopStarting(stateFile);
  const s = readState(stateFile);
  if (s) await stopProcess(s.pid);
  rmSync(stateFile, { force: true });
  return s?.pid ?? starting;
}

/** Where a child's pid is kept from its spawn until it writes its state file. */
const startingFile = (stateFile: string) => `${stateFile}.starting`;

/**
 * Stops a child that was spawned but never wrote its state file (its agent stopped while it
 * started): without this, `skiff down` right after `up` could leave a slow-starting ingress
 * controller running.
 */
async function stopStarting(stateFile: string): Promise<number | undefined> {
  let pid: number | undefined;
  try {
    pid = Number(readFileSync(startingFile(stateFile), "utf8")) || undefined;
  } catch {
    return undefined;
  }
  if (pid && isAlive(pid) && commandLine(pid)?.includes(stateFile)) await stopProcess(pid);
  else pid = undefined;
  rmSync(startingFile(stateFile), { force: true });
  return pid;
}

/**
 * Adopts the child recorded in `stateFile` or spawns `main args…` detached (logs to
 * `logFile`), then waits for its state file. A running child is adopted only when it runs
 * exactly this command line: one left by an earlier cluster of the same name (another
 * apiserver, other flags) is replaced, never served to this cluster's pods.
 */
export async function ensureChild(name: string, main: string, args: string[], stateFile: string, logFile: string, log: Logger): Promise<ChildState> {
  const cur = readState(stateFile);
  const wanted = childCommandLine(main, args, stateFile);
  if (cur) {
    if (JSON.stringify(commandLine(cur.pid)) === JSON.stringify(wanted)) {
      log.info({ child: name, pid: cur.pid }, "adopted running process");
      return cur;
    }
    log.info({ child: name, pid: cur.pid }, "replacing a running process started with other settings");
    await stopProcess(cur.pid);
  }
  mkdirSync(join(stateFile, ".."), { recursive: true });
  await stopStarting(stateFile);
  rmSync(stateFile, { force: true });
  const out = openSync(logFile, "a");
  const child = spawn(wanted[0], wanted.slice(1), { detached: true, stdio: ["ignore", "ignore", out], env: nodeEnv() });
  child.unref();
  if (child.pid) writeFileSync(startingFile(stateFile), String(child.pid));
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (existsSync(stateFile)) {
      const s = readState(stateFile);
      if (s) {
        rmSync(startingFile(stateFile), { force: true });
        log.info({ child: name, pid: s.pid }, "started");
        return s;
      }
    }
    // A signal (e.g. stopChild from a teardown) leaves exitCode null and sets signalCode.
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${name} exited with ${child.exitCode ?? child.signalCode}; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not start within 30 s; see ${logFile}`);
}
