// skiff-controller-manager: the reconcile loops. Thin main: options, logger, start, signals.
import { createRootLogger } from "@skiff/log";
import { runMain } from "@skiff/client";
import { loadOptions } from "@skiff/flags";
import { controllerManagerOptions } from "./options/options.js";
import { start } from "./server.js";

runMain(
  "controller-manager",
  async (log) => {
    // A deposed leader exits (status 3) so that nothing of it keeps acting; restarted, it stands by.
    const stop = await start(loadOptions(controllerManagerOptions, "skiff-controller-manager"), log, () => {
      log.fatal("lost the controller-manager lease; exiting");
      process.exit(3);
    });
    process.stdout.write(JSON.stringify({ ready: true }) + "\n");
    return stop;
  },
  createRootLogger,
);
