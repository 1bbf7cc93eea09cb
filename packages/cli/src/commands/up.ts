// skiff up: the single-host cluster. Starts NATS, the apiserver, the scheduler, the
// controller-manager and a node agent as detached processes, then waits for the node to be
// Ready and records the cluster in $SKIFF_HOME/cluster.json.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { rvOf, type Node } from "@skiff/api";
import { ApiClient, writeKubeconfig } from "@skiff/client";
import { UsageError } from "../cli/args.js";
import type { ClusterInfo } from "../cli/connection.js";
import type { Command, Context } from "../cli/context.js";
import { CliError } from "../cli/errors.js";
import {
  agentArgsFile,
  clusterPaths,
  cmdlineMarker,
  componentNames,
  componentSpecs,
  natsConfig,
  natsConfigFile,
  logFile,
  nodeNameFrom,
  pidFile,
  repoRoot,
  serviceMain,
  type ComponentSpec,
} from "../cluster/paths.js";
import { portOpen, runningPid, startDetached, tail, type Started } from "../cluster/processes.js";
import { runUpNodes, upNodesFlags } from "./up-nodes.js";
import { ensureControlPlanePki, pkiDirOf, writeNatsConfigs } from "../pki/pki.js";

const clusterName = "skiff";

/** A process that ended while the cluster was starting. */
class DiedError extends CliError {}

