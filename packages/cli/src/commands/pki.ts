// skiff pki init: the control plane's PKI directory for machines run by systemd (deploy/) or
// docker-compose: the cluster CA (first run only), admin token, encryption-at-rest key, the
// scheduler's, controller-manager's and admin's certificates, and — with --nats-hosts — the NATS
// servers' certificate and one configuration per server (n1.conf, n2.conf, …; routes between
// them over mutual TLS; a heartbeat user for every --nodes name). Run it again with a longer
// --nodes list when a machine joins, then reload NATS (nats-server --signal reload).
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../cli/args.js";
import type { Command, Context } from "../cli/context.js";
import { ensureControlPlanePki, pkiDirOf, writeNatsConfigs } from "../pki/pki.js";

const list = (v: string | undefined) => (v ?? "").split(",").map((s) => s.trim()).filter(Boolean);

async function run(ctx: Context): Promise<number> {
  if (ctx.positionals[0] !== "init") throw new UsageError("skiff pki init [--dir DIR] [--nats-hosts H1,H2,H3] [--nodes N1,N2] [--issue-nodes]");
  const dir = ctx.flags.string("dir") ?? pkiDirOf(ctx.home);
  const nodes = list(ctx.flags.string("nodes"));
  const pki = ensureControlPlanePki(dir, ctx.flags.bool("issue-nodes") ? nodes : []);
  const hosts = list(ctx.flags.string("nats-hosts"));
  if (hosts.length) {
    const store = ctx.flags.string("nats-store-dir") ?? "/var/lib/skiff/nats";
    writeNatsConfigs(pki, hosts, hosts.map((_h, i) => ({
      file: `n${i + 1}.conf`,
      options: {
        serverName: `n${i + 1}`, host: "0.0.0.0", port: 4222, storeDir: store, nodes, tlsDir: ctx.flags.string("nats-tls-dir"),
        cluster: hosts.length > 1 ? { name: "skiff", port: 6222, routes: hosts.filter((_, j) => j !== i).map((x) => `nats://${x}:6222`) } : undefined,
      },
    })));
  }
  writeFileSync(join(dir, "ca-cert-hash"), pki.caCertHash + "\n");
  ctx.out.write(`PKI in ${dir} (the CA key ca.key stays on control planes only)
  CA pin for joining: ${pki.caCertHash}
  certificates: ${Object.entries(pki.tlsDirs).map(([k, v]) => `${k} (${v})`).join(", ")}
${hosts.length ? `  NATS: ${hosts.map((h, i) => `${h} → ${join(dir, "nats", `n${i + 1}.conf`)}`).join(", ")}; nodes allowed to heartbeat: ${nodes.join(", ") || "none yet"}\n` : ""}`);
  return 0;
}

/** `skiff pki`. */
export const pkiCommand: Command = {
  name: "pki",
  summary: "Create the control plane's PKI directory (CA, component certificates, NATS configuration)",
  usage: "skiff pki init [--dir DIR] [--nats-hosts H1,H2,H3] [--nodes N1,N2] [--issue-nodes]",
  flags: {
    dir: { type: "string", description: "The PKI directory.", default: "$SKIFF_HOME/pki" },
    "nats-hosts": { type: "string", description: "Names/addresses of the NATS servers (writes nats/n<i>.conf for each, routes between them)." },
    "nats-store-dir": { type: "string", description: "JetStream directory of the NATS servers.", default: "/var/lib/skiff/nats" },
    "nats-tls-dir": { type: "string", description: "Where the NATS servers read ca.crt, tls.crt, tls.key (default <dir>/nats)." },
    nodes: { type: "string", description: "Node names allowed to publish their heartbeat on NATS." },
    "issue-nodes": { type: "boolean", description: "Also issue node certificates (node-<name>/) for --nodes, instead of joining them with a token." },
  },
  run,
};
