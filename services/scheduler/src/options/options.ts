// scheduler options: flags and environment → partial → compileOptions() (defaults here).
import { parseArgs } from "node:util";

/** Everything the scheduler process is configured with (all fields filled after compileOptions). */
export interface SchedulerOptions {
  /** host:port of the apiservers' gRPC API, tried in order (--apiserver, SKIFF_APISERVER; default 127.0.0.1:6444). */
  apiservers: string[];
  /** Pods with this spec.schedulerName are ours (--scheduler-name; default "default-scheduler"). */
  schedulerName: string;
  /** How often unschedulable pods are retried without any cluster change (--retry-interval-ms; default 10000). */
  retryIntervalMs: number;
}

/** Reads flags (and SKIFF_* environment variables) into a partial options object. */
export function parseFlags(argv: string[], env: NodeJS.ProcessEnv): Partial<SchedulerOptions> {
  const { values } = parseArgs({
    args: argv,
    options: {
      apiserver: { type: "string" }, "scheduler-name": { type: "string" }, "retry-interval-ms": { type: "string" },
    },
    strict: true,
  });
  const apiserver = values.apiserver ?? env.SKIFF_APISERVER;
  const retry = values["retry-interval-ms"];
  return {
    apiservers: apiserver ? apiserver.split(",").map((s) => s.trim()).filter(Boolean) : undefined,
    schedulerName: values["scheduler-name"],
    retryIntervalMs: retry === undefined ? undefined : Number(retry),
  };
}

/** Validates a partial and fills defaults; throws with every problem listed. */
export function compileOptions(p: Partial<SchedulerOptions>): SchedulerOptions {
  const o: SchedulerOptions = {
    apiservers: p.apiservers?.length ? p.apiservers : ["127.0.0.1:6444"],
    schedulerName: p.schedulerName ?? "default-scheduler",
    retryIntervalMs: p.retryIntervalMs ?? 10_000,
  };
  const errs: string[] = [];
  for (const a of o.apiservers) {
    if (!/^[^\s]+:\d+$/.test(a)) errs.push(`--apiserver: must be host:port[,host:port…], got ${JSON.stringify(a)}`);
  }
  if (!o.schedulerName.trim()) errs.push("--scheduler-name: must not be empty");
  if (!Number.isFinite(o.retryIntervalMs) || o.retryIntervalMs <= 0) errs.push("--retry-interval-ms: must be a positive number");
  if (errs.length) throw new Error(`invalid options:\n  ${errs.join("\n  ")}`);
  return o;
}
