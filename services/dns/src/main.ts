// skiff-dns: cluster DNS for svc.cluster.local. Thin main: options, logger, start, signals.
import { createRootLogger } from "@skiff/log";
import { runMain } from "@skiff/client";
import { loadOptions } from "@skiff/flags";
import { dnsOptions } from "./options/options.js";
import { start } from "./index.js";

runMain(
  "dns",
  async (log) => {
    const opts = loadOptions(dnsOptions, "skiff-dns");
    const s = await start(opts, log);
    process.stdout.write(JSON.stringify({ ready: true, port: s.port, metricsAddress: s.metricsAddress }) + "\n");
    return s.stop;
  },
  createRootLogger,
);
