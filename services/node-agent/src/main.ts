// skiff-node-agent: the kubelet of a Skiff node. Thin main: options, logger, start, signals.
import { createRootLogger } from "@skiff/log";
import { runMain } from "@skiff/client";
import { parseFlags, compileOptions } from "./options/options.js";
import { start } from "./server.js";

runMain("node-agent", async (log) => {
  const opts = compileOptions(parseFlags(process.argv.slice(2), process.env));
  const agent = await start(opts, log.child({ node: opts.nodeName }));
  process.stdout.write(JSON.stringify({ ready: true, node: agent.nodeName, listenAddress: agent.listenAddress }) + "\n");
  return agent.stop;
}, createRootLogger);
