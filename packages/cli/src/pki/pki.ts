// The CLI's side of the cluster PKI: $SKIFF_HOME/pki is the control plane's PKI directory on
// this machine (CA, admin token, the components' TLS directories, created on the first
// control-plane start), and which certificate the CLI itself presents (--tls-dir,
// $SKIFF_TLS_DIR, else $SKIFF_HOME/pki/admin).
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  caCertHash,
  componentIdentities,
  readTrustBundle,
  ensureClusterCa,
  ensureIssued,
  issueCertificate,
  NATS_SERVER_USER,
  natsServerConfig,
  natsTlsDirOf,
  nodeIdentity,
  tlsPaths,
  writeFileAtomic,
  writeTlsDir,
  type CertAndKey,
  type NatsConfigOptions,
} from "@skiff/client";

/** The control plane's PKI directory under a SKIFF_HOME. */
export const pkiDirOf = (home: string): string => join(home, "pki");

/** A control plane's PKI with the TLS directories of its components. */
export interface ControlPlanePki {
  dir: string;
  ca: CertAndKey;
  caCertHash: string;
  /** TLS directory per component: scheduler, controller-manager, admin (and node-<name> for nodes asked for). */
  tlsDirs: Record<string, string>;
}

/** Creates (first start) or completes the PKI in `dir`: CA, admin token, component certificates, and certificates for `nodes`. */
export function ensureControlPlanePki(dir: string, nodes: string[] = []): ControlPlanePki {
  const { ca } = ensureClusterCa(dir);
  const tlsDirs: Record<string, string> = {};
  for (const [name, id] of Object.entries(componentIdentities)) tlsDirs[name] = ensureIssued(dir, name, ca, id);
  for (const n of nodes) tlsDirs[`node-${n}`] = ensureIssued(dir, `node-${n}`, ca, nodeIdentity(n));
  return { dir, ca, caCertHash: caCertHash(ca.cert), tlsDirs };
}

/** The TLS directory the CLI presents: --tls-dir, $SKIFF_TLS_DIR, else $SKIFF_HOME/pki/admin when it exists. */
export function cliTlsDir(flag: string | undefined, env: NodeJS.ProcessEnv, home: string): string | undefined {
  const explicit = flag || env.SKIFF_TLS_DIR;
  if (explicit) return explicit;
  const admin = join(pkiDirOf(home), "admin");
  return existsSync(tlsPaths(admin).cert) ? admin : undefined;
}

/** Issues the NATS servers' certificate (for `hosts`) and writes `<dir>/nats/<file>` configurations for them; returns the TLS dir. */
export function writeNatsConfigs(
  pki: ControlPlanePki,
  hosts: string[],
  servers: { file: string; options: Omit<NatsConfigOptions, "tlsDir"> & { tlsDir?: string } }[],
): string {
  const dir = natsTlsDirOf(pki.dir);
  // Re-issued each time: the names and addresses of the servers may have changed.
  writeTlsDir(dir, {
    ca: readTrustBundle(pki.dir),
    ...issueCertificate(pki.ca, { user: NATS_SERVER_USER, groups: [], hosts: ["127.0.0.1", "localhost", ...hosts], server: true }),
  });
  for (const s of servers) writeFileAtomic(join(dir, s.file), natsServerConfig({ ...s.options, tlsDir: s.options.tlsDir ?? dir }), 0o600);
  return dir;
}
