// skiff down: stops the single-host cluster's processes (clients of the store first) and removes the
// Docker containers and networks its node agent made. Stored objects survive unless --purge.
import { execFile } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { promisify } from "node:util";
import type { Command, Context } from "../cli/context.js";
import { agentArgsFile, clusterPaths, cmdlineMarker, componentNames, pidFile } from "../cluster/paths.js";
import { stopRegistry } from "../cluster/registry.js";
import { removeClusterDockerObjects } from "../cluster/docker.js";
import { removeFile, runningPid, stopProcess } from "../cluster/processes.js";
import { readClusterInfo } from "../cli/connection.js";
import { downTopology } from "../topology/topology.js";

/** `skiff down` of a container topology (`skiff up --nodes N`): removes all of it. */
async function downContainers(ctx: Context, name: string): Promise<number> {
  ctx.out.write(`Removing the container topology ${name}...\n`);
  const r = await downTopology(name);
  ctx.out.write(`Removed ${r.containers} container(s), ${r.networks} network(s) and ${r.volumes} volume(s)\n`);
  const info = readClusterInfo(ctx.home);
  if (!info?.topology || info.topology.name === name) {
    removeFile(clusterPaths(ctx.home).clusterJson);
    // Only the topology's own kubeconfig (a single-host cluster's stays with it).
    if (info?.topology?.name === name) removeFile(clusterPaths(ctx.home).kubeconfig);
  }
  ctx.out.write("Skiff is down.\n");
  return 0;
}

/**
 * Runs the node agent's `--teardown` with the flags `skiff up` gave it: stops the node's
 * detached proxy, dns and ingress controller and removes its routes and iptables rules.
 */
async function teardownNode(ctx: Context, argsFile: string): Promise<void> {
  if (!existsSync(argsFile)) return;
  const args = JSON.parse(readFileSync(argsFile, "utf8")) as string[];
  try {
    await promisify(execFile)(process.execPath, [...args, "--teardown"], { timeout: 60_000 });
    ctx.out.write("Stopped the node's proxy, dns and ingress controller, removed its routes and iptables rules\n");
    removeFile(argsFile);
  } catch (err) {
    ctx.err.write(`warning: could not tear down the node's service network: ${(err as Error).message}\n`);
  }
}

async function run(ctx: Context): Promise<number> {
  const topology = ctx.flags.string("name") ?? readClusterInfo(ctx.home)?.topology?.name;
  if (topology) return downContainers(ctx, topology);
  const paths = clusterPaths(ctx.home);
  const stop = async (name: (typeof componentNames)[number]) => {
    const file = pidFile(paths, name);
    const pid = runningPid(file, cmdlineMarker(name));
    if (pid !== undefined) {
      const how = await stopProcess(pid, 15_000);
      ctx.out.write(`Stopped ${name} (pid ${pid})${how === "stopped" ? "" : ": killed, it did not stop within 15s"}\n`);
    }
    removeFile(file);
  };
  // In three waves, each in parallel (one at a time took ~17 s): the store's clients, then the
  // apiserver and the pod containers, then NATS last. The node's service network goes as soon
  // as its agent has stopped (the agent would otherwise restart its proxy and dns).
  const clients = componentNames.filter((n) => n !== "nats" && n !== "apiserver");
  const teardown = stop("node-agent").then(() => teardownNode(ctx, agentArgsFile(paths)));
  await Promise.all([
    ...clients.filter((n) => n !== "node-agent").map(stop),
    teardown,
    stopRegistry(ctx.home).then((r) => {
      if (r) ctx.out.write("Stopped the registry (its images stay in the registry/ directory)\n");
    }),
  ]);
  const [, docker] = await Promise.all([stop("apiserver"), removeClusterDockerObjects("skiff")]);
  await stop("nats");
  if (docker.error) ctx.err.write(`warning: could not remove Docker containers and networks: ${docker.error}\n`);
  else if (docker.containers || docker.networks) ctx.out.write(`Removed ${docker.containers} container(s) and ${docker.networks} network(s)\n`);
  removeFile(paths.clusterJson);
  if (ctx.flags.bool("purge")) {
    rmSync(paths.natsDir, { recursive: true, force: true });
    ctx.out.write(`Deleted the stored cluster state (${paths.natsDir})\n`);
  }
  ctx.out.write("Skiff is down.\n");
  return 0;
}

/** `skiff down`. */
export const downCommand: Command = {
  name: "down",
  summary: "Stop the single-host cluster",
  usage: "skiff down [--purge] [--home DIR]\n  skiff down --name NAME   # a container topology (skiff up --nodes N); the default when cluster.json names one",
  flags: {
    name: { type: "string", description: "Remove the container topology of this name (containers, networks, volumes)." },
    purge: { type: "boolean", description: "Also delete the NATS data (every stored object)." },
  },
  run,
};
