// Bringing a container topology up and down: a Docker network that plays the LAN, NATS,
// apiservers, schedulers, controller-managers and Docker-in-Docker nodes (the plan in
// plan.ts), waiting until every node is Ready; and removing everything labelled with it.
import { readdirSync, rmdirSync } from "node:fs";
import { join } from "node:path";
import type { Node } from "@skiff/api";
import { ApiClient, writeKubeconfig } from "@skiff/client";
import { ensureControlPlanePki, writeNatsConfigs } from "../pki/pki.js";
import { createJoinToken } from "../commands/token.js";
import { CliError } from "../cli/errors.js";
import type { Output } from "../cli/context.js";
import { docker, dockerLines, imageExists, topologyContainers, type ContainerState } from "./docker.js";
import { allowBridgeTraffic, removeBridgeRules } from "./bridge.js";
import {
  apiGrpcPort,
  apiHttpsPort,
  dockerRunArgs,
  natsConfigs,
  planTopology,
  topologyLabel,
  validateOptions,
  type ContainerPlan,
  type TopologyOptions,
} from "./plan.js";

/** What a running topology is, as recorded in cluster.json. */
export interface TopologyInfo {
  name: string;
  network: string;
  /** Apiserver addresses reachable from this host (published port first, then container IPs). */
  apiservers: string[];
  /** NATS URLs inside the network. */
  nats: string[];
  nodes: string[];
  joinToken?: string;
  /** https://host:port of the Kubernetes REST API as this host reaches it, and the kubeconfig written for it. */
  server: string;
  kubeconfig: string;
}

/** Timings of `upTopology`, in ms from its start. */
export interface UpTimings {
  apiserverMs: number;
  allReadyMs: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `ok` every 500 ms until true; on timeout throws with `hint`. */
async function waitUntil(what: string, timeoutMs: number, ok: () => Promise<boolean>, hint: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok().catch(() => false))) {
    if (Date.now() > deadline) throw new CliError(`timed out after ${Math.round(timeoutMs / 1000)}s waiting for ${what}; ${hint}`);
    await sleep(500);
  }
}

/** The addresses of the apiservers reachable from this host. */
function hostAddresses(o: TopologyOptions, containers: ContainerState[]): string[] {
  const ips = containers.filter((c) => c.role === "apiserver" && c.ip).map((c) => `${c.ip}:${apiGrpcPort}`);
  return o.publishApiPort !== undefined ? [`127.0.0.1:${o.publishApiPort}`, ...ips] : ips;
}

/** The Kubernetes REST API as this host reaches it: the published port, else apiserver-1's address. */
function hostHttpsServer(o: TopologyOptions, containers: ContainerState[]): string {
  if (o.publishHttpsPort !== undefined) return `https://127.0.0.1:${o.publishHttpsPort}`;
  const first = containers.find((c) => c.role === "apiserver" && c.index === 1);
  return `https://${first?.ip || "127.0.0.1"}:${apiHttpsPort}`;
}

/** Creates the topology, waits until all its nodes are Ready and writes a kubeconfig to `kubeconfigPath`. */
export async function upTopology(
  o: TopologyOptions,
  out: Output,
  kubeconfigPath: string,
  timeoutMs = 300_000,
): Promise<{ info: TopologyInfo; timings: UpTimings }> {
  const errs = validateOptions(o);
  if (errs.length) throw new CliError(errs.join("\n"));
  for (const img of new Set([...Object.values(o.images), ...(o.registry ? [o.registry.image] : [])])) {
    if (!(await imageExists(img))) throw new CliError(`image ${img} not found: build it with scripts/images.sh (./skiff up runs it)`);
  }
  if ((await dockerLines(["ps", "-aq", "--filter", `label=${topologyLabel}=${o.name}`])).length) {
    throw new CliError(`a topology named ${o.name} already exists: remove it with ./skiff down${o.name === "skiff" ? "" : ` --name ${o.name}`} first`);
  }
  const t0 = Date.now();
  // The cluster CA and the components' certificates, made on this host; the CA key never enters a node.
  const pki = ensureControlPlanePki(o.pkiDir);
  const network = `${o.name}-net`;
  const hint = `see \`docker logs <container>\` (containers: docker ps --filter label=${topologyLabel}=${o.name}); ./skiff down removes it`;
  out.write(`Creating network ${network}${o.internal ? " (internal)" : ""}\n`);
  const subnet = await createNetwork(network, o);
  // Pod-to-pod packets between node containers carry pod addresses, which Docker's isolation
  // of an internal network drops on the host bridge: allow traffic that stays on this bridge.
  const warn = await allowBridgeTraffic(o.name, network);
  if (warn) out.write(`warning: ${warn}\n`);
  const plan = planTopology(o, subnet);
  writeNatsConfigs(
    pki,
    plan.nats.flatMap((p) => [p.name, ...(p.ip ? [p.ip] : [])]),
    natsConfigs(o, plan),
  );
  const run = async (p: ContainerPlan) => {
    out.write(`Starting ${p.name}\n`);
    await docker(dockerRunArgs(o.name, plan.network, p));
  };
  for (const p of plan.nats) await run(p);
  for (const p of plan.registry) await run(p);
  for (const p of plan.apiservers) await run(p);

  const containers = await topologyContainers(o.name, plan.network);
  const apiservers = hostAddresses(o, containers);
  const tls = { dir: pki.tlsDirs.admin };
  const client = new ApiClient({ addresses: apiservers, timeoutMs: 3000, tls });
  try {
    out.write(`Waiting for the apiservers (${apiservers.join(", ")})\n`);
    // Every apiserver must answer, not just the first: the JetStream cluster elects its meta
    // leader and creates the replicated bucket while they retry.
    for (const a of apiservers) {
      const one = new ApiClient({ addresses: [a], timeoutMs: 3000, tls });
      try {
        await waitUntil(
          `the apiserver at ${a}`,
          Math.max(10_000, timeoutMs - (Date.now() - t0)),
          () => one.list("namespaces", { limit: 1 }).then(() => true),
          hint,
        );
      } finally {
        one.close();
      }
    }
    const apiserverMs = Date.now() - t0;
    // Nodes join by TLS bootstrap with a join token (1 h) and the CA's pin, as on VMs.
    const joinToken = await createJoinToken(client, 3600_000);
    for (const p of plan.controllers) await run(p);
    for (const p of plan.nodes) await run({ ...p, env: { ...p.env, SKIFF_TOKEN: joinToken, SKIFF_CA_CERT_HASH: pki.caCertHash } });

    const names = plan.nodes.map((n) => n.name);
    out.write(`Waiting for ${names.length} node(s) to be Ready\n`);
    await waitUntil(
      `nodes ${names.join(", ")} to be Ready`,
      Math.max(10_000, timeoutMs - (Date.now() - t0)),
      async () => {
        const nodes = (await client.list<Node>("nodes")).items;
        const ready = nodes.filter(
          (n) => names.includes(n.metadata.name ?? "") && n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"),
        );
        return ready.length === names.length;
      },
      hint,
    );
    const server = hostHttpsServer(o, containers);
    writeKubeconfig(pki.dir, { server, path: kubeconfigPath, name: o.name === "skiff" ? "skiff" : `skiff-${o.name}` });
    const info: TopologyInfo = {
      name: o.name,
      network: plan.network,
      apiservers,
      nats: plan.natsUrls,
      nodes: names,
      joinToken,
      server,
      kubeconfig: kubeconfigPath,
    };
    return { info, timings: { apiserverMs, allReadyMs: Date.now() - t0 } };
  } finally {
    client.close();
  }
}

