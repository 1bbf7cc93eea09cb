// Lifecycle hooks: postStart right after a container starts (a failure kills it, reason
// FailedPostStartHook), preStop before the container is sent SIGTERM, within its grace period.
import type { Pod, Handler, RuntimeContainerSpec } from "@skiff/api";
import type { EventRecorder } from "@skiff/client";
import type { Runtime } from "../runtime/runtime.js";
import { runHandler, type Target } from "../prober/run.js";

/** Longest a postStart hook may run before it counts as failed. */
export const POST_START_TIMEOUT_MS = 120_000;

/** Runs postStart; returns the failure message if the hook failed. */
export async function runPostStart(pod: Pod, c: RuntimeContainerSpec, target: Target, runtime: Runtime, recorder: EventRecorder): Promise<string | undefined> {
  const h = c.lifecycle?.postStart;
  if (!h) return undefined;
  // Kubernetes gives postStart no timeout of its own; a generous bound keeps a hung hook from
  // wedging the pod's worker forever (not the grace period: a 1 s grace must not cap a slow hook).
  const o = await runHandler(h, target, runtime, POST_START_TIMEOUT_MS);
  if (o.ok) return undefined;
  const msg = describe(h, o.message);
  recorder.record(pod, "Warning", "FailedPostStartHook", msg, `spec.containers{${c.name}}`);
  return msg;
}

/** Runs preStop within `budgetMs`; resolves with how long it took. */
export async function runPreStop(
  pod: Pod,
  c: RuntimeContainerSpec | undefined,
  target: Target,
  runtime: Runtime,
  recorder: EventRecorder,
  budgetMs: number,
): Promise<number> {
  const h = c?.lifecycle?.preStop;
  if (!h || budgetMs <= 0) return 0;
  const t0 = Date.now();
  const o = await runHandler(h, target, runtime, budgetMs);
  if (!o.ok) recorder.record(pod, "Warning", "FailedPreStopHook", describe(h, o.message), `spec.containers{${c!.name}}`);
  return Date.now() - t0;
}

function describe(h: Handler, message: string): string {
  if (h.exec) return `Exec lifecycle hook (${JSON.stringify(h.exec.command ?? [])}) failed - error: ${message}`;
  if (h.httpGet) return `HTTP lifecycle hook (${h.httpGet.path ?? "/"}) failed - error: ${message}`;
  return `lifecycle hook failed - error: ${message}`;
}
