// The joining side of TLS bootstrap (what `skiff node --join` and the node agent run): fetch
// the cluster CA, check it against the --ca-cert-hash pin before sending anything secret, send
// a CSR with the join token, and keep the signed certificate and its key in the TLS directory.
// Also renews a node certificate with the current one before it expires.
import { request } from "node:https";
import { X509Certificate } from "node:crypto";
import { BACKDATE_MS, caCertHash, certInfo, createCsr, identityFromSubject, splitPem, type CertInfo } from "./pki.js";
import { hasTlsDir, readTlsDir, writeTlsDir } from "./files.js";
import { APISERVER_USER, NODES_GROUP, nodeUser } from "./grpc.js";

/** A refusal by the control plane (bad token, forbidden name): retrying will not help. */
export class JoinRefusedError extends Error {}

interface HttpsOpts {
  ca?: string;
  cert?: string;
  key?: string;
  token?: string;
  body?: unknown;
  timeoutMs?: number;
}

/** One JSON request; a non-2xx answer throws with the Status message. */
function call(url: string, o: HttpsOpts): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const data = o.body === undefined ? undefined : Buffer.from(JSON.stringify(o.body));
    const req = request(
      url,
      {
        method: data ? "POST" : "GET",
        // Without a CA (cluster-info) the answer is checked against the pin instead.
        ca: o.ca,
        rejectUnauthorized: !!o.ca,
        cert: o.cert,
        key: o.key,
        checkServerIdentity: (_h, cert) => {
          if (!o.ca) return undefined;
          const id = identityFromSubject(new X509Certificate(cert.raw).subject);
          return id.user === APISERVER_USER ? undefined : new Error(`${url} presented "${id.user}", not an apiserver of this cluster`);
        },
        headers: {
          "Content-Type": "application/json",
          ...(data ? { "Content-Length": data.length } : {}),
          ...(o.token ? { Authorization: `Bearer ${o.token}` } : {}),
        },
        timeout: o.timeoutMs ?? 10_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          let body: Record<string, unknown> = {};
          try {
            body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
          } catch {
            /* not JSON */
          }
          if ((res.statusCode ?? 500) < 300) return resolve(body);
          const msg = String(body.message ?? `HTTP ${res.statusCode}`);
          reject(res.statusCode === 401 || res.statusCode === 403 || res.statusCode === 400 ? new JoinRefusedError(msg) : new Error(msg));
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${url}: no answer within ${o.timeoutMs ?? 10_000} ms`)));
    req.on("error", reject);
    req.end(data);
  });
}

export interface JoinOptions {
  /** Where ca.crt, tls.crt, tls.key go. */
  tlsDir: string;
  nodeName: string;
  token: string;
  /** sha256:<hex> of the CA's public key, as printed with the join command. */
  caCertHash: string;
  /** https://host:port of the apiservers' HTTPS API, tried in turn. */
  servers: string[];
  /** How long to keep retrying unreachable apiservers (default 60 s). */
  timeoutMs?: number;
}

/** Joins: fetches and pins the CA, sends the CSR with the token, writes the TLS directory. */
export async function joinCluster(o: JoinOptions): Promise<CertInfo> {
  if (!/^sha256:[0-9a-f]{64}$/.test(o.caCertHash))
    throw new JoinRefusedError(`--ca-cert-hash must be sha256:<64 hex digits> (printed with the join command), got ${JSON.stringify(o.caCertHash)}`);
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  let last: Error | undefined;
  for (;;) {
    for (const server of o.servers) {
      try {
        const ca = String((await call(`${server}/skiff/v1/cluster-info`, {})).ca ?? "");
        // The cluster's trust bundle: its CA, and during a CA rotation the next one too (a join
        // command printed before the rotation still works until the old CA is removed).
        const got = splitPem(ca).map(caCertHash);
        if (!got.includes(o.caCertHash))
          throw new JoinRefusedError(
            `the CA served by ${server} has hash ${got.join(", ") || "(none)"}, not --ca-cert-hash ${o.caCertHash}: refusing to send the join token to it`,
          );
        const { csr, key } = createCsr({ user: nodeUser(o.nodeName), groups: [NODES_GROUP] });
        const res = await call(`${server}/skiff/v1/join`, { ca, token: o.token, body: { csr } });
        writeTlsDir(o.tlsDir, { ca, cert: String(res.certificate), key });
        return certInfo(String(res.certificate));
      } catch (err) {
        if (err instanceof JoinRefusedError) throw err;
        last = err as Error;
      }
    }
    if (Date.now() > deadline) throw new Error(`could not reach an apiserver to join (${o.servers.join(", ")}): ${last?.message}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

/** Checks that a TLS directory holds this node's identity; throws saying what is wrong. */
export function checkNodeTlsDir(dir: string, nodeName: string): CertInfo | undefined {
  if (!hasTlsDir(dir)) return undefined;
  const info = certInfo(readTlsDir(dir).cert);
  if (info.user !== nodeUser(nodeName))
    throw new Error(`${dir}/tls.crt is the certificate of "${info.user}", not of ${nodeUser(nodeName)}: give this node its own --tls-dir`);
  return info;
}

/** When a certificate should be renewed: at 2/3 of its lifetime (as the kubelet does, with less jitter). */
export function renewAt(info: CertInfo): number {
  // Counted from the issue time, not the backdated notBefore (which would make a short-lived certificate "due" at once).
  const end = info.notAfter.getTime();
  const start = Math.min(info.notBefore.getTime() + BACKDATE_MS, end);
  return start + ((end - start) * 2) / 3;
}

/** What an apiserver says about the cluster's CAs (GET /skiff/v1/cluster-info): the trust bundle and the CA that signs now. */
export interface ClusterCaInfo {
  bundle: string;
  signer: string;
}

/** Reads the cluster's CAs from the first apiserver that answers, trusting only the TLS directory's current bundle. */
export async function fetchClusterCa(tlsDir: string, servers: string[]): Promise<ClusterCaInfo> {
  const cur = readTlsDir(tlsDir);
  let last: Error | undefined;
  for (const server of servers) {
    try {
      const r = await call(`${server}/skiff/v1/cluster-info`, { ca: cur.ca, cert: cur.cert, key: cur.key });
      const bundle = String(r.ca ?? "");
      return { bundle, signer: String(r.signer ?? splitPem(bundle)[0] ?? "") };
    } catch (err) {
      last = err as Error;
    }
  }
  throw new Error(`could not read the cluster's CAs from ${servers.join(", ")}: ${last?.message}`);
}

/** Renews the node certificate in `tlsDir` with itself as the credential; returns the new one's info. */
export async function renewNodeCertificate(tlsDir: string, nodeName: string, servers: string[]): Promise<CertInfo> {
  const cur = readTlsDir(tlsDir);
  const { csr, key } = createCsr({ user: nodeUser(nodeName), groups: [NODES_GROUP] });
  let last: Error | undefined;
  for (const server of servers) {
    try {
      const res = await call(`${server}/skiff/v1/renew`, { ca: cur.ca, cert: cur.cert, key: cur.key, body: { csr } });
      writeTlsDir(tlsDir, { ca: String(res.ca ?? cur.ca), cert: String(res.certificate), key });
      return certInfo(String(res.certificate));
    } catch (err) {
      last = err as Error;
      if (err instanceof JoinRefusedError) break;
    }
  }
  throw new Error(`renewing the certificate of ${nodeUser(nodeName)} failed: ${last?.message}`);
}
