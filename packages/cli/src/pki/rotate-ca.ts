// CA rotation without a restart (`skiff pki rotate-ca`), in three steps, each checked on the
// running cluster before the next one:
//   add     a new CA is made (ca-next.crt/.key) and trusted next to the old one: ca-bundle.crt,
//           every TLS directory's ca.crt, NATS (reloaded); apiservers re-read the PKI directory
//           and nodes fetch the bundle — done when every apiserver and every Ready node's agent
//           accepts a certificate of the new CA at the handshake.
//   switch  the new CA signs: ca.crt/ca.key replaced (the old kept as ca-previous.*), every
//           component certificate re-issued, NATS reloaded; apiservers re-issue their own and
//           nodes renew theirs — done when every apiserver and agent presents a new-CA certificate.
//   finish  the old CA is trusted no more: ca-bundle.crt and ca-previous.* removed, ca.crt of
//           every TLS directory = the new CA, NATS reloaded; apiservers and nodes follow.
import { connect as h2connect } from "node:http2";
import { X509Certificate } from "node:crypto";
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import type { TLSSocket } from "node:tls";
import { join, resolve } from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { Node } from "@skiff/api";
import {
  CA_BUNDLE,
  caCertHash,
  certInfo,
  createCa,
  hasTlsDir,
  issueCertificate,
  readTlsDir,
  signedBy,
  splitPem,
  tlsPaths,
  writeFileAtomic,
  writeTlsDir,
  type ApiClient,
  type CertAndKey,
} from "@skiff/client";
import { CliError } from "../cli/errors.js";
import type { Output } from "../cli/context.js";

const exec = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The steps of a CA rotation, in order. */
export const rotationSteps = ["add", "switch", "finish"] as const;
export type RotationStep = (typeof rotationSteps)[number];

export interface RotateOptions {
  /** The control plane's PKI directory. */
  dir: string;
  steps: RotationStep[];
  /** The cluster as the CLI reaches it (admin certificate). */
  client: ApiClient;
  /** gRPC addresses of every apiserver (host:port). */
  apiservers: string[];
  /** How long to wait for the cluster to follow each step. */
  timeoutMs: number;
  /** A shell command that reloads NATS servers this command cannot signal itself (other machines, containers, systemd). */
  natsReloadCommand?: string;
  /** Kubeconfig files whose certificate-authority-data to keep equal to the trust bundle. */
  kubeconfigs: string[];
  out: Output;
}

const f = (dir: string, name: string) => join(dir, name);
const read = (p: string) => readFileSync(p, "utf8");
const ID_SERVER_AUTH = "1.3.6.1.5.5.7.3.1";

/** Every TLS directory under the PKI directory (scheduler, controller-manager, admin, nats, node-*, …). */
function tlsDirsOf(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && hasTlsDir(join(dir, e.name)))
    .map((e) => join(dir, e.name));
}

/** Re-issues a certificate with the same identity, names, usages and lifetime from `ca`. */
function reissueLike(certPem: string, ca: CertAndKey): CertAndKey {
  const x = new X509Certificate(certPem);
  const info = certInfo(certPem);
  const hosts = (x.subjectAltName ?? "")
    .split(",")
    .map((s) => s.trim().replace(/^(DNS|IP Address):/, ""))
    .filter(Boolean);
  const usages = x.keyUsage ?? [];
  const lifetime = info.notAfter.getTime() - info.notBefore.getTime() - 5 * 60_000;
  return issueCertificate(ca, {
    user: info.user,
    groups: info.groups,
    hosts,
    server: usages.includes(ID_SERVER_AUTH),
    client: true,
    validityMs: Math.max(lifetime, 60_000),
  });
}

