// skiff-ingress: the built-in Ingress controller of a node. Thin main: options, logger, start, signals.
import { createRootLogger } from "@skiff/log";
import { runMain } from "@skiff/client";
import { loadOptions } from "@skiff/flags";
import { ingressOptions } from "./options/options.js";
import cluster from "node:cluster";
import { start } from "./index.js";
import { runWorker } from "./workers/worker.js";

// A worker of --workers N (forked by the primary, same flags): serves only.
if (cluster.isWorker) runWorker(loadOptions(ingressOptions, "skiff-ingress"), createRootLogger({ service: "ingress" }));
else
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
