// The apiserver's certificate towards NATS (user "CN=kube-apiserver", the only one with the
// store's stream): issued in memory from the CA in --pki-dir, and re-issued in place — at 2/3
// of its lifetime, and when the signing CA or trust bundle changes (a CA rotation). The NATS
// client reads the same object at every (re)connect, so the next connection presents the new
// certificate without a restart; the connection that is up stays up (TLS checks at handshake).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "@skiff/log";
import { APISERVER_USER, certInfo, ensureClusterCa, issueCertificate, readTrustBundle, renewAt } from "@skiff/client";
import { PKI_RELOAD_MS } from "./cluster-pki.js";

/** TLS options of the store's NATS connection, kept current. */
export interface NatsClientTls {
  /** Mutated in place on rotation (the NATS client reads it at each connect). */
  tls: { ca: string; cert: string; key: string };
  stop(): void;
}

/** Issues the certificate and starts its rotation. */
export function natsClientTls(pkiDir: string, validityMs: number, log: Logger): NatsClientTls {
  const first = ensureClusterCa(pkiDir);
  let signer = first.ca;
  const issue = () => ({ ca: readTrustBundle(pkiDir), ...issueCertificate(signer, { user: APISERVER_USER, groups: [], validityMs }) });
  const tls = issue();
  const check = () => {
    try {
      const caCert = readFileSync(join(pkiDir, "ca.crt"), "utf8");
      const bundle = readTrustBundle(pkiDir);
      const due = Date.now() >= renewAt(certInfo(tls.cert));
      if (!due && caCert === signer.cert && bundle === tls.ca) return;
      if (caCert !== signer.cert) signer = { cert: caCert, key: readFileSync(join(pkiDir, "ca.key"), "utf8") };
      Object.assign(tls, issue());
      log.info(
        { notAfter: certInfo(tls.cert).notAfter, why: due ? "2/3 of its lifetime passed" : "the cluster CA changed" },
        "re-issued the apiserver's NATS client certificate",
      );
    } catch (err) {
      log.warn({ err }, "cannot renew the NATS client certificate; retrying");
    }
  };
  const timer = setInterval(check, Math.min(PKI_RELOAD_MS, Math.max(1000, validityMs / 20)));
  timer.unref();
  return { tls, stop: () => clearInterval(timer) };
}