/** Writes the trust bundle into every TLS directory (and kubeconfigs); re-issues certificates the signing CA did not sign. */
function refreshTlsDirs(dir: string, bundle: string, signer: CertAndKey | undefined, o: RotateOptions): void {
  for (const d of tlsDirsOf(dir)) {
    const m = readTlsDir(d);
    if (signer && !signedBy(m.cert, signer.cert)) writeTlsDir(d, { ca: bundle, ...reissueLike(m.cert, signer) });
    else if (m.ca !== bundle) writeFileAtomic(tlsPaths(d).ca, bundle);
  }
  const b64 = Buffer.from(bundle).toString("base64");
  for (const k of o.kubeconfigs.filter(existsSync)) {
    const text = read(k);
    const next = text.replace(/("certificate-authority-data"\s*:\s*")[^"]*(")/g, `$1${b64}$2`).replace(/(certificate-authority-data:\s*)\S+/g, `$1${b64}`);
    if (next !== text) writeFileAtomic(k, next, 0o600);
  }
}

/** Sends SIGHUP (reload) to this machine's nats-server processes whose configuration uses this PKI directory; runs the reload command. */
async function reloadNats(dir: string, o: RotateOptions): Promise<void> {
  const abs = resolve(dir);
  const reloaded: number[] = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = read(`/proc/${pid}/cmdline`).split("\0");
      if (!argv[0]?.endsWith("nats-server")) continue;
      const i = argv.findIndex((a) => a === "-c" || a === "--config");
      if (i < 0 || !argv[i + 1]) continue;
      const conf = resolve(`/proc/${pid}/cwd`, argv[i + 1]);
      if (!read(conf).includes(abs)) continue;
      process.kill(Number(pid), "SIGHUP");
      reloaded.push(Number(pid));
    } catch {
      // gone, or not ours to read
    }
  }
  if (reloaded.length) o.out.write(`  reloaded nats-server (pid ${reloaded.join(", ")})\n`);
  if (o.natsReloadCommand) {
    await exec("sh", ["-c", o.natsReloadCommand], { timeout: 60_000 }).catch((err) => {
      throw new CliError(`--nats-reload-command failed: ${(err as Error).message}`);
    });
    o.out.write(`  ran: ${o.natsReloadCommand}\n`);
  }
  if (!reloaded.length && !o.natsReloadCommand)
    o.out.write(
      "  warning: no nats-server of this PKI directory runs here: reload your NATS servers now (systemctl reload skiff-nats, or nats-server --signal reload), or pass --nats-reload-command\n",
    );
}

/** One TLS handshake (HTTP/2, as gRPC speaks): whether the server accepted `id`, and the certificate it presented. */
export function handshake(address: string, id: CertAndKey, timeoutMs = 5000): Promise<{ accepted: boolean; peer?: string; error?: string }> {
  const host = address.slice(0, address.lastIndexOf(":")).replace(/^\[|\]$/g, "");
  return new Promise((done) => {
    let peer: string | undefined;
    const s = h2connect(`https://${address}`, { cert: id.cert, key: id.key, rejectUnauthorized: false, ...(isIP(host) ? { servername: "" } : {}) });
    const finish = (r: { accepted: boolean; error?: string }) => {
      clearTimeout(t);
      s.destroy();
      done({ ...r, peer });
    };
    const t = setTimeout(() => finish({ accepted: false, error: "no answer" }), timeoutMs);
    s.once("connect", (_s, socket) => {
      const raw = (socket as TLSSocket).getPeerCertificate?.()?.raw;
      if (raw) peer = new X509Certificate(raw).toString();
    });
    s.once("remoteSettings", () => finish({ accepted: true }));
    s.once("error", (err) => finish({ accepted: false, error: err.message }));
    s.once("close", () => finish({ accepted: false, error: "closed by the server" }));
  });
}

/** The agents' addresses of the Ready nodes (and the names of the others). */
async function agents(client: ApiClient): Promise<{ ready: { name: string; address: string }[]; notReady: string[] }> {
  const nodes = (await client.list<Node>("nodes")).items;
  const ready: { name: string; address: string }[] = [];
  const notReady: string[] = [];
  for (const n of nodes) {
    const ep = n.status?.daemonEndpoints?.kubeletEndpoint;
    const ip = ep?.Address ?? n.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    const isReady = n.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
    if (isReady && ip && ep?.Port) ready.push({ name: n.metadata.name!, address: `${ip.includes(":") ? `[${ip}]` : ip}:${ep.Port}` });
    else notReady.push(n.metadata.name!);
  }
  return { ready, notReady };
}

/** Waits until `ok` holds for every apiserver and Ready node agent; throws naming the ones that did not follow. */
async function waitForCluster(what: string, o: RotateOptions, ok: (r: Awaited<ReturnType<typeof handshake>>) => boolean, probe: CertAndKey): Promise<void> {
  const deadline = Date.now() + o.timeoutMs;
  let behind: string[] = [];
  for (;;) {
    const { ready, notReady } = await agents(o.client).catch(() => ({ ready: [], notReady: [] as string[] }));
    const targets = [
      ...o.apiservers.map((a) => ({ name: `apiserver ${a}`, address: a })),
      ...ready.map((n) => ({ name: `node ${n.name}`, address: n.address })),
    ];
    const results = await Promise.all(targets.map(async (t) => ({ t, r: await handshake(t.address, probe) })));
    behind = results.filter((x) => !ok(x.r)).map((x) => `${x.t.name} (${x.t.address}${x.r.error ? `: ${x.r.error}` : ""})`);
    if (!behind.length) {
      o.out.write(
        `  ${what}: ${targets.length} checked (${targets.map((t) => t.name).join(", ")})${notReady.length ? `; not Ready, not checked: ${notReady.join(", ")} (they re-join if they miss the rotation)` : ""}\n`,
      );
      return;
    }
    if (Date.now() > deadline)
      throw new CliError(
        `${what}: still waiting for ${behind.join(", ")} after ${Math.round(o.timeoutMs / 1000)}s; run the same step again once they have followed (nothing was removed)`,
      );
    await sleep(2000);
  }
}

