// The apiserver's certificate towards NATS (user "CN=kube-apiserver", the only one with the
// store's stream): issued in memory from the CA in --pki-dir at start (a restart renews it).
import { APISERVER_USER, ensureClusterCa, issueCertificate } from "@skiff/client";

/** TLS options of the store's NATS connection. */
export function natsClientTls(pkiDir: string): { ca: string; cert: string; key: string } {
  const { ca } = ensureClusterCa(pkiDir);
  return { ca: ca.cert, ...issueCertificate(ca, { user: APISERVER_USER, groups: [] }) };
}
