// The control plane's PKI directory (the apiserver's --pki-dir, $SKIFF_HOME/pki for the CLI):
// ca.crt, ca.key (0600) and admin.token (0600, the REST API's admin bearer token), created on the
// cluster's first control-plane start; and the TLS directories of the components it issues
// (<dir>/scheduler, <dir>/controller-manager, <dir>/admin, <dir>/node-<name>). While a CA
// rotation runs (`skiff pki rotate-ca`), ca-bundle.crt holds every CA to trust (old and new).
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createCa, issueCertificate, newToken, type CertAndKey, type IssueOptions } from "./pki.js";
import { hasTlsDir, readTlsDir, tlsPaths, writeFileAtomic, writeTlsDir } from "./files.js";
import { MASTERS_GROUP, NODES_GROUP, nodeUser } from "./grpc.js";
import { verifiedBy } from "./pki.js";

/** The trust bundle during a CA rotation (absent otherwise: ca.crt alone is trusted). */
export const CA_BUNDLE = "ca-bundle.crt";

/** What the components of a PKI directory trust: ca-bundle.crt while a CA rotation runs, else ca.crt. */
export function readTrustBundle(dir: string): string {
  const b = join(dir, CA_BUNDLE);
  return readFileSync(existsSync(b) ? b : join(dir, "ca.crt"), "utf8");
}

/** The CA and admin token of a PKI directory. */
export interface ClusterCa {
  ca: CertAndKey;
  /** Every CA to trust (ca.crt, or ca-bundle.crt during a rotation). */
  bundle: string;
  adminToken: string;
  /** Whether this call created the CA. */
  created: boolean;
}

/** Reads the CA of `dir`, creating CA and admin token when neither exists (the first control-plane start). */
export function ensureClusterCa(dir: string): ClusterCa {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const crt = join(dir, "ca.crt");
  const key = join(dir, "ca.key");
  const tok = join(dir, "admin.token");
  let created = false;
  if (!existsSync(crt) && !existsSync(key)) {
    const ca = createCa();
    writeFileAtomic(key, ca.key, 0o600);
    writeFileAtomic(crt, ca.cert);
    created = true;
  }
  if (!existsSync(key))
    throw new Error(
      `${key} is missing: a control plane needs the cluster CA's key; copy ca.crt, ca.key and admin.token from the first control plane's PKI directory`,
    );
  if (!existsSync(tok)) writeFileAtomic(tok, newToken() + "\n", 0o600);
  ensureEncryptionConfig(join(dir, ENCRYPTION_CONFIG));
  return {
    ca: { cert: readFileSync(crt, "utf8"), key: readFileSync(key, "utf8") },
    bundle: readTrustBundle(dir),
    adminToken: readFileSync(tok, "utf8").trim(),
    created,
  };
}

/** The identities the control plane issues certificates for. */
export const componentIdentities: Record<string, Omit<IssueOptions, "hosts">> = {
  scheduler: { user: "system:kube-scheduler", groups: [] },
  "controller-manager": { user: "system:kube-controller-manager", groups: [] },
  admin: { user: "skiff-admin", groups: [MASTERS_GROUP] },
};

/** The identity of a node (client and serving: its agent serves the apiservers). */
export function nodeIdentity(name: string): Omit<IssueOptions, "hosts"> {
  return { user: nodeUser(name), groups: [NODES_GROUP], server: true };
}

/**
 * Writes `<dir>/<sub>` for an identity unless it already holds a certificate of the signing CA
 * that lives 7 more days; keeps its ca.crt equal to the PKI directory's trust bundle.
 */
export function ensureIssued(dir: string, sub: string, ca: CertAndKey, id: IssueOptions): string {
  const d = join(dir, sub);
  const bundle = readTrustBundle(dir);
  if (hasTlsDir(d)) {
    const m = readTlsDir(d);
    if (verifiedBy(m.cert, ca.cert, Date.now() + 7 * 24 * 3600_000)) {
      if (m.ca !== bundle) writeFileAtomic(tlsPaths(d).ca, bundle);
      return d;
    }
  }
  writeTlsDir(d, { ca: bundle, ...issueCertificate(ca, id) });
  return d;
}

/** File name of the encryption-at-rest configuration in a PKI directory. */
export const ENCRYPTION_CONFIG = "encryption-config.yaml";

/** Creates `file` with a fresh AES-256-GCM key for Secrets unless it exists (exclusive create: racing apiservers agree). */
export function ensureEncryptionConfig(file: string): void {
  if (existsSync(file)) return;
  const text = `# Skiff encrypts these resources in the store (Kubernetes' EncryptionConfiguration format).
# Rotate: add a new key FIRST in the list (same file on every apiserver), restart the apiservers,
# rewrite all Secrets (\`skiff get secrets -A -o json | skiff apply -f -\`), then remove the old key.
apiVersion: apiserver.config.k8s.io/v1
kind: EncryptionConfiguration
resources:
  - resources: [secrets]
    providers:
      - aesgcm:
          keys:
            - name: key-${new Date().toISOString().slice(0, 10)}
              secret: ${randomBytes(32).toString("base64")}
      - identity: {}
`;
  try {
    writeFileSync(file, text, { mode: 0o600, flag: "wx" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
}
