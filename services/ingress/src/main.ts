// skiff-ingress: the built-in Ingress controller of a node. Thin main: options, logger, start, signals.
import { createRootLogger } from "@skiff/log";
import { runMain } from "@skiff/client";
import { loadOptions } from "@skiff/flags";
import { ingressOptions } from "./options/options.js";
import { start } from "./index.js";

runMain(
  "ingress",
  async (log) => {
    const opts = loadOptions(ingressOptions, "skiff-ingress");
    const s = await start(opts, log);
    process.stdout.write(JSON.stringify({ ready: true, httpPort: s.httpPort, httpsPort: s.httpsPort, metricsPort: s.metricsPort }) + "\n");
    return s.stop;
  },
  createRootLogger,
);
