// Certificates by SNI: each TLS host of the routing table gets a secure context built from its
// kubernetes.io/tls Secret; hosts whose Secret is missing or invalid, and names no Ingress
// lists, get a self-signed default certificate. Contexts are swapped in place: a rotated
// Secret serves new handshakes while open connections keep theirs (nothing is dropped).
import { createSecureContext, type SecureContext } from "node:tls";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";
import type { Secret } from "@skiff/api";
import type { Problem, RouteTable } from "../routing/routing.js";
import { normalizeHost } from "../routing/routing.js";

/** A self-signed certificate for `cn` (valid one year), PEM. */
export function selfSigned(cn: string): { cert: string; key: string } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const priv = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.setRsaPublicKey(priv.n, priv.e);
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  cert.serialNumber = serial.toString("hex");
  cert.validity.notBefore = new Date(Date.now() - 3600_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  cert.setSubject([
    { name: "commonName", value: cn },
    { name: "organizationName", value: "Skiff" },
  ]);
  cert.setIssuer([
    { name: "commonName", value: cn },
    { name: "organizationName", value: "Skiff" },
  ]);
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: [{ type: 2, value: "ingress.local" }] },
  ]);
  cert.sign(priv, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keyPem };
}

/** The common name of the fallback certificate (what a client sees for unknown or broken hosts). */
export const DEFAULT_CERT_CN = "Skiff Ingress Controller Default Certificate";

function decode(v: string | undefined): string {
  return v ? Buffer.from(v, "base64").toString("utf8") : "";
}

/** SNI → secure context. */
export class CertStore {
  readonly defaultContext: SecureContext;
  private byHost = new Map<string, SecureContext>();
  /** Contexts by Secret uid+resourceVersion: rebuilt only when a Secret changes. */
  private cache = new Map<string, { ctx?: SecureContext; error?: string }>();

  constructor(defaultCert = selfSigned(DEFAULT_CERT_CN)) {
    this.defaultContext = createSecureContext(defaultCert);
  }

  /** Rebuilds the host map from the table; returns problems with Secrets (Events). */
  update(table: RouteTable, secret: (namespace: string, name: string) => Secret | undefined): Problem[] {
    const problems: Problem[] = [];
    const next = new Map<string, SecureContext>();
    const used = new Set<string>();
    for (const [host, t] of table.tls) {
      const s = secret(t.namespace, t.secretName);
      const name = `${t.namespace}/${t.secretName}`;
      if (!s) {
        problems.push({
          ingress: t.ingress,
          reason: "MissingTLSSecret",
          message: `TLS secret ${name} for host ${host} not found; serving the default self-signed certificate`,
        });
        continue;
      }
      const id = `${s.metadata.uid}/${s.metadata.resourceVersion}`;
      used.add(id);
      let entry = this.cache.get(id);
      if (!entry) {
        entry = {};
        const cert = decode(s.data?.["tls.crt"]),
          key = decode(s.data?.["tls.key"]);
        if (!cert || !key) entry.error = "has no tls.crt and tls.key";
        else {
          try {
            entry.ctx = createSecureContext({ cert, key });
          } catch (err) {
            entry.error = `is not a valid certificate and key: ${(err as Error).message}`;
          }
        }
        this.cache.set(id, entry);
      }
      if (entry.ctx) next.set(host, entry.ctx);
      else
        problems.push({
          ingress: t.ingress,
          reason: "InvalidTLSSecret",
          message: `TLS secret ${name} for host ${host} ${entry.error}; serving the default self-signed certificate`,
        });
    }
    for (const id of this.cache.keys()) if (!used.has(id)) this.cache.delete(id);
    this.byHost = next;
    return problems;
  }

  /** The context for an SNI name: exact host, then one-label wildcard, else the default. */
  contextFor(servername: string | undefined): SecureContext {
    const host = normalizeHost(servername);
    const dot = host.indexOf(".");
    return this.byHost.get(host) ?? (dot > 0 ? this.byHost.get("*." + host.slice(dot + 1)) : undefined) ?? this.defaultContext;
  }

  /** The SNICallback of the TLS server. */
  readonly sni = (servername: string, cb: (err: Error | null, ctx?: SecureContext) => void): void => cb(null, this.contextFor(servername));
}
