// skiff up --nodes N: the container topology (nodes as Docker-in-Docker containers on a Docker
// network, NATS and the control plane in containers beside them), the same as docker-compose.yml.
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { UsageError } from "../cli/args.js";
import type { ClusterInfo } from "../cli/connection.js";
import type { Context } from "../cli/context.js";
import { clusterPaths } from "../cluster/paths.js";
import { defaultImages, registryImage, type TopologyOptions } from "../topology/plan.js";
import { upTopology } from "../topology/topology.js";
import { pkiDirOf } from "../pki/pki.js";

/** Flags of the container topology (merged into `skiff up`'s). */
export const upNodesFlags = {
  nodes: {
    type: "string",
    description: "Build the container topology with N node containers (each with its own Docker engine) instead of the single-host cluster.",
  },
  name: { type: "string", description: "Name of the container topology (prefix of its containers, network and volumes).", default: "skiff" },
  "nats-servers": { type: "string", description: "NATS servers of the container topology: 1, or 3 (a JetStream cluster, store replicas 3).", default: "3" },
  apiservers: { type: "string", description: "Apiserver containers.", default: "2" },
  schedulers: { type: "string", description: "Scheduler containers.", default: "2" },
  "controller-managers": { type: "string", description: "Controller-manager containers.", default: "2" },
  internal: { type: "boolean", description: "Make the cluster network internal (no route out, nothing published; tests)." },
  timeout: { type: "string", description: "How long to wait for every node to be Ready, in seconds.", default: "300" },
  registry: { type: "boolean", description: "Run the cluster registry (skiff/registry): localhost:<registry-port> on this host and on every node." },
  "registry-port": { type: "string", description: "Port of the cluster registry on this host and on the nodes.", default: "5001" },
  "registry-auth": { type: "string", description: "USER:PASSWORD: the registry asks for them (htpasswd); pods use imagePullSecrets." },
} as const;

function int(ctx: Context, flag: string, dflt: number): number {
  const raw = ctx.flags.string(flag);
  const n = raw === undefined ? dflt : Number(raw);
  if (!Number.isInteger(n)) throw new UsageError(`invalid --${flag} ${raw}: a whole number`);
  return n;
}

/** Runs `skiff up --nodes N`. */
export async function runUpNodes(ctx: Context): Promise<number> {
  const internal = ctx.flags.bool("internal");
  const nats = int(ctx, "nats-servers", 3);
  const apiPort = int(ctx, "api-port", 6444);
  const httpsPort = int(ctx, "https-port", 6443);
  const o: TopologyOptions = {
    name: ctx.flags.string("name") ?? "skiff",
    nodes: int(ctx, "nodes", 3),
    natsServers: nats as 1 | 3,
    apiservers: int(ctx, "apiservers", 2),
    schedulers: int(ctx, "schedulers", 2),
    controllerManagers: int(ctx, "controller-managers", 2),
    internal,
    publishApiPort: internal ? undefined : apiPort,
    publishHttpsPort: internal ? undefined : httpsPort,
    // One secret per cluster between apiservers and node agents (logs, exec, port-forward).
    nodeToken: randomBytes(24).toString("hex"),
    pkiDir: pkiDirOf(ctx.home),
    images: defaultImages,
    nodeAgentArgs: [],
    controllerManagerArgs: [],
    schedulerArgs: [],
    // The node agents' image GC settings pass through to the nodes (SKIFF_IMAGE_GC_*).
    nodeEnv: Object.fromEntries(Object.entries(ctx.env).filter(([k, v]) => k.startsWith("SKIFF_IMAGE_GC_") && v !== undefined) as [string, string][]),
    registry:
      ctx.flags.bool("registry") || ctx.flags.string("registry-auth")
        ? { port: int(ctx, "registry-port", 5001), auth: ctx.flags.string("registry-auth"), image: registryImage }
        : undefined,
  };
  const paths = clusterPaths(ctx.home);
  mkdirSync(paths.home, { recursive: true });
  const { info, timings } = await upTopology(o, ctx.out, paths.kubeconfig, int(ctx, "timeout", 300) * 1000);
  const cluster: ClusterInfo = {
    apiserver: info.apiservers.join(","),
    server: info.server,
    kubeconfig: info.kubeconfig,
    nats: info.nats.join(","),
    startedAt: new Date().toISOString(),
    topology: { name: info.name, network: info.network, nodes: info.nodes, nats: info.nats, joinToken: info.joinToken },
  };
  writeFileSync(paths.clusterJson, JSON.stringify(cluster, null, 2) + "\n", { mode: 0o600 });
  ctx.out.write(`
Skiff is up: ${info.nodes.length} node(s) Ready in ${(timings.allReadyMs / 1000).toFixed(1)}s (apiservers answered after ${(timings.apiserverMs / 1000).toFixed(1)}s).
  Kubernetes API ${info.server}; gRPC apiservers: ${info.apiservers.join(", ")}   (recorded in ${paths.clusterJson})

  export KUBECONFIG=${info.kubeconfig}
  kubectl get nodes                   # the real kubectl works with that kubeconfig
  ./skiff get nodes
  ./skiff image load IMAGE[:TAG]      # copy an image of this host into every node
${
  o.registry
    ? `  docker push localhost:${o.registry.port}/APP:TAG   # the cluster registry; pods use image: localhost:${o.registry.port}/APP:TAG
`
    : ""
}  ./skiff chaos kill-node ${info.nodes[0]}
  ./skiff down                        # remove every container, network and volume
`);
  return 0;
}
