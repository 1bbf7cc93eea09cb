// skiff-hollow-nodes: many fake node agents in one process (scale tests). Thin main: options, logger, start, signals.
import { parseArgs } from "node:util";
import { createRootLogger } from "@skiff/log";
import { runMain } from "@skiff/client";
import { compileHollowOptions, startHollowNodes } from "./hollow.js";

runMain(
  "hollow-nodes",
  async (log) => {
    const { values: parsed } = parseArgs({
      args: process.argv.slice(2),
      strict: true,
      options: {
        ...Object.fromEntries(
          ["apiserver", "tls-dir", "nats", "count", "prefix", "heartbeat-ms", "status-ms", "cpus", "memory-gib", "max-pods", "workers", "resync-ms"].map(
            (k) => [k, { type: "string" as const }],
          ),
        ),
        events: { type: "boolean" as const },
      },
    });
    const values = parsed as Record<string, string | boolean | undefined>;
    const num = (k: string) => (values[k] === undefined ? undefined : Number(values[k]));
    const list = (v: unknown) => (typeof v === "string" ? v.split(",").filter(Boolean) : undefined);
    const opts = compileHollowOptions({
      apiservers: list(values.apiserver ?? process.env.SKIFF_APISERVER),
      natsServers: list(values.nats ?? process.env.SKIFF_NATS),
      tlsDir: (values["tls-dir"] as string | undefined) ?? process.env.SKIFF_TLS_DIR,
      count: num("count"),
      prefix: values.prefix as string | undefined,
      heartbeatMs: num("heartbeat-ms"),
      statusMs: num("status-ms"),
      cpus: num("cpus"),
      memoryGiB: num("memory-gib"),
      maxPods: num("max-pods"),
      workers: num("workers"),
      resyncMs: num("resync-ms"),
      events: values.events === true,
    });
    const fleet = await startHollowNodes(opts, log);
    process.stdout.write(JSON.stringify({ ready: true, nodes: fleet.nodes.length }) + "\n");
    return fleet.stop;
  },
  createRootLogger,
);