/**
 * Creates the network with a subnet Docker picks from its free pools, made explicit: only a
 * network with a configured subnet lets containers keep fixed addresses (--ip).
 */
async function createNetwork(network: string, o: TopologyOptions): Promise<string> {
  const flags = [...(o.internal ? ["--internal"] : []), "--label", `${topologyLabel}=${o.name}`];
  await docker(["network", "create", ...flags, network]);
  const subnet = await docker(["network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", network]);
  await docker(["network", "rm", network]);
  if (!/^\d+\.\d+\.\d+\.\d+\/(1[6-9]|2[0-4])$/.test(subnet))
    throw new CliError(`docker gave ${network} the subnet ${JSON.stringify(subnet)}; expected an IPv4 /16../24`);
  const gateway = subnet.replace(/\.\d+\/\d+$/, ".1");
  await docker(["network", "create", ...flags, "--subnet", subnet, "--gateway", gateway, "--ip-range", upperHalf(subnet), network]);
  return subnet;
}

/** The upper half of a subnet (172.20.0.0/16 → 172.20.128.0/17): dynamic addresses come from there, clear of the fixed ones. */
export function upperHalf(subnet: string): string {
  const [addr, bits] = subnet.split("/");
  const n =
    addr
      .split(".")
      .map(Number)
      .reduce((a, b) => a * 256 + b, 0) +
    2 ** (32 - Number(bits) - 1);
  return `${[24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join(".")}/${Number(bits) + 1}`;
}

/** What `downTopology` removed. */
export interface DownResult {
  containers: number;
  networks: number;
  volumes: number;
}

/** Removes every container, network and volume labelled with the topology. */
export async function downTopology(name: string): Promise<DownResult> {
  const label = `label=${topologyLabel}=${name}`;
  const containers = await dockerLines(["ps", "-aq", "--filter", label]);
  const nodeNames = containers.length
    ? await dockerLines(["inspect", "-f", `{{if eq (index .Config.Labels "io.skiff.role") "node"}}{{.Name}}{{end}}`, ...containers])
    : [];
  if (containers.length) await docker(["rm", "-f", "-v", ...containers], 180_000);
  await removeBridgeRules(name);
  const networks = await dockerLines(["network", "ls", "-q", "--filter", label]);
  if (networks.length) await docker(["network", "rm", ...networks]);
  const volumes = await dockerLines(["volume", "ls", "-q", "--filter", label]);
  if (volumes.length) await docker(["volume", "rm", "-f", ...volumes]);
  for (const n of nodeNames) removeCgroups(`skiff-${n.replace(/^\//, "")}`);
  return { containers: containers.length, networks: networks.length, volumes: volumes.length };
}

/** Best effort: removes the (empty) cgroups a node's inner engine left under the host's tree. */
function removeCgroups(parent: string): void {
  const rmTree = (dir: string) => {
    let entries: string[] = [];
    try {
      entries = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => e.name);
    } catch {
      return;
    }
    for (const e of entries) rmTree(join(dir, e));
    try {
      rmdirSync(dir);
    } catch {
      // busy or not ours to remove: harmless
    }
  };
  let controllers: string[] = [];
  try {
    controllers = readdirSync("/sys/fs/cgroup");
  } catch {
    return;
  }
  rmTree(join("/sys/fs/cgroup", parent));
  for (const c of controllers) rmTree(join("/sys/fs/cgroup", c, parent));
}

/** The node containers of a running topology (running or not). */
export async function nodeContainers(name: string, network: string): Promise<ContainerState[]> {
  return (await topologyContainers(name, network)).filter((c) => c.role === "node");
}
