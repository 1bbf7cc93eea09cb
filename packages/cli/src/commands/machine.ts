// Several VMs: `skiff controlplane` starts this machine's apiserver, scheduler and
// controller-manager against a NATS cluster and prints the join command; `skiff node --join`
// starts this machine's node agent against a list of apiservers. Both run the processes
// detached with pid files and logs under $SKIFF_HOME, like `skiff up`; `skiff down` stops them.
// (deploy/ has systemd units for the same processes.) The control plane keeps the cluster CA
// in its PKI directory; a node joins with a join token and the CA's hash (TLS bootstrap).
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hostname } from "node:os";
import type { Node } from "@skiff/api";
import { ApiClient, checkNodeTlsDir, joinCluster, JoinRefusedError, writeKubeconfig } from "@skiff/client";
import { nodeCommand as nodeCommandLine } from "@skiff/client/launch";
import { ensureControlPlanePki, pkiDirOf } from "../pki/pki.js";
import { createJoinToken, joinCommand, parseDuration } from "./token.js";
import { UsageError } from "../cli/args.js";
import type { ClusterInfo } from "../cli/connection.js";
import type { Command, Context } from "../cli/context.js";
import { CliError } from "../cli/errors.js";
import { clusterPaths, cmdlineMarker, logFile, nodeNameFrom, pidFile, repoRoot, serviceMain, type ComponentName } from "../cluster/paths.js";
import { runningPid, startDetached, tail } from "../cluster/processes.js";
import { startRegistry } from "../cluster/registry.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function list(ctx: Context, flag: string, required: string): string[] {
  const v = (ctx.flags.string(flag) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (!v.length) throw new UsageError(`--${flag} is required: ${required}`);
  return v;
}

/** Starts the given processes detached; fails (with the log tail) when one is already running or dies at once. */
async function startAll(ctx: Context, specs: { name: ComponentName; args: string[] }[], env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const paths = clusterPaths(ctx.home);
  for (const d of [paths.runDir, paths.logDir]) mkdirSync(d, { recursive: true });
  const repo = repoRoot();
  for (const s of specs) {
    const pid = runningPid(pidFile(paths, s.name), cmdlineMarker(s.name));
    if (pid !== undefined) throw new CliError(`${s.name} is already running here (pid ${pid}); stop it with ./skiff down`);
  }
  for (const s of specs) {
    ctx.out.write(`Starting ${s.name}...\n`);
    const node = nodeCommandLine(serviceMain(repo, s.name), s.args, env);
    const p = await startDetached(node.command, node.args, {
      log: logFile(paths, s.name),
      pidFile: pidFile(paths, s.name),
      env: node.env,
    });
    await sleep(300);
    if (p.exited()) throw new CliError(`${s.name} exited at once; the last lines of ${logFile(paths, s.name)}:\n${tail(logFile(paths, s.name))}`);
  }
}

