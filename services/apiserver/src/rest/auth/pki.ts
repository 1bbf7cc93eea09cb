// The cluster's PKI: a self-signed CA and serving certificates it signs. Node's crypto makes
// the keys; node-forge builds the X.509 certificates (Node cannot create certificates itself).
import { generateKeyPairSync, randomBytes } from "node:crypto";
import forge from "node-forge";

/** A PEM certificate and its PEM private key. */
export interface CertAndKey {
  cert: string;
  key: string;
}

function newKeys(): { forgeKeys: forge.pki.rsa.KeyPair; keyPem: string } {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const priv = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const pub = forge.pki.setRsaPublicKey(priv.n, priv.e);
  return { forgeKeys: { privateKey: priv, publicKey: pub }, keyPem };
}

function serial(): string {
  // Positive 16-byte serial (the top bit cleared so it is not read as negative).
  const b = randomBytes(16);
  b[0] &= 0x7f;
  return b.toString("hex");
}

/** Creates the cluster CA (valid 10 years). */
export function createCa(commonName = "skiff-ca"): CertAndKey {
  const { forgeKeys, keyPem } = newKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgeKeys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60 * 60_000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600_000);
  const attrs = [{ name: "commonName", value: commonName }];
  cert.setSubject(attrs);
  cert.setIssuer(attrs);
  cert.setExtensions([
    { name: "basicConstraints", cA: true, critical: true },
    { name: "keyUsage", keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
    { name: "subjectKeyIdentifier" },
  ]);
  cert.sign(forgeKeys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keyPem };
}

const ipRe = /^(\d{1,3}\.){3}\d{1,3}$|:/;

/** Creates a serving certificate for `names` (DNS names and IPs), signed by `ca` (valid 1 year). */
export function createServingCert(ca: CertAndKey, names: string[], commonName = "kube-apiserver"): CertAndKey {
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const caKey = forge.pki.privateKeyFromPem(ca.key);
  const { forgeKeys, keyPem } = newKeys();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forgeKeys.publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60 * 60_000);
  cert.validity.notAfter = new Date(Date.now() + 365 * 24 * 3600_000);
  cert.setSubject([{ name: "commonName", value: commonName }]);
  cert.setIssuer(caCert.subject.attributes);
  const uniq = [...new Set(names.filter(Boolean))];
  cert.setExtensions([
    { name: "basicConstraints", cA: false },
    { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
    { name: "extKeyUsage", serverAuth: true },
    { name: "subjectAltName", altNames: uniq.map((n) => (ipRe.test(n) ? { type: 7, ip: n } : { type: 2, value: n })) },
  ]);
  cert.sign(caKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keyPem };
}

/** A random bearer token (URL-safe, 256 bits). */
export function newToken(): string {
  return randomBytes(32).toString("base64url");
}
