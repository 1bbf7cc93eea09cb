// skiff-node-agent: the kubelet of a Skiff node. Thin main: options, logger, start, signals.
// `--teardown` (with the agent's usual flags) instead removes the node's proxy, dns and host
// network, for `skiff down`.
import { createRootLogger } from "@skiff/log";
import { runMain } from "@skiff/client";
import { loadOptions } from "@skiff/flags";
import { nodeAgentOptions } from "./options/options.js";
import { start } from "./server.js";
import { teardownNode } from "./network/teardown.js";

const argv = process.argv.slice(2);
if (argv.includes("--teardown")) {
  const log = createRootLogger({ service: "node-agent" });
  const opts = loadOptions(nodeAgentOptions, "skiff-node-agent", argv.filter((a) => a !== "--teardown"));
  teardownNode(opts, log).then(() => process.exit(0), (err) => {
    log.error({ err }, "teardown failed");
    process.exit(1);
  });
} else {
  runMain("node-agent", async (log) => {
    const opts = loadOptions(nodeAgentOptions, "skiff-node-agent", argv);
    const agent = await start(opts, log.child({ node: opts.nodeName }));
    process.stdout.write(JSON.stringify({ ready: true, node: agent.nodeName, listenAddress: agent.listenAddress }) + "\n");
    return agent.stop;
  }, createRootLogger);
}