async function run(ctx: Context): Promise<number> {
  if (ctx.flags.has("nodes")) return runUpNodes(ctx);
  const natsPort = Number(ctx.flags.string("nats-port") ?? 4222);
  if (!Number.isInteger(natsPort) || natsPort <= 0 || natsPort > 65535) throw new UsageError(`invalid --nats-port ${ctx.flags.string("nats-port")}`);
  const apiPort = Number(ctx.flags.string("api-port") ?? 6444);
  if (!Number.isInteger(apiPort) || apiPort <= 0 || apiPort > 65535) throw new UsageError(`invalid --api-port ${ctx.flags.string("api-port")}`);
  const apiserverAddress = `127.0.0.1:${apiPort}`;
  const httpsPort = Number(ctx.flags.string("https-port") ?? 6443);
  if (!Number.isInteger(httpsPort) || httpsPort <= 0 || httpsPort > 65535) throw new UsageError(`invalid --https-port ${ctx.flags.string("https-port")}`);
  const httpsAddress = `127.0.0.1:${httpsPort}`;
  const paths = clusterPaths(ctx.home);
  const repo = repoRoot();

  const running = componentNames.filter((n) => runningPid(pidFile(paths, n), cmdlineMarker(n)) !== undefined);
  if (running.length === componentNames.length) {
    ctx.out.write(`Skiff is already running (apiserver ${apiserverAddress}, home ${ctx.home}).\nSee ./skiff status; stop it with ./skiff down.\n`);
    return 0;
  }
  if (running.length) {
    throw new CliError(`part of Skiff is already running (${running.join(", ")}); run ./skiff down first, then ./skiff up`);
  }

  const missing = componentNames.filter((n) => n !== "nats" && !existsSync(serviceMain(repo, n)));
  if (missing.length)
    throw new CliError(`not built: ${missing.map((n) => serviceMain(repo, n)).join(", ")}; run npm run build (./skiff up does it through scripts/setup.sh)`);
  for (const [what, port, flag] of [
    ["NATS", natsPort, "--nats-port"],
    ["the apiserver", apiPort, "--api-port"],
    ["the Kubernetes API", httpsPort, "--https-port"],
  ] as const) {
    if (await portOpen("127.0.0.1", port))
      throw new CliError(`127.0.0.1:${port} (for ${what}) is already in use by another program; stop it or pick another port with ${flag}`);
  }

  for (const d of [paths.runDir, paths.logDir, paths.natsDir]) mkdirSync(d, { recursive: true });
  writeFileSync(natsConfigFile(ctx.home), natsConfig);
  const nodeName = nodeNameFrom(hostname());
  // The cluster CA is made here on the first start; its key stays in $SKIFF_HOME/pki (0600).
  const pki = ensureControlPlanePki(pkiDirOf(ctx.home), [nodeName]);
  writeNatsConfigs(
    pki,
    [],
    [{ file: "nats.conf", options: { serverName: clusterName, host: "127.0.0.1", port: natsPort, storeDir: paths.natsDir, nodes: [nodeName] } }],
  );
  const specs = componentSpecs({ home: ctx.home, repo, natsPort, apiserver: apiserverAddress, https: httpsAddress, nodeName, clusterName, pki });
  const started = new Map<string, Started>();

  /** Fails with the log tail of any process that has ended. */
  const checkAlive = () => {
    for (const [name, p] of started) {
      if (p.exited()) {
        throw new DiedError(
          `${name} exited during startup; the last lines of ${logFile(paths, name)}:\n${tail(logFile(paths, name))}\n\nStop what is still running with ./skiff down.`,
        );
      }
    }
  };
  const start = async (spec: ComponentSpec) => {
    ctx.out.write(`Starting ${spec.name}...\n`);
    try {
      started.set(
        spec.name,
        await startDetached(spec.command, spec.args, { log: logFile(paths, spec.name), pidFile: pidFile(paths, spec.name), env: spec.env }),
      );
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      throw new CliError(
        e.code === "ENOENT"
          ? `${spec.command} not found on PATH: install it (./skiff up runs scripts/setup.sh, which does)`
          : `could not start ${spec.name}: ${e.message}`,
      );
    }
  };
  const waitUntil = async (what: string, timeoutMs: number, ok: () => Promise<boolean>, dots = false) => {
    const deadline = Date.now() + timeoutMs;
    let lastDot = Date.now();
    for (;;) {
      checkAlive();
      if (await ok()) break;
      if (Date.now() > deadline) throw new CliError(`timed out after ${timeoutMs / 1000}s waiting for ${what}; see the logs in ${paths.logDir}`);
      if (dots && Date.now() - lastDot >= 1000) {
        ctx.out.write(".");
        lastDot = Date.now();
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (dots) ctx.out.write("\n");
  };

  const [nats, apiserver, ...rest] = specs;
  await start(nats);
  await waitUntil(`NATS on 127.0.0.1:${natsPort}`, 20_000, () => portOpen("127.0.0.1", natsPort));

  await start(apiserver);
  const client = new ApiClient({ addresses: [apiserverAddress], timeoutMs: 2000, tls: { dir: pki.tlsDirs.admin } });
  try {
    await waitUntil(`the apiserver on ${apiserverAddress}`, 60_000, () =>
      client.list("namespaces", { limit: 1 }).then(
        () => true,
        () => false,
      ),
    );
    // The Node may survive from an earlier run (the store is kept), still saying Ready: only a
    // write made after this node agent started counts.
    const before = await client.get<Node>("nodes", nodeName).then(
      (n) => rvOf(n),
      () => 0,
    );
    const agent = specs.find((sp) => sp.name === "node-agent")!;
    writeFileSync(agentArgsFile(paths), JSON.stringify(agent.args) + "\n");
    for (const spec of rest) await start(spec);

    ctx.out.write(`Waiting for node ${nodeName} to be Ready`);
    await waitUntil(
      `node ${nodeName} to be Ready`,
      120_000,
      async () => {
        const node = await client.get<Node>("nodes", nodeName).catch(() => undefined);
        return !!node && rvOf(node) > before && (node.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True") ?? false);
      },
      true,
    );
    writeKubeconfig(pki.dir, { server: `https://${httpsAddress}`, path: paths.kubeconfig, name: "skiff" });
  } catch (err) {
    ctx.out.write("\n");
    throw err;
  } finally {
    client.close();
  }

  const info: ClusterInfo = {
    apiserver: apiserverAddress,
    server: `https://${httpsAddress}`,
    kubeconfig: paths.kubeconfig,
    nats: `nats://127.0.0.1:${natsPort}`,
    nodeName,
    startedAt: new Date().toISOString(),
  };
  writeFileSync(paths.clusterJson, JSON.stringify(info, null, 2) + "\n");
  ctx.out.write(`
Skiff is up: Kubernetes API https://${httpsAddress}, node ${nodeName} is Ready.

  export KUBECONFIG=${paths.kubeconfig}
  kubectl get nodes       # the real kubectl works with that kubeconfig
  ./skiff get nodes
  ./skiff apply -f pod.yaml
  ./skiff get pods -w
  ./skiff status          # processes (logs in ${paths.logDir})
  ./skiff down            # stop everything (--purge also deletes the stored objects)
`);
  return 0;
}

/** `skiff up`. */
export const upCommand: Command = {
  name: "up",
  summary: "Start a cluster on this machine (single host, or nodes as containers with --nodes N)",
  usage: `skiff up [--home DIR] [--nats-port PORT] [--api-port PORT] [--https-port PORT]
  skiff up --nodes N [--name NAME] [--nats-servers 1|3] [--apiservers N] [--internal]

Without --nodes: starts nats-server, the apiserver (gRPC on 127.0.0.1:6444, the Kubernetes API on
https://127.0.0.1:6443 by default; a kubeconfig is written to $SKIFF_HOME/kubeconfig), the scheduler,
the controller-manager and a node agent as background processes; pid files go to $SKIFF_HOME/run and
logs to $SKIFF_HOME/logs.
With --nodes N: the container topology of docker-compose.yml (3 NATS servers, 2 apiservers, 2 schedulers,
2 controller-managers with leader election, N nodes each running its own Docker engine, proxy and DNS)
on a Docker network; apiserver-1 publishes the Kubernetes API on https://127.0.0.1:--https-port and gRPC
on 127.0.0.1:--api-port, and the kubeconfig goes to $SKIFF_HOME/kubeconfig (with --internal nothing is
published: the kubeconfig points at apiserver-1's address on the network). Needs the images of
scripts/images.sh.`,
  flags: {
    "nats-port": { type: "string", description: "Port of the NATS server.", default: "4222" },
    "api-port": { type: "string", description: "Port of the apiserver's gRPC API.", default: "6444" },
    "https-port": { type: "string", description: "Port of the Kubernetes REST API (HTTPS, kubectl).", default: "6443" },
    ...upNodesFlags,
  },
  run,
};
