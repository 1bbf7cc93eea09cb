// --pod-network-attach auto against the real engine: in the engine's network namespace the agent
// attaches sandboxes itself (veth); from a network namespace of its own (an agent in another
// container driving this engine through its socket) the bridge is out of its sight, and auto
// falls back to Docker's networking instead of failing every sandbox.
import { execFile, execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = join(import.meta.dirname, "..", "..");
const runtimeModule = join(repoRoot, "services/node-agent/dist/runtime/docker.js");
const tag = `pna${process.pid.toString(36)}`;

/** Runs a sandbox through DockerRuntime (auto) in a fresh process, optionally in a new network namespace. */
async function runSandbox(subnetOctet: number, ownNetns: boolean): Promise<{ ip?: string; podIpLabel?: string; ipRange?: string; state: string }> {
  const name = `${tag}-${subnetOctet}`;
  const script = `
    import { DockerRuntime } from ${JSON.stringify(runtimeModule)};
    import Docker from "dockerode";
    const rt = new DockerRuntime("/var/run/docker.sock", { podNetworkAttach: "auto", sandboxDir: "/tmp/${name}" });
    const labels = { "io.skiff.test": "${tag}" };
    await rt.ensureNetwork("${name}", "10.250.${subnetOctet}.0/24", "10.250.${subnetOctet}.1", labels, true);
    const id = await rt.create({ name: "${name}-sandbox", image: "skiff/pause:3.9", labels, network: "${name}", hostname: "p" });
    await rt.start(id);
    const c = await rt.inspect(id);
    const n = await new Docker().getNetwork("${name}").inspect();
    console.log(JSON.stringify({ ip: c.ip, podIpLabel: c.labels["io.skiff.pod-ip"], ipRange: n.IPAM.Config[0].IPRange, state: c.state }));
  `;
  const node = [process.execPath, "--input-type=module", "-e", script];
  // As a container would have it: its own network namespace, and a sysfs mounted from inside it.
  const cmd = ownNetns ? ["unshare", "--net", "--mount", "sh", "-c", 'mount -t sysfs sysfs /sys && exec "$@"', "sh", ...node] : node;
  const { stdout } = await promisify(execFile)(cmd[0], cmd.slice(1), {
    cwd: join(repoRoot, "services/node-agent"),
    timeout: 60_000,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1)!);
}

afterAll(() => {
  const ids = execFileSync("docker", ["ps", "-aq", "--filter", `label=io.skiff.test=${tag}`], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  if (ids.length) execFileSync("docker", ["rm", "-f", ...ids]);
  const nets = execFileSync("docker", ["network", "ls", "-q", "--filter", `label=io.skiff.test=${tag}`], { encoding: "utf8" })
    .split("\n")
    .filter(Boolean);
  for (const n of nets) execFileSync("docker", ["network", "rm", n]);
  for (const octet of [71, 72]) rmSync(`/tmp/${tag}-${octet}`, { recursive: true, force: true });
});

describe("--pod-network-attach auto", () => {
  it("attaches sandboxes itself in the engine's network namespace; Docker's IPAM keeps to the last sixteenth", async () => {
    const r = await runSandbox(71, false);
    expect(r.state).toBe("running");
    expect(r.podIpLabel).toMatch(/^10\.250\.71\.\d+$/);
    expect(r.ip).toBe(r.podIpLabel);
    expect(r.ipRange).toBe("10.250.71.240/28");
  });

  it("falls back to Docker's networking from a network namespace of its own: the sandbox still runs with an address", async () => {
    const r = await runSandbox(72, true);
    expect(r.state).toBe("running");
    expect(r.podIpLabel).toBeUndefined();
    expect(r.ip).toMatch(/^10\.250\.72\.\d+$/);
    // The network was made again without a range: Docker's IPAM has the whole podCIDR.
    expect(r.ipRange ?? "").toBe("");
  });
});
