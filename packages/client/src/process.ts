// Whether a process still runs, by pid. Its own entry point (@skiff/client/process) so that
// short-lived commands (`skiff down`, the agent's --teardown) need not load gRPC or NATS for it.
import { readFileSync } from "node:fs";

/** Whether the pid names a process that has not exited (an exited but unreaped one has). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  // A zombie has exited; only its parent has not reaped it yet. Detached processes are
  // reparented to PID 1 once their parent exits, and a container's init may reap them seconds
  // later (here ~4 s, which was most of `skiff down`, and let a restarted agent "adopt" a dead proxy).
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The state follows the command name, which is in parentheses and may itself hold ") ".
    const end = stat.lastIndexOf(")");
    return stat.slice(end + 2, end + 3) === "Z";
  } catch {
    return false;
  }
}
