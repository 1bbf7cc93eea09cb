// Restart policy and CrashLoopBackOff for a finished container, derived from its labels and
// timestamps only (so an agent restart keeps the back-off). Pure functions.
import type { Pod } from "@skiff/api";
import type { RuntimeContainer } from "../../runtime/runtime.js";
import { BACKOFF_STEP, INIT } from "./labels.js";

/** CrashLoopBackOff: first delay, cap, and how long a run must last to reset (Kubernetes: 10 s, 5 min, 10 min). */
export interface CrashBackoffOptions {
  backoffBaseMs: number;
  backoffMaxMs: number;
  backoffResetMs: number;
}

/** Whether a finished instance is to be replaced, by the pod's restartPolicy. */
export function shouldRestart(pod: Pod, kind: string, finished: RuntimeContainer): boolean {
  const policy = pod.spec.restartPolicy ?? "Always";
  // Init containers are retried like OnFailure under Always (they must complete, not keep running).
  return kind === INIT ? policy !== "Never" && finished.exitCode !== 0 : policy === "Always" || (policy === "OnFailure" && finished.exitCode !== 0);
}

/** When the next instance may start: its back-off step, the delay, and the time (ms since epoch). */
export interface CrashBackoff {
  step: number;
  delayMs: number;
  readyAt: number;
}

/**
 * The first restart is immediate, then the delay doubles from the base up to the cap; a run of
 * at least backoffResetMs starts over. The step travels on the next instance's label.
 */
export function crashBackoff(finished: RuntimeContainer, opts: CrashBackoffOptions): CrashBackoff {
  const ran = Date.parse(finished.finishedAt ?? "") - Date.parse(finished.startedAt ?? "");
  const step = ran >= opts.backoffResetMs ? 0 : (Number(finished.labels[BACKOFF_STEP] ?? 0) || 0) + 1;
  const delayMs = step <= 1 ? 0 : Math.min(opts.backoffBaseMs * 2 ** (step - 2), opts.backoffMaxMs);
  return { step, delayMs, readyAt: Date.parse(finished.finishedAt ?? "") + delayMs };
}