async function runControlplane(ctx: Context): Promise<number> {
  const nats = list(ctx, "nats", "the NATS servers, e.g. nats://10.0.0.1:4222,nats://10.0.0.2:4222,nats://10.0.0.3:4222");
  const listen = ctx.flags.string("listen") ?? "0.0.0.0:6444";
  const advertise = ctx.flags.string("advertise") ?? `${hostname()}:${listen.split(":").pop()}`;
  const apiservers = ctx.flags.string("apiservers")?.split(",").filter(Boolean) ?? [advertise];
  const replicas = ctx.flags.string("replicas") ?? (nats.length >= 3 ? "3" : "1");
  const advertiseHost = advertise.slice(0, advertise.lastIndexOf(":"));
  const httpsPort = ctx.flags.string("https-port") ?? "6443";
  const ipv4 = /^\d+\.\d+\.\d+\.\d+$/.test(advertiseHost);
  // The first control plane creates the cluster CA here; others need ca.crt, ca.key and admin.token copied in.
  const pki = ensureControlPlanePki(ctx.flags.string("pki-dir") ?? pkiDirOf(ctx.home));
  const ttlMs = parseDuration(ctx.flags.string("token-ttl") ?? "24h");
  await startAll(ctx, [
    {
      name: "apiserver",
      args: [
        "--pki-dir",
        pki.dir,
        "--nats",
        nats.join(","),
        "--replicas",
        replicas,
        "--grpc-address",
        listen,
        "--https-address",
        `0.0.0.0:${httpsPort}`,
        "--tls-san",
        advertiseHost,
        ...(ipv4 ? ["--advertise-address", advertiseHost] : []),
        ...(ctx.flags.string("load-balancer-ip-range") ? ["--load-balancer-ip-range", ctx.flags.string("load-balancer-ip-range")!] : []),
      ],
    },
    { name: "scheduler", args: ["--apiserver", apiservers.join(","), "--tls-dir", pki.tlsDirs.scheduler, "--nats", nats.join(",")] },
    {
      name: "controller-manager",
      args: [
        "--apiserver",
        apiservers.join(","),
        "--tls-dir",
        pki.tlsDirs["controller-manager"],
        "--nats",
        nats.join(","),
        "--cluster-cidr",
        ctx.flags.string("cluster-cidr") ?? "10.244.0.0/16",
      ],
    },
  ]);
  // The cluster registry (Debian's docker-registry) beside the control plane: localhost:<port> here,
  // and on every node that joins with --registry <this host>:<port>.
  const registryPort = ctx.flags.string("registry-port") ?? "5001";
  const registry = ctx.flags.bool("registry") || ctx.flags.string("registry-auth") ? `${advertiseHost}:${registryPort}` : undefined;
  if (registry) {
    ctx.out.write("Starting registry...\n");
    await startRegistry(ctx.home, `0.0.0.0:${registryPort}`, ctx.flags.string("registry-auth"));
  }
  const local = `127.0.0.1:${listen.split(":").pop()}`;
  const client = new ApiClient({ addresses: [local], timeoutMs: 3000, tls: { dir: pki.tlsDirs.admin } });
  try {
    const deadline = Date.now() + 60_000;
    while (
      !(await client.list("namespaces", { limit: 1 }).then(
        () => true,
        () => false,
      ))
    ) {
      if (Date.now() > deadline) throw new CliError(`the apiserver on ${local} did not answer within 60s; see ${logFile(clusterPaths(ctx.home), "apiserver")}`);
      await sleep(500);
    }
    const token = await createJoinToken(client, ttlMs);
    const paths = clusterPaths(ctx.home);
    const server = `https://${advertiseHost}:${httpsPort}`;
    writeKubeconfig(pki.dir, { server, path: paths.kubeconfig, name: "skiff" });
    const info: ClusterInfo = {
      apiserver: [local, ...apiservers.filter((a) => a !== advertise)].join(","),
      server,
      kubeconfig: paths.kubeconfig,
      nats: nats.join(","),
      startedAt: new Date().toISOString(),
    };
    writeFileSync(paths.clusterJson, JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
    const join = `${joinCommand(apiservers, token, pki.caCertHash, nats, httpsPort === "6443" ? undefined : [server])}${registry ? ` --registry ${registry}` : ""}`;
    if (ctx.flags.string("output") === "json") {
      ctx.out.write(JSON.stringify({ apiservers, nats, token, caCertHash: pki.caCertHash, server, kubeconfig: paths.kubeconfig, join }) + "\n");
    } else {
      ctx.out.write(
        `\nThe control plane runs on this machine (apiserver ${listen}, Kubernetes API ${server}).\n  export KUBECONFIG=${paths.kubeconfig}\nJoin a node with (the token expires in ${ctx.flags.string("token-ttl") ?? "24h"}; \`skiff token create --print-join-command\` makes another):\n\n  ${join}\n\n`,
      );
    }
    return 0;
  } finally {
    client.close();
  }
}

async function runNode(ctx: Context): Promise<number> {
  const apiservers = list(ctx, "join", "the apiservers, e.g. 10.0.0.1:6444,10.0.0.2:6444");
  const nats = list(ctx, "nats", "the NATS servers, e.g. nats://10.0.0.1:4222");
  const nodeName = ctx.flags.string("node-name") ?? nodeNameFrom(hostname());
  const tlsDir = ctx.flags.string("tls-dir") ?? join(pkiDirOf(ctx.home), "node");
  const bootstrap = ctx.flags.string("bootstrap-server")?.split(",").filter(Boolean) ?? apiservers.map((a) => `https://${a.slice(0, a.lastIndexOf(":"))}:6443`);
  // Join in the foreground, so a bad, expired or revoked token is reported here and now.
  if (!checkNodeTlsDir(tlsDir, nodeName)) {
    const token = ctx.flags.string("token") ?? ctx.env.SKIFF_TOKEN;
    if (!token) throw new UsageError("--token is required to join (printed by `skiff controlplane` or `skiff token create --print-join-command`)");
    const caCertHash = ctx.flags.string("ca-cert-hash") ?? ctx.env.SKIFF_CA_CERT_HASH;
    if (!caCertHash) throw new UsageError("--ca-cert-hash is required to join: it pins the cluster CA (printed with the join command)");
    ctx.out.write(`Joining as node ${nodeName} through ${bootstrap.join(", ")}...\n`);
    try {
      await joinCluster({ tlsDir, nodeName, token, caCertHash, servers: bootstrap, timeoutMs: 30_000 });
    } catch (err) {
      throw new CliError(`${err instanceof JoinRefusedError ? "the cluster refused to let this machine join" : "could not join"}: ${(err as Error).message}`);
    }
    ctx.out.write(`Node certificate for system:node:${nodeName} stored in ${tlsDir}\n`);
  }
  const args = [
    "--apiserver",
    apiservers.join(","),
    "--nats",
    nats.join(","),
    "--tls-dir",
    tlsDir,
    "--bootstrap-server",
    bootstrap.join(","),
    "--node-name",
    nodeName,
    "--cluster-cidr",
    ctx.flags.string("cluster-cidr") ?? "10.244.0.0/16",
  ];
  if (ctx.flags.string("node-ip")) args.push("--node-ip", ctx.flags.string("node-ip")!);
  // A VM's engine is the node's own: collect unused images as the kubelet does (85 % / 80 %).
  args.push("--image-gc-high-threshold", ctx.env.SKIFF_IMAGE_GC_HIGH_THRESHOLD ?? "85");
  const registry = ctx.flags.string("registry");
  if (registry) args.push("--local-registry", registry);
  await startAll(ctx, [{ name: "node-agent", args }]);
  const client = new ApiClient({ addresses: apiservers, timeoutMs: 3000, tls: { dir: tlsDir } });
  try {
    const deadline = Date.now() + Number(ctx.flags.string("timeout") ?? 120) * 1000;
    ctx.out.write(`Waiting for node ${nodeName} to be Ready`);
    for (;;) {
      const n = await client.get<Node>("nodes", nodeName).catch(() => undefined);
      if (n?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) break;
      if (Date.now() > deadline)
        throw new CliError(
          `\nnode ${nodeName} is not Ready; see ${logFile(clusterPaths(ctx.home), "node-agent")}:\n${tail(logFile(clusterPaths(ctx.home), "node-agent"))}`,
        );
      ctx.out.write(".");
      await sleep(1000);
    }
    const info: ClusterInfo = { apiserver: apiservers.join(","), nats: nats.join(","), nodeName, startedAt: new Date().toISOString() };
    writeFileSync(clusterPaths(ctx.home).clusterJson, JSON.stringify(info, null, 2) + "\n", { mode: 0o600 });
    ctx.out.write(`\nnode ${nodeName} joined and is Ready.\n`);
    return 0;
  } finally {
    client.close();
  }
}

/** `skiff controlplane`. */
export const controlplaneCommand: Command = {
  name: "controlplane",
  summary: "Start this machine's apiserver, scheduler and controller-manager (several VMs)",
  usage: `skiff controlplane --nats URL[,URL…] [--listen 0.0.0.0:6444] [--advertise HOST:PORT] [--apiservers A,B,C] [--pki-dir DIR]
                   [--load-balancer-ip-range 192.168.1.240-192.168.1.250]

Creates the cluster CA in the PKI directory on the first control plane (copy ca.crt, ca.key and
admin.token into it on the others), and prints the join command for nodes with a fresh join token.`,
  flags: {
    nats: { type: "string", description: "NATS servers of the cluster store." },
    listen: { type: "string", description: "Address the apiserver listens on.", default: "0.0.0.0:6444" },
    advertise: { type: "string", description: "Address other machines reach this apiserver at.", default: "<hostname>:6444" },
    apiservers: {
      type: "string",
      description: "Every apiserver of the cluster (three control planes), for the scheduler, controller-manager and join command.",
    },
    replicas: { type: "string", description: "Replicas of the store bucket (default 3 with 3+ NATS servers, else 1)." },
    "https-port": { type: "string", description: "Port of the Kubernetes REST API (HTTPS, kubectl).", default: "6443" },
    "pki-dir": { type: "string", description: "The control plane's PKI directory (CA, admin token, component certificates).", default: "$SKIFF_HOME/pki" },
    "token-ttl": { type: "string", description: "Lifetime of the printed join token (e.g. 30m, 24h).", default: "24h" },
    "cluster-cidr": { type: "string", description: "Pod addresses of the cluster.", default: "10.244.0.0/16" },
    "load-balancer-ip-range": {
      type: "string",
      description:
        "LoadBalancer address pool (CIDR or a-b): free addresses of the machines' LAN that every node will answer for (default none: LoadBalancer Services and the Ingress controller's address stay pending; use NodePorts).",
    },
    output: { type: "string", short: "o", description: "json: print {apiservers, nats, token}." },
    registry: {
      type: "boolean",
      description: "Also run the cluster registry (Debian's docker-registry) on --registry-port; the join command then passes --registry.",
    },
    "registry-port": { type: "string", description: "Port of the cluster registry (localhost:<port> here and on every node).", default: "5001" },
    "registry-auth": { type: "string", description: "USER:PASSWORD: the registry asks for them (htpasswd); pods use imagePullSecrets." },
  },
  run: runControlplane,
};

/** `skiff node`. */
export const nodeCommand: Command = {
  name: "node",
  summary: "Join this machine to a cluster as a node (several VMs)",
  usage:
    "skiff node --join APISERVER[,APISERVER…] --token TOKEN --ca-cert-hash sha256:HEX --nats URL[,URL…] [--node-name NAME] [--node-ip IP] [--bootstrap-server https://HOST:PORT]",
  flags: {
    join: { type: "string", description: "The apiservers (host:port, comma-separated; the node agent fails over between them)." },
    token: { type: "string", description: "The join token printed by skiff controlplane (or $SKIFF_TOKEN)." },
    "ca-cert-hash": { type: "string", description: "Pin of the cluster CA printed with the join command (or $SKIFF_CA_CERT_HASH)." },
    "bootstrap-server": { type: "string", description: "https://host:port of the apiservers' HTTPS API for joining (default: each --join host on 6443)." },
    "cluster-cidr": { type: "string", description: "Pod addresses of the cluster.", default: "10.244.0.0/16" },
    nats: { type: "string", description: "NATS servers (heartbeats)." },
    "node-name": { type: "string", description: "Name of the node (default: the host name)." },
    "node-ip": { type: "string", description: "Address other machines reach this one at (default: the first non-loopback IPv4)." },
    timeout: { type: "string", description: "Seconds to wait for the node to be Ready.", default: "120" },
    registry: { type: "string", description: "HOST:PORT of the cluster registry (skiff controlplane --registry): the agent serves it at localhost:PORT here." },
  },
  run: runNode,
};
