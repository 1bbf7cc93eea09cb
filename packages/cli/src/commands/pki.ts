// skiff pki init: the control plane's PKI directory for machines run by systemd (deploy/) or
// docker-compose: the cluster CA (first run only), admin token, encryption-at-rest key, the
// scheduler's, controller-manager's and admin's certificates, and — with --nats-hosts — the NATS
// servers' certificate and one configuration per server (n1.conf, n2.conf, …; routes between
// them over mutual TLS; a heartbeat user for every --nodes name). Run it again with a longer
// --nodes list when a machine joins, then reload NATS (nats-server --signal reload).
// skiff pki rotate-ca: replaces the cluster CA on the running cluster (pki/rotate-ca.ts).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../cli/args.js";
import type { Command, Context } from "../cli/context.js";
import { ensureControlPlanePki, pkiDirOf, writeNatsConfigs } from "../pki/pki.js";
import { rotateCa, rotationSteps, type RotationStep } from "../pki/rotate-ca.js";
import { readClusterInfo } from "../cli/connection.js";

const list = (v: string | undefined) =>
  (v ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);

/** `skiff up --nodes` runs NATS in containers reading this PKI directory: they reload on SIGHUP. */
function topologyNatsReload(ctx: Context): string | undefined {
  const t = readClusterInfo(ctx.home)?.topology;
  return t ? `docker kill -s HUP $(docker ps -q --filter label=io.skiff.topology=${t.name} --filter label=io.skiff.role=nats)` : undefined;
}

async function runRotateCa(ctx: Context): Promise<number> {
  const step = ctx.flags.string("step") ?? "all";
  if (step !== "all" && !(rotationSteps as readonly string[]).includes(step))
    throw new UsageError(`--step: one of all, ${rotationSteps.join(", ")}; got ${JSON.stringify(step)}`);
  const timeout = Number(ctx.flags.string("timeout") ?? "600");
  if (!(timeout > 0)) throw new UsageError("--timeout: seconds, a positive number");
  const dir = ctx.flags.string("dir") ?? pkiDirOf(ctx.home);
  const client = ctx.client();
  try {
    await rotateCa({
      dir,
      steps: step === "all" ? [...rotationSteps] : [step as RotationStep],
      client,
      apiservers: ctx.servers,
      timeoutMs: timeout * 1000,
      natsReloadCommand: ctx.flags.string("nats-reload-command") ?? topologyNatsReload(ctx),
      kubeconfigs: [join(ctx.home, "kubeconfig")],
      out: ctx.out,
    });
  } finally {
    client.close();
  }
  return 0;
}

async function run(ctx: Context): Promise<number> {
  if (ctx.positionals[0] === "rotate-ca") return runRotateCa(ctx);
  if (ctx.positionals[0] !== "init") throw new UsageError("skiff pki init [--dir DIR] [--nats-hosts H1,H2,H3] [--nodes N1,N2] [--issue-nodes]");
  const dir = ctx.flags.string("dir") ?? pkiDirOf(ctx.home);
  const nodes = list(ctx.flags.string("nodes"));
  const pki = ensureControlPlanePki(dir, ctx.flags.bool("issue-nodes") ? nodes : []);
  const hosts = list(ctx.flags.string("nats-hosts"));
  if (hosts.length) {
    const store = ctx.flags.string("nats-store-dir") ?? "/var/lib/skiff/nats";
    writeNatsConfigs(
      pki,
      hosts,
      hosts.map((_h, i) => ({
        file: `n${i + 1}.conf`,
        options: {
          serverName: `n${i + 1}`,
          host: "0.0.0.0",
          port: 4222,
          storeDir: store,
          nodes,
          tlsDir: ctx.flags.string("nats-tls-dir"),
          cluster: hosts.length > 1 ? { name: "skiff", port: 6222, routes: hosts.filter((_, j) => j !== i).map((x) => `nats://${x}:6222`) } : undefined,
        },
      })),
    );
  }
  writeFileSync(join(dir, "ca-cert-hash"), pki.caCertHash + "\n");
  ctx.out.write(`PKI in ${dir} (the CA key ca.key stays on control planes only)
  CA pin for joining: ${pki.caCertHash}
  certificates: ${Object.entries(pki.tlsDirs)
    .map(([k, v]) => `${k} (${v})`)
    .join(", ")}
${hosts.length ? `  NATS: ${hosts.map((h, i) => `${h} → ${join(dir, "nats", `n${i + 1}.conf`)}`).join(", ")}; nodes allowed to heartbeat: ${nodes.join(", ") || "none yet"}\n` : ""}`);
  return 0;
}

/** `skiff pki`. */
export const pkiCommand: Command = {
  name: "pki",
  summary: "Create the control plane's PKI directory (CA, component certificates, NATS configuration); rotate the CA",
  usage: `skiff pki init [--dir DIR] [--nats-hosts H1,H2,H3] [--nodes N1,N2] [--issue-nodes]
  skiff pki rotate-ca [--dir DIR] [--step all|add|switch|finish] [--timeout 600] [--nats-reload-command CMD]

rotate-ca replaces the cluster CA while the cluster runs: add (the new CA trusted beside the old),
switch (the new CA signs; every certificate re-issued or renewed), finish (the old CA removed).
Each step waits until every apiserver and Ready node has followed.`,
  flags: {
    dir: { type: "string", description: "The PKI directory.", default: "$SKIFF_HOME/pki" },
    "nats-hosts": { type: "string", description: "Names/addresses of the NATS servers (writes nats/n<i>.conf for each, routes between them)." },
    "nats-store-dir": { type: "string", description: "JetStream directory of the NATS servers.", default: "/var/lib/skiff/nats" },
    "nats-tls-dir": { type: "string", description: "Where the NATS servers read ca.crt, tls.crt, tls.key (default <dir>/nats)." },
    nodes: { type: "string", description: "Node names allowed to publish their heartbeat on NATS." },
    step: { type: "string", description: "rotate-ca: one step (add, switch, finish) or all of them in order.", default: "all" },
    timeout: { type: "string", description: "rotate-ca: seconds to wait for the cluster to follow each step.", default: "600" },
    "nats-reload-command": {
      type: "string",
      description: "rotate-ca: shell command reloading NATS servers not run on this machine (e.g. ssh cp2 systemctl reload skiff-nats); local ones get SIGHUP.",
    },
    "issue-nodes": { type: "boolean", description: "Also issue node certificates (node-<name>/) for --nodes, instead of joining them with a token." },
  },
  run,
};
