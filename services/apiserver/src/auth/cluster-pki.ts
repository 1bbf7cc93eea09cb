// The apiserver's share of the cluster PKI, from its --pki-dir on the control plane's disk:
// the CA (created there by the first control-plane start: ca.crt, ca.key 0600), the admin
// token of the REST API (admin.token, 0600), and the apiserver's own certificate (CN
// kube-apiserver), issued in memory from the CA at start and re-issued before it expires —
// the gRPC and HTTPS servers and the channels to node agents pick the new one up live. The
// directory is re-read every few seconds: a CA rotation (`skiff pki rotate-ca` changes the
// trust bundle, then the signing CA) takes effect without a restart.
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ChannelCredentials } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import {
  APISERVER_USER,
  MemoryProvider,
  certInfo,
  ensureClusterCa,
  issueCertificate,
  mtlsChannelCredentials,
  nodeUser,
  readTrustBundle,
  renewAt,
  splitPem,
  type CertAndKey,
} from "@skiff/client";

/** How often --pki-dir is re-read for a CA rotation (ms). */
export const PKI_RELOAD_MS = 5000;

/** The PKI an apiserver runs with. */
export interface ApiserverPki {
  /** The CA that signs now (changes during a CA rotation). */
  readonly ca: CertAndKey;
  /** Every CA to trust, PEM (the signing one, plus the previous or next during a rotation). */
  bundle(): string;
  adminToken: string;
  /** The apiserver's current certificate (serving and client). */
  current(): CertAndKey;
  /** Feeds gRPC servers and channels; rotated in place. */
  provider: MemoryProvider;
  /** Called with each re-issued certificate (the HTTPS server swaps its context). */
  onRotate(cb: (c: CertAndKey) => void): void;
  /** Called when the trust bundle or signing CA changed. */
  onCaChange(cb: () => void): void;
  /** Credentials to reach node `name`'s agent (it must present system:node:<name>). */
  agentCredentials(name: string): ChannelCredentials;
  stop(): void;
}

export interface PkiOptions {
  dir: string;
  /** DNS names and IPs of the serving certificate. */
  hosts: string[];
  /** Validity of the apiserver's own certificate (re-issued at 2/3 of it). */
  certValidityMs: number;
}

/** Reads (or on the cluster's first start, creates) the PKI in `dir`. */
export function loadApiserverPki(o: PkiOptions, log: Logger): ApiserverPki {
  const first = ensureClusterCa(o.dir);
  if (first.created) log.info({ dir: o.dir }, "created the cluster CA (its key stays in this directory)");
  const caKey = join(o.dir, "ca.key");
  if ((statSync(caKey).mode & 0o077) !== 0) log.warn({ file: caKey }, "the CA key is readable by others than its owner: chmod 600 it");
  let ca = first.ca;
  let bundle = first.bundle;
  const issue = () => issueCertificate(ca, { user: APISERVER_USER, groups: [], hosts: o.hosts, validityMs: o.certValidityMs, server: true, client: true });
  let cur = issue();
  const provider = new MemoryProvider({ ca: bundle, ...cur });
  const listeners: ((c: CertAndKey) => void)[] = [];
  const caListeners: (() => void)[] = [];
  const reissue = (why: string) => {
    cur = issue();
    provider.set({ ca: bundle, ...cur });
    for (const l of listeners) l(cur);
    log.info({ notAfter: certInfo(cur.cert).notAfter, why }, "re-issued the apiserver certificate");
  };
  const renewTimer = setInterval(
    () => {
      if (Date.now() >= renewAt(certInfo(cur.cert))) reissue("2/3 of its lifetime passed");
    },
    Math.max(1000, Math.min(3600_000, o.certValidityMs / 20)),
  );
  renewTimer.unref();
  const reloadTimer = setInterval(() => {
    let next: { cert: string; bundle: string };
    try {
      next = { cert: readFileSync(join(o.dir, "ca.crt"), "utf8"), bundle: readTrustBundle(o.dir) };
    } catch (err) {
      log.warn({ err }, "cannot re-read the PKI directory");
      return;
    }
    if (next.cert === ca.cert && next.bundle === bundle) return;
    try {
      const signerChanged = next.cert !== ca.cert;
      if (signerChanged) ca = { cert: next.cert, key: readFileSync(caKey, "utf8") };
      bundle = next.bundle;
      log.info({ trusted: splitPem(bundle).map((c) => certInfo(c).user), signer: certInfo(ca.cert).user }, "the cluster CA changed in the PKI directory");
      if (signerChanged) reissue("the signing CA changed");
      else {
        provider.set({ ca: bundle, ...cur });
        for (const l of listeners) l(cur);
      }
      for (const l of caListeners) l();
    } catch (err) {
      log.warn({ err }, "cannot load the changed CA; keeping the current one");
    }
  }, PKI_RELOAD_MS);
  reloadTimer.unref();
  const channels = new Map<string, ChannelCredentials>();
  return {
    get ca() {
      return ca;
    },
    bundle: () => bundle,
    adminToken: first.adminToken,
    provider,
    current: () => cur,
    onRotate: (cb) => listeners.push(cb),
    onCaChange: (cb) => caListeners.push(cb),
    agentCredentials(name) {
      let c = channels.get(name);
      if (!c) {
        c = mtlsChannelCredentials({ provider }, (id) => id.user === nodeUser(name), `node ${name}'s agent (${nodeUser(name)})`);
        channels.set(name, c);
      }
      return c;
    },
    stop: () => {
      clearInterval(renewTimer);
      clearInterval(reloadTimer);
    },
  };
}