/** A throwaway client certificate of `ca` (no rights anywhere: it only proves trust at the handshake). */
const probeOf = (ca: CertAndKey) => issueCertificate(ca, { user: "skiff:ca-rotation-probe", groups: [], validityMs: 3600_000 });

/** Runs the given steps in order. */
export async function rotateCa(o: RotateOptions): Promise<void> {
  const { dir } = o;
  const caCrt = f(dir, "ca.crt"),
    caKey = f(dir, "ca.key");
  if (!existsSync(caKey)) throw new CliError(`${caKey} is missing: run this on a control plane, with --dir its PKI directory`);
  for (const step of o.steps) {
    o.out.write(`step ${step}\n`);
    if (step === "add") {
      if (!existsSync(f(dir, "ca-next.crt"))) {
        const next = createCa(`skiff-ca-${new Date().toISOString().replace(/[-:T]/g, "").slice(0, 14)}`);
        writeFileAtomic(f(dir, "ca-next.key"), next.key, 0o600);
        writeFileAtomic(f(dir, "ca-next.crt"), next.cert);
      }
      const next = { cert: read(f(dir, "ca-next.crt")), key: read(f(dir, "ca-next.key")) };
      const bundle = read(caCrt) + read(f(dir, "ca-next.crt"));
      writeFileAtomic(f(dir, CA_BUNDLE), bundle);
      o.out.write(`  new CA ${certInfo(next.cert).user} trusted next to ${certInfo(read(caCrt)).user}\n`);
      refreshTlsDirs(dir, bundle, undefined, o);
      await reloadNats(dir, o);
      await waitForCluster("every apiserver and node accepts the new CA", o, (r) => r.accepted, probeOf(next));
    } else if (step === "switch") {
      if (!existsSync(f(dir, "ca-next.crt"))) throw new CliError("no new CA to switch to: run the add step first");
      writeFileAtomic(f(dir, "ca-previous.key"), read(caKey), 0o600);
      writeFileAtomic(f(dir, "ca-previous.crt"), read(caCrt));
      // The key first: an apiserver that sees the new ca.crt must find its key.
      renameSync(f(dir, "ca-next.key"), caKey);
      renameSync(f(dir, "ca-next.crt"), caCrt);
      const signer = { cert: read(caCrt), key: read(caKey) };
      const bundle = existsSync(f(dir, CA_BUNDLE)) ? read(f(dir, CA_BUNDLE)) : signer.cert;
      refreshTlsDirs(dir, bundle, signer, o);
      writeFileSync(f(dir, "ca-cert-hash"), `${caCertHash(signer.cert)}\n`);
      o.out.write(`  ${certInfo(signer.cert).user} signs now; component certificates re-issued\n`);
      await reloadNats(dir, o);
      await waitForCluster(
        "every apiserver and node presents a certificate of the new CA",
        o,
        (r) => !!r.peer && signedBy(r.peer, signer.cert),
        probeOf(signer),
      );
    } else {
      const signer = { cert: read(caCrt), key: read(caKey) };
      if (existsSync(f(dir, "ca-next.crt"))) throw new CliError("the new CA does not sign yet: run the switch step first");
      const previous = existsSync(f(dir, "ca-previous.crt")) ? { cert: read(f(dir, "ca-previous.crt")), key: read(f(dir, "ca-previous.key")) } : undefined;
      rmSync(f(dir, CA_BUNDLE), { force: true });
      refreshTlsDirs(dir, signer.cert, signer, o);
      await reloadNats(dir, o);
      if (previous) {
        await waitForCluster("every apiserver and node refuses the old CA", o, (r) => !r.accepted, probeOf(previous));
        rmSync(f(dir, "ca-previous.key"), { force: true });
        rmSync(f(dir, "ca-previous.crt"), { force: true });
      }
      o.out.write(`  only ${certInfo(signer.cert).user} is trusted; the old CA's key is deleted\n`);
    }
  }
  const trusted = splitPem(existsSync(f(dir, CA_BUNDLE)) ? read(f(dir, CA_BUNDLE)) : read(caCrt)).map((c) => certInfo(c).user);
  o.out.write(`trusted now: ${trusted.join(", ")}; signing: ${certInfo(read(caCrt)).user}\n`);
}
