// Detached processes with pid files and log files: start, check, tail, stop.
import { spawn } from "node:child_process";
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from "node:fs";
import { dirname } from "node:path";
import { connect } from "node:net";
import { isAlive } from "@skiff/client/process";

export { isAlive };

/** Whether a live pid runs what we expect (true where /proc is not available to check). */
export function pidMatches(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ").includes(marker);
  } catch {
    return !existsSync("/proc/self");
  }
}

/** Reads a pid file; undefined when missing or garbage. */
export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** The pid of a running component, or undefined (a stale or reused pid counts as stopped). */
export function runningPid(file: string, marker: string): number | undefined {
  const pid = readPid(file);
  return pid !== undefined && isAlive(pid) && pidMatches(pid, marker) ? pid : undefined;
}

/** A process started by `startDetached`; `exited` turns true as soon as it is seen to end. */
export interface Started {
  pid: number;
  exited: () => boolean;
}

/**
 * Starts a process in its own session (so it outlives this CLI and Ctrl-C), with stdout and
 * stderr appended to `log`, and records its pid.
 */
export async function startDetached(command: string, args: string[], opts: { log: string; pidFile: string; env?: NodeJS.ProcessEnv }): Promise<Started> {
  mkdirSync(dirname(opts.log), { recursive: true });
  mkdirSync(dirname(opts.pidFile), { recursive: true });
  const fd = openSync(opts.log, "a");
  writeSync(fd, `\n=== ${new Date().toISOString()} ${command} ${args.join(" ")}\n`);
  let exited = false;
  try {
    const child = spawn(command, args, { detached: true, stdio: ["ignore", fd, fd], env: opts.env ?? process.env });
    await new Promise<void>((resolve, reject) => {
      child.once("spawn", resolve);
      child.once("error", reject);
    });
    child.once("exit", () => (exited = true));
    child.unref();
    writeFileSync(opts.pidFile, `${child.pid}\n`);
    return { pid: child.pid!, exited: () => exited || !isAlive(child.pid!) };
  } finally {
    closeSync(fd);
  }
}

/** The last `lines` lines a log file got since its process was last started. */
export function tail(file: string, lines = 30): string {
  try {
    let text = readFileSync(file, "utf8").replace(/\n+$/, "");
    // startDetached writes a "=== <time> <command>" line before each start: earlier runs are noise.
    const start = text.lastIndexOf("\n=== ");
    if (start >= 0) text = text.slice(start + 1);
    return text.split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Sends a signal to a process's group (everything it started), or to it alone when that fails. */
function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig);
  } catch {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  }
}

/** SIGTERM, wait up to `timeoutMs` for the process to exit, then SIGKILL. Returns how it ended. */
export async function stopProcess(pid: number, timeoutMs = 15_000): Promise<"stopped" | "killed"> {
  signal(pid, "SIGTERM");
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return "stopped";
    await new Promise((r) => setTimeout(r, 100));
  }
  signal(pid, "SIGKILL");
  for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 100));
  return "killed";
}

/** Removes a file if present. */
export function removeFile(file: string): void {
  rmSync(file, { force: true });
}

/** Whether something accepts TCP connections on host:port. */
export function portOpen(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host, port });
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once("connect", () => done(true));
    sock.once("error", () => done(false));
  });
}
