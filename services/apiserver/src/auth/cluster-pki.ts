// The apiserver's share of the cluster PKI, from its --pki-dir on the control plane's disk:
// the CA (created there by the first control-plane start: ca.crt, ca.key 0600), the admin
// token of the REST API (admin.token, 0600), and the apiserver's own certificate (CN
// kube-apiserver), issued in memory from the CA at start and re-issued before it expires —
// the gRPC and HTTPS servers and the channels to node agents pick the new one up live.
import { statSync } from "node:fs";
import { join } from "node:path";
import type { ChannelCredentials } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import { APISERVER_USER, MemoryProvider, certInfo, ensureClusterCa, issueCertificate, mtlsChannelCredentials, nodeUser, type CertAndKey } from "@skiff/client";

/** The PKI an apiserver runs with. */
export interface ApiserverPki {
  ca: CertAndKey;
  adminToken: string;
  /** The apiserver's current certificate (serving and client). */
  current(): CertAndKey;
  /** Feeds gRPC servers and channels; rotated in place. */
  provider: MemoryProvider;
  /** Called with each re-issued certificate (the HTTPS server swaps its context). */
  onRotate(cb: (c: CertAndKey) => void): void;
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
  const { ca, adminToken, created } = ensureClusterCa(o.dir);
  if (created) log.info({ dir: o.dir }, "created the cluster CA (its key stays in this directory)");
  const caKey = join(o.dir, "ca.key");
  if ((statSync(caKey).mode & 0o077) !== 0) log.warn({ file: caKey }, "the CA key is readable by others than its owner: chmod 600 it");
  const issue = () => issueCertificate(ca, { user: APISERVER_USER, groups: [], hosts: o.hosts, validityMs: o.certValidityMs, server: true, client: true });
  let cur = issue();
  const provider = new MemoryProvider({ ca: ca.cert, ...cur });
  const listeners: ((c: CertAndKey) => void)[] = [];
  const renewAt = () => {
    const i = certInfo(cur.cert);
    return i.notBefore.getTime() + ((i.notAfter.getTime() - i.notBefore.getTime()) * 2) / 3;
  };
  const timer = setInterval(() => {
    if (Date.now() < renewAt()) return;
    cur = issue();
    provider.set({ ca: ca.cert, ...cur });
    for (const l of listeners) l(cur);
    log.info({ notAfter: certInfo(cur.cert).notAfter }, "re-issued the apiserver certificate");
  }, Math.max(1000, Math.min(3600_000, o.certValidityMs / 20)));
  timer.unref();
  const channels = new Map<string, ChannelCredentials>();
  return {
    ca, adminToken, provider,
    current: () => cur,
    onRotate: (cb) => listeners.push(cb),
    agentCredentials(name) {
      let c = channels.get(name);
      if (!c) {
        c = mtlsChannelCredentials({ provider }, (id) => id.user === nodeUser(name), `node ${name}'s agent (${nodeUser(name)})`);
        channels.set(name, c);
      }
      return c;
    },
    stop: () => clearInterval(timer),
  };
}
