// The cluster PKI: a self-signed CA, certificates it issues (with an identity: CN = user,
// O = groups), CSRs and their signing. Node's crypto makes the keys; node-forge builds the
// X.509 structures (Node can read certificates but cannot create them).
import { createHash, generateKeyPairSync, randomBytes, X509Certificate } from "node:crypto";
import { createRequire } from "node:module";
import type forge from "node-forge";

// Why loaded on first use: node-forge is 0.9 MB of JavaScript (several MB of heap once parsed)
// that only a process issuing or signing certificates runs; most import this file for its types
// and identity helpers (the DNS, the scheduler, the controller-manager).
const require = createRequire(import.meta.url);
let forgeModule: typeof forge | undefined;
const forgeLib = (): typeof forge => (forgeModule ??= require("node-forge") as typeof forge);

/** A PEM certificate and its PEM private key. */
export interface CertAndKey {
  cert: string;
  key: string;
}

/** Who a certificate names: CN is the user, each O a group (as in Kubernetes). */
export interface Identity {
  user: string;
  groups: string[];
}

/** What to put into an issued certificate. */
export interface IssueOptions extends Identity {
  /** DNS names and IP addresses (serving certificates). */
  hosts?: string[];
  /** Validity in ms (default 1 year). */
  validityMs?: number;
  /** Key usages: client (default true), server (default false). */
  client?: boolean;
  server?: boolean;
}

const YEAR = 365 * 24 * 3600_000;
/** How far issued certificates are backdated (clock skew between machines). */
export const BACKDATE_MS = 5 * 60_000;

