// skiff-apiserver: the one gateway to the store. Thin main: options, logger, start, signals.
import { createRootLogger } from "@skiff/log";
import { loadOptions } from "@skiff/flags";
import { apiserverOptions } from "./options/options.js";
import { start } from "./server.js";
import { runMain } from "@skiff/client";

runMain(
  "apiserver",
  async (log) => {
    const opts = loadOptions(apiserverOptions, "skiff-apiserver");
    const s = await start(opts, log);
    // One machine-readable line on stdout tells a parent process where we listen.
    process.stdout.write(JSON.stringify({ ready: true, grpcAddress: s.grpcAddress, httpsAddress: s.httpsAddress }) + "\n");
    return s.stop;
  },
  createRootLogger,
);
