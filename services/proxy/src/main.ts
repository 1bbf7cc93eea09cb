// skiff-proxy: the node's L4 proxy for ClusterIPs, NodePorts and load-balancer addresses,
// programmed by its node agent. Thin main: options, logger, start, signals.
import { createRootLogger } from "@skiff/log";
import { runMain } from "@skiff/client";
import { loadOptions } from "@skiff/flags";
import { proxyOptions } from "./options/options.js";
import { start } from "./server.js";

runMain(
  "proxy",
  async (log) => {
    const opts = loadOptions(proxyOptions, "skiff-proxy");
    const p = await start(opts, log);
    // One machine-readable line on stdout tells a parent process where we listen.
    process.stdout.write(JSON.stringify({ ready: true, listen: p.listen, metricsAddress: p.metricsAddress }) + "\n");
    return p.stop;
  },
  createRootLogger,
);
