// skiff-ingress: the built-in Ingress controller of a node. Thin main: options, logger, start, signals.
// A worker of --workers N (forked by the primary, same flags) only serves: it loads neither the
// API client nor the controller's loops (each worker is a whole Node.js process's memory).
import cluster from "node:cluster";
import { createRootLogger } from "@skiff/log";
import { loadOptions } from "@skiff/flags";
import { ingressOptions } from "./options/options.js";

if (cluster.isWorker) {
  const { runWorker } = await import("./workers/worker.js");
  runWorker(loadOptions(ingressOptions, "skiff-ingress"), createRootLogger({ service: "ingress" }));
} else {
  const [{ runMain }, { start }] = await Promise.all([import("@skiff/client"), import("./index.js")]);
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
}
