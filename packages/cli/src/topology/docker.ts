// The docker CLI as the topology tooling uses it: run a command, list labelled objects.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { CliError } from "../cli/errors.js";

const exec = promisify(execFile);

/** Runs `docker ARGS…`; returns trimmed stdout; fails with docker's own message. */
export async function docker(args: string[], timeoutMs = 120_000): Promise<string> {
  try {
    const { stdout } = await exec("docker", args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
    return stdout.trim();
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === "ENOENT") throw new CliError("docker CLI not found: install Docker (scripts/setup.sh does)");
    throw new CliError(`docker ${args.slice(0, 2).join(" ")}: ${e.stderr?.trim() || e.message}`);
  }
}

/** Lines of a docker listing, empty lines dropped. */
export async function dockerLines(args: string[]): Promise<string[]> {
  return (await docker(args))
    .split("\n")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Whether an image exists in the host engine. */
export async function imageExists(image: string): Promise<boolean> {
  return docker(["image", "inspect", "-f", "{{.Id}}", image]).then(
    () => true,
    () => false,
  );
}

/** A container of a topology as `docker ps` reports it. */
export interface ContainerState {
  id: string;
  name: string;
  role: string;
  index: number;
  /** running, paused, exited, … */
  state: string;
  /** Address on the topology's network ("" when not attached). */
  ip: string;
}

/** Every container labelled with the topology, with its address on `network`. */
export async function topologyContainers(topology: string, network: string): Promise<ContainerState[]> {
  const ids = await dockerLines(["ps", "-aq", "--filter", `label=io.skiff.topology=${topology}`]);
  if (!ids.length) return [];
  const fmt = `{{.Id}}|{{.Name}}|{{index .Config.Labels "io.skiff.role"}}|{{index .Config.Labels "io.skiff.index"}}|{{.State.Status}}|{{with index .NetworkSettings.Networks "${network}"}}{{.IPAddress}}{{end}}`;
  const lines = await dockerLines(["inspect", "-f", fmt, ...ids]);
  return lines
    .map((l) => {
      const [id, name, role, index, state, ip] = l.split("|");
      return { id, name: name.replace(/^\//, ""), role, index: Number(index), state, ip: ip ?? "" };
    })
    .sort((a, b) => a.role.localeCompare(b.role) || a.index - b.index);
}
