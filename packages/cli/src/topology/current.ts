// Which container topology a command acts on: --name, else the one cluster.json records.
import { readClusterInfo } from "../cli/connection.js";
import type { Context } from "../cli/context.js";
import { CliError } from "../cli/errors.js";
import { topologyContainers, type ContainerState } from "./docker.js";

/** A running container topology: its name, network and containers. */
export interface CurrentTopology {
  name: string;
  network: string;
  containers: ContainerState[];
}

/** The topology named by --name or recorded in $SKIFF_HOME/cluster.json; fails when there is none. */
export async function currentTopology(ctx: Context): Promise<CurrentTopology> {
  const recorded = readClusterInfo(ctx.home)?.topology;
  const name = ctx.flags.string("name") ?? recorded?.name;
  if (!name) throw new CliError("no container topology: start one with ./skiff up --nodes N (or name it with --name)");
  const network = recorded && recorded.name === name ? recorded.network : `${name}-net`;
  const containers = await topologyContainers(name, network);
  if (!containers.length) throw new CliError(`the container topology ${name} has no containers (is it up? ./skiff up --nodes N)`);
  return { name, network, containers };
}
