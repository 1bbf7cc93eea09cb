// Wires the scheduler process: apiserver client → Scheduler; returns a function that stops it.
import type { Logger } from "@skiff/log";
import { ApiClient } from "@skiff/client";
import { Scheduler } from "./scheduler.js";
import type { SchedulerOptions } from "./options/options.js";

/** Starts the scheduler and resolves once its informers have synced and it schedules. */
export async function start(opts: SchedulerOptions, log: Logger): Promise<() => Promise<void>> {
  const client = new ApiClient({ addresses: opts.apiservers });
  const scheduler = new Scheduler({
    client, schedulerName: opts.schedulerName, retryIntervalMs: opts.retryIntervalMs,
    log: log.child({ component: "scheduler" }),
  });
  try {
    await scheduler.start();
  } catch (err) {
    client.close();
    throw err;
  }
  log.info({ apiservers: opts.apiservers, schedulerName: opts.schedulerName }, "scheduler running");
  return async () => {
    await scheduler.stop();
    client.close();
  };
}
