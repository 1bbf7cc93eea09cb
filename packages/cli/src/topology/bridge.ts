// The host's firewall for a topology's network: Docker isolates an internal network by dropping
// packets whose addresses are outside its subnet, and pod-to-pod packets between node
// containers carry pod addresses (host-gw, no masquerade). One rule in DOCKER-USER accepts
// what enters and leaves the topology's own bridge (it cannot reach anything else), tagged
// with a comment so `skiff down` removes exactly it.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { docker } from "./docker.js";

const exec = promisify(execFile);

/** The comment tagging a topology's rules. */
export function ruleComment(topology: string): string {
  return `skiff-topology:${topology}`;
}

async function iptables(args: string[]): Promise<string> {
  const { stdout } = await exec("iptables", ["-w", "5", ...args], { timeout: 15_000 });
  return stdout;
}

/** Accepts forwarding within the network's bridge; returns a warning when that was not possible. */
export async function allowBridgeTraffic(topology: string, network: string): Promise<string | undefined> {
  const id = await docker(["network", "inspect", "-f", "{{.Id}}", network]);
  const bridge = `br-${id.slice(0, 12)}`;
  const rule = ["-i", bridge, "-o", bridge, "-m", "comment", "--comment", ruleComment(topology), "-j", "ACCEPT"];
  try {
    await iptables(["-C", "DOCKER-USER", ...rule]).catch(() => iptables(["-I", "DOCKER-USER", "1", ...rule]));
    return undefined;
  } catch (err) {
    return `could not allow pod traffic between node containers on ${bridge} (iptables: ${(err as Error).message.split("\n")[0]}); pods on different nodes may not reach each other on an internal network`;
  }
}

/** Removes every DOCKER-USER rule tagged with the topology (best effort). */
export async function removeBridgeRules(topology: string): Promise<void> {
  let rules: string[];
  try {
    rules = (await iptables(["-S", "DOCKER-USER"]))
      .split("\n")
      .filter((l) => l.includes(`"${ruleComment(topology)}"`) || l.includes(` ${ruleComment(topology)} `) || l.endsWith(ruleComment(topology)));
  } catch {
    return;
  }
  for (const r of rules) {
    const args =
      r
        .replace(/^-A /, "-D ")
        .match(/"[^"]*"|\S+/g)
        ?.map((a) => a.replace(/^"|"$/g, "")) ?? [];
    await iptables(args).catch(() => undefined);
  }
}
