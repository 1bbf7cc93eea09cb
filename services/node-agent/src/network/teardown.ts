// Undoing a node's service network when the node is taken down for good (`skiff down`): the
// detached proxy and dns processes, and the routes and iptables chains of the host network.
// A plain agent stop leaves all of it in place on purpose (the proxy keeps serving).
import { join } from "node:path";
import type { Logger } from "@skiff/log";
import { stopChild } from "./children.js";
import { teardownHostNetwork } from "./host.js";

export interface TeardownOptions {
  clusterName: string;
  clusterCidr: string;
  serviceCidr: string;
  runDir: string;
}

/** Stops the node's proxy, dns and ingress controller and removes its host routes and iptables rules. */
export async function teardownNode(opts: TeardownOptions, log: Logger): Promise<void> {
  await Promise.all(
    ["proxy", "dns", "ingress"].map(async (name) => {
      const pid = await stopChild(join(opts.runDir, `${name}.json`));
      if (pid) log.info({ child: name, pid }, "stopped");
    }),
  );
  await teardownHostNetwork({ clusterName: opts.clusterName, clusterCidr: opts.clusterCidr, serviceCidr: opts.serviceCidr });
  log.info({ cluster: opts.clusterName }, "host network removed");
}
