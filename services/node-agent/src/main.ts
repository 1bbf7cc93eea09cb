// skiff-node-agent: the kubelet of a Skiff node. Thin main: options, logger, start, signals.
// `--teardown` (with the agent's usual flags) instead removes the node's proxy, dns and host
// network, for `skiff down`.
import { createRootLogger } from "@skiff/log";
import { loadOptions } from "@skiff/flags";
import { nodeAgentOptions } from "./options/options.js";

const argv = process.argv.slice(2);
if (argv.includes("--teardown")) {
  // Why only this import: `skiff down` waits for the teardown, and loading the whole agent (gRPC,
  // dockerode, NATS) costs ~0.7 s of CPU — many seconds of wall time on a busy machine.
  const log = createRootLogger({ service: "node-agent" });
  const opts = loadOptions(
    nodeAgentOptions,
    "skiff-node-agent",
    argv.filter((a) => a !== "--teardown"),
  );
  import("./network/teardown.js")
    .then((m) => m.teardownNode(opts, log))
    .then(
      () => process.exit(0),
      (err) => {
        log.error({ err }, "teardown failed");
        process.exit(1);
      },
    );
} else {
  const [{ runMain }, { start }] = await Promise.all([import("@skiff/client"), import("./server.js")]);
  runMain(
    "node-agent",
    async (log) => {
      const opts = loadOptions(nodeAgentOptions, "skiff-node-agent", argv);
      const agent = await start(opts, log.child({ node: opts.nodeName }));
      process.stdout.write(JSON.stringify({ ready: true, node: agent.nodeName, listenAddress: agent.listenAddress }) + "\n");
      return agent.stop;
    },
    createRootLogger,
  );
}
