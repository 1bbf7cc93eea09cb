// skiff-hollow-nodes: many fake node agents in one process (scale tests). Thin main: options, logger, start, signals.
import { createRootLogger } from "@skiff/log";
import { runMain } from "@skiff/client";
import { loadOptions } from "@skiff/flags";
import { hollowOptions } from "./options.js";
import { startHollowNodes } from "./hollow.js";

runMain(
  "hollow-nodes",
  async (log) => {
    const opts = loadOptions(hollowOptions, "skiff-hollow-nodes");
    const fleet = await startHollowNodes(opts, log);
    process.stdout.write(JSON.stringify({ ready: true, nodes: fleet.nodes.length }) + "\n");
    return fleet.stop;
  },
  createRootLogger,
);
