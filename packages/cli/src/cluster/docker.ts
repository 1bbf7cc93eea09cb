// Removing what the node agent left in Docker: containers and networks labelled with the
// cluster's name (io.skiff.cluster=<name>), through the docker CLI.
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** What was removed, or why nothing could be. */
export interface DockerCleanup {
  containers: number;
  networks: number;
  error?: string;
}

async function ids(args: string[]): Promise<string[]> {
  const { stdout } = await run("docker", args, { timeout: 60_000 });
  return stdout
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Removes every container, then every network, labelled io.skiff.cluster=<cluster>. */
export async function removeClusterDockerObjects(cluster: string): Promise<DockerCleanup> {
  const label = `label=io.skiff.cluster=${cluster}`;
  const out: DockerCleanup = { containers: 0, networks: 0 };
  try {
    const containers = await ids(["ps", "-aq", "--filter", label]);
    if (containers.length) await run("docker", ["rm", "-f", ...containers], { timeout: 120_000 });
    out.containers = containers.length;
    // Networks go last: Docker refuses to remove one that still has containers.
    const networks = await ids(["network", "ls", "-q", "--filter", label]);
    if (networks.length) await run("docker", ["network", "rm", ...networks], { timeout: 60_000 });
    out.networks = networks.length;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    out.error = e.code === "ENOENT" ? "docker CLI not found" : e.stderr?.trim() || e.message;
  }
  return out;
}
