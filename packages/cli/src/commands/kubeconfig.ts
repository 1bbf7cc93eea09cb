// skiff kubeconfig user NAME [--group G…] [--ttl D]: a kubeconfig for a new user of the REST API
// with a client certificate (CN = NAME, O = each group) signed by the cluster CA. The CA key never
// leaves the control plane: this runs on a control-plane host and signs from its PKI directory.
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { certInfo, ensureClusterCa, issueCertificate, MASTERS_GROUP } from "@skiff/client";
import { UsageError } from "../cli/args.js";
import type { Command, Context } from "../cli/context.js";
import { readClusterInfo } from "../cli/connection.js";
import { CliError } from "../cli/errors.js";
import { pkiDirOf } from "../pki/pki.js";
import { parseDuration } from "./token.js";

/** A kubeconfig (YAML-compatible JSON) whose user authenticates with a client certificate. */
export function renderCertKubeconfig(o: { server: string; ca: string; cert: string; key: string; user: string; cluster: string; namespace: string }): string {
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  const context = `${o.user}@${o.cluster}`;
  return (
    JSON.stringify(
      {
        apiVersion: "v1",
        kind: "Config",
        preferences: {},
        "current-context": context,
        clusters: [{ name: o.cluster, cluster: { server: o.server, "certificate-authority-data": b64(o.ca) } }],
        users: [{ name: o.user, user: { "client-certificate-data": b64(o.cert), "client-key-data": b64(o.key) } }],
        contexts: [{ name: context, context: { cluster: o.cluster, user: o.user, namespace: o.namespace } }],
      },
      null,
      2,
    ) + "\n"
  );
}

async function run(ctx: Context): Promise<number> {
  const [what, name] = ctx.positionals;
  if (what !== "user" || !name) throw new UsageError("skiff kubeconfig user NAME [--group G]... [--ttl 24h] [-o FILE]");
  if (/[,=+<>#;\\"/]/.test(name) || name.startsWith("system:"))
    throw new UsageError(`user name "${name}": must not contain , = + < > # ; \\ " / nor start with "system:" (reserved for Kubernetes' own identities)`);
  const groups = ctx.flags.strings("group");
  if (groups.includes(MASTERS_GROUP) && !ctx.flags.bool("allow-masters"))
    throw new UsageError(
      `group ${MASTERS_GROUP} bypasses every authorization check (and a certificate cannot be revoked before it expires): pass --allow-masters to really issue one`,
    );
  for (const g of groups) if (/[,=+<>#;\\"]/.test(g)) throw new UsageError(`group "${g}": must not contain , = + < > # ; \\ "`);
  const ttlMs = parseDuration(ctx.flags.string("ttl") ?? "24h");
  const pkiDir = ctx.flags.string("pki-dir") ?? pkiDirOf(ctx.home);
  if (!existsSync(join(pkiDir, "ca.key")))
    throw new CliError(`${join(pkiDir, "ca.key")} not found: run this on a control-plane host (the cluster CA's key stays there), or pass --pki-dir`);
  const { ca } = ensureClusterCa(pkiDir);
  const server = ctx.flags.string("api-server") ?? readClusterInfo(ctx.home)?.server;
  if (!server) throw new CliError(`the Kubernetes API URL is unknown: pass --api-server https://HOST:6443 (no ${join(ctx.home, "cluster.json")})`);
  const issued = issueCertificate(ca, { user: name, groups, validityMs: ttlMs, client: true });
  const text = renderCertKubeconfig({ server, ca: ca.cert, ...issued, user: name, cluster: "skiff", namespace: ctx.flags.string("namespace") ?? "default" });
  const out = ctx.flags.string("output");
  if (!out || out === "-") {
    ctx.out.write(text);
    return 0;
  }
  mkdirSync(dirname(resolve(out)), { recursive: true });
  writeFileSync(out, text, { mode: 0o600 });
  ctx.err.write(
    `wrote ${out}: user "${name}"${groups.length ? ` in groups ${groups.join(", ")}` : ""}, certificate valid until ${certInfo(issued.cert).notAfter.toISOString()}\n  grant it something, e.g. kubectl create rolebinding ${name}-edit --clusterrole=edit --user=${name} -n NAMESPACE\n`,
  );
  return 0;
}

/** `skiff kubeconfig`. */
export const kubeconfigCommand: Command = {
  name: "kubeconfig",
  summary: "Write a kubeconfig for a new user with a client certificate of the cluster CA",
  usage: `skiff kubeconfig user NAME [--group G]... [--ttl 24h] [-o FILE]
  skiff kubeconfig user alice --group dev -o alice.kubeconfig   # then: kubectl create rolebinding … --user=alice`,
  flags: {
    group: { type: "strings", description: "A group of the user (the certificate's O); repeat for several." },
    ttl: {
      type: "string",
      description: "How long the certificate is valid (e.g. 30m, 24h, 90d); it cannot be revoked before, so keep it short.",
      default: "24h",
    },
    output: { type: "string", short: "o", description: "File to write (mode 0600); default stdout." },
    "api-server": { type: "string", description: "URL of the Kubernetes API in the kubeconfig (default: the server in $SKIFF_HOME/cluster.json)." },
    "pki-dir": { type: "string", description: "The control plane's PKI directory holding ca.crt and ca.key.", default: "$SKIFF_HOME/pki" },
    "allow-masters": { type: "boolean", description: "Allow the group system:masters (unrestricted, irrevocable)." },
  },
  run,
};
