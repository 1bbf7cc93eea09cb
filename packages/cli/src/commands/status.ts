// skiff status: whether each process of the single-host cluster runs, and the nodes'
// readiness when the apiserver answers. Exit 0 when every process runs, 3 otherwise.
import type { Node } from "@skiff/api";
import { ApiClient } from "@skiff/client";
import type { Command, Context } from "../cli/context.js";
import { readClusterInfo } from "../cli/connection.js";
import { clusterPaths, cmdlineMarker, componentNames, pidFile } from "../cluster/paths.js";
import { runningPid } from "../cluster/processes.js";
import { tabwrite } from "../output/tabwriter.js";
import { nodeStatus } from "@skiff/printers";

async function run(ctx: Context): Promise<number> {
  const paths = clusterPaths(ctx.home);
  let lines = "";
  let allRunning = true;
  for (const name of componentNames) {
    const pid = runningPid(pidFile(paths, name), cmdlineMarker(name));
    if (pid === undefined) allRunning = false;
    lines += `${name}\t${pid === undefined ? "stopped" : `running (pid ${pid})`}\n`;
  }
  const info = readClusterInfo(ctx.home);
  if (runningPid(pidFile(paths, "apiserver"), cmdlineMarker("apiserver")) !== undefined) {
    const address = info?.apiserver ?? "127.0.0.1:6444";
    const dir = ctx.tlsDir;
    const client = new ApiClient({ addresses: [address], timeoutMs: 3000, ...(dir ? { tls: { dir } } : {}) });
    try {
      const nodes = (await client.list<Node>("nodes")).items;
      lines += `apiserver address\t${address}\n`;
      if (nodes.length === 0) lines += "nodes\tnone registered yet\n";
      for (const n of nodes) lines += `node ${n.metadata.name}\t${nodeStatus(n)}\n`;
    } catch (err) {
      lines += `apiserver address\t${address} (not answering: ${(err as Error).message})\n`;
    } finally {
      client.close();
    }
  }
  ctx.out.write(tabwrite(lines, { minWidth: 0, padding: 2 }));
  if (!allRunning) ctx.out.write(`\nSkiff is ${lines.includes("running") ? "partly running" : "not running"} (home ${ctx.home}); start it with ./skiff up.\n`);
  return allRunning ? 0 : 3;
}

/** `skiff status`. */
export const statusCommand: Command = {
  name: "status",
  summary: "Show whether the single-host cluster runs",
  usage: "skiff status [--home DIR]",
  flags: {},
  run,
};