function newKeyPem(): string {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

function forgeKeys(keyPem: string): { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey } {
  const priv = forgeLib().pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  return { privateKey: priv, publicKey: forgeLib().pki.setRsaPublicKey(priv.n, priv.e) };
}

function serial(): string {
  // Positive 16-byte serial (the top bit cleared so it is not read as negative).
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString("hex");
}

/** Subject attributes of an identity: CN and one O per group. */
function subjectOf(id: Identity): forge.pki.CertificateField[] {
  return [...id.groups.map((g) => ({ shortName: "O", value: g })), { shortName: "CN", value: id.user }];
}

/** Creates a cluster CA (valid 10 years). */
export function createCa(commonName = "skiff-ca"): CertAndKey {
  const key = newKeyPem();
  const k = forgeKeys(key);
  const cert = forgeLib().pki.createCertificate();
  cert.publicKey = k.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60 * 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * YEAR);
  const attrs = [{ name: "commonName", value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(k.privateKey, forgeLib().md.sha256.create());
  return { cert: forgeLib().pki.certificateToPem(cert), key };
}

const ipRe = /^(\d{1,3}\.){3}\d{1,3}$|:/;

/** Signs a certificate for `publicKeyPem` (or a new key) with `ca`. */
function sign(ca: CertAndKey, publicKey: forge.pki.PublicKey, o: IssueOptions): string {
  const caCert = forgeLib().pki.certificateFromPem(ca.cert);
  const caKey = forgeLib().pki.privateKeyFromPem(ca.key);
  const cert = forgeLib().pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  // Backdated a little: machines' clocks differ.
  cert.validity.notBefore = new Date(Date.now() - BACKDATE_MS);
  cert.validity.notAfter = new Date(Date.now() + (o.validityMs ?? YEAR));
  cert.setSubject(subjectOf(o));
  cert.setIssuer(caCert.subject.attributes);
  const hosts = [...new Set((o.hosts ?? []).filter(Boolean))];
  const ext: object[] = [
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: !!o.server, clientAuth: o.client !== false },
  ];
  if (hosts.length) ext.push({ name: "subjectAltName", altNames: hosts.map((n) => (ipRe.test(n) ? { type: 7, ip: n } : { type: 2, value: n })) });
  cert.setExtensions(ext);
  cert.sign(caKey, forgeLib().md.sha256.create());
  return forgeLib().pki.certificateToPem(cert);
}

/** Issues a new key and certificate for an identity. */
export function issueCertificate(ca: CertAndKey, o: IssueOptions): CertAndKey {
  const key = newKeyPem();
  return { cert: sign(ca, forgeKeys(key).publicKey, o), key };
}

/** A new private key and a CSR for an identity (what a joining node sends). */
export function createCsr(id: Identity): { csr: string; key: string } {
  const key = newKeyPem();
  const k = forgeKeys(key);
  const csr = forgeLib().pki.createCertificationRequest();
  csr.publicKey = k.publicKey;
  csr.setSubject(subjectOf(id));
  csr.sign(k.privateKey, forgeLib().md.sha256.create());
  return { csr: forgeLib().pki.certificationRequestToPem(csr), key };
}

/** A parsed, signature-checked CSR. */
export interface ParsedCsr extends Identity {
  publicKey: forge.pki.PublicKey;
}

/** Parses a CSR and checks its self-signature; throws with a readable message when it is not one. */
export function parseCsr(pem: string): ParsedCsr {
  let csr: forge.pki.CertificateSigningRequest;
  try {
    csr = forgeLib().pki.certificationRequestFromPem(pem);
  } catch (err) {
    throw new Error(`not a PEM certificate signing request: ${(err as Error).message}`);
  }
  if (!csr.verify()) throw new Error("the CSR's signature does not match its key");
  if (!csr.publicKey) throw new Error("the CSR has no public key");
  const attrs = csr.subject.attributes;
  const cn = attrs.filter((a) => a.shortName === "CN").map((a) => String(a.value));
  if (cn.length !== 1) throw new Error("the CSR must name exactly one CN");
  return { user: cn[0], groups: attrs.filter((a) => a.shortName === "O").map((a) => String(a.value)), publicKey: csr.publicKey };
}

/** Signs a parsed CSR as a client (and, with `server`, serving) certificate. */
export function signCsr(ca: CertAndKey, csr: ParsedCsr, o: Omit<IssueOptions, "user" | "groups">): string {
  return sign(ca, csr.publicKey, { ...o, user: csr.user, groups: csr.groups });
}

/** What a certificate says about itself. */
export interface CertInfo extends Identity {
  notBefore: Date;
  notAfter: Date;
}

/** Reads a subject string ("O=a\nO=b\nCN=c" as Node prints it) into an identity. */
export function identityFromSubject(subject: string): Identity {
  const lines = subject.split("\n");
  const val = (l: string) => l.slice(l.indexOf("=") + 1);
  return { user: val(lines.find((l) => l.startsWith("CN=")) ?? "CN="), groups: lines.filter((l) => l.startsWith("O=")).map(val) };
}

/** The identity and validity of a PEM certificate. */
export function certInfo(pem: string): CertInfo {
  const x = new X509Certificate(pem);
  return { ...identityFromSubject(x.subject), notBefore: new Date(x.validFrom), notAfter: new Date(x.validTo) };
}

/** Whether `certPem` was signed by `caPem` (and is not expired). */
export function verifiedBy(certPem: string, caPem: string, now = Date.now()): boolean {
  const x = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  return x.checkIssued(ca) && x.verify(ca.publicKey) && new Date(x.validTo).getTime() > now && new Date(x.validFrom).getTime() <= now;
}

/** The certificates of a PEM bundle (a trust bundle holds the current CA and, while a rotation runs, the next or previous one). */
export function splitPem(bundle: string): string[] {
  return bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g)?.map((c) => c + "\n") ?? [];
}

/** Whether `certPem` was signed by `caPem` (expiry not checked). */
export function signedBy(certPem: string, caPem: string): boolean {
  if (!caPem) return false;
  const x = new X509Certificate(certPem);
  const ca = new X509Certificate(caPem);
  return x.checkIssued(ca) && x.verify(ca.publicKey);
}

/** Whether `certPem` was signed by one of the CAs of `bundle` (and is valid now). */
export function verifiedByAny(certPem: string, bundle: string, now = Date.now()): boolean {
  return splitPem(bundle).some((ca) => verifiedBy(certPem, ca, now));
}

/** kubeadm's CA pin: "sha256:" + hex of the SHA-256 of the CA's SubjectPublicKeyInfo. */
export function caCertHash(caPem: string): string {
  const spki = new X509Certificate(caPem).publicKey.export({ type: "spki", format: "der" });
  return `sha256:${createHash("sha256").update(spki).digest("hex")}`;
}

/** A random bearer token (URL-safe, 256 bits). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}
