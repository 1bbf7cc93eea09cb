// skiff-scheduler: binds pending pods to nodes. Thin main: options, logger, start, signals.
import { createRootLogger } from "@skiff/log";
import { runMain } from "@skiff/client";
import { loadOptions } from "@skiff/flags";
import { schedulerOptions } from "./options/options.js";
import { start } from "./server.js";

runMain(
  "scheduler",
  async (log) => {
    const opts = loadOptions(schedulerOptions, "skiff-scheduler");
    // A deposed leader exits (status 3) so that nothing of it keeps acting; restarted, it stands by.
    const stop = await start(opts, log, () => {
      log.fatal("lost the scheduler lease; exiting");
      process.exit(3);
    });
    // One machine-readable line on stdout tells a parent process we are scheduling.
    process.stdout.write(JSON.stringify({ ready: true }) + "\n");
    return stop;
  },
  createRootLogger,
);
