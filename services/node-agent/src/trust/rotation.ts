// Rotation of the node's certificate: checks every `checkMs` and asks the control plane for a new
// one with the current one (/skiff/v1/renew) past 2/3 of its lifetime, or at once when the
// cluster's signing CA changed (a CA rotation); keeps ca.crt equal to the cluster's trust bundle
// (/skiff/v1/cluster-info, read over TLS checked against the current bundle). The gRPC server
// and clients re-read the files without a restart.
import type { Logger } from "@skiff/log";
import {
  certInfo,
  fetchClusterCa,
  readTlsDir,
  renewAt,
  renewNodeCertificate,
  signedBy,
  splitPem,
  tlsPaths,
  writeFileAtomic,
  type ClusterCaInfo,
} from "@skiff/client";

/** Starts the rotation loop; returns its stop function. */
export function startCertificateRotation(o: { tlsDir: string; nodeName: string; servers: string[]; checkMs: number }, log: Logger): () => void {
  let busy = false;
  let unreachable = false;
  const check = async () => {
    if (busy) return;
    busy = true;
    try {
      const cur = readTlsDir(o.tlsDir);
      const info = certInfo(cur.cert);
      let cluster: ClusterCaInfo | undefined;
      try {
        cluster = await fetchClusterCa(o.tlsDir, o.servers);
        unreachable = false;
      } catch (err) {
        // Said once per outage: while it lasts the node follows no CA rotation.
        if (!unreachable) log.warn({ err, servers: o.servers }, "cannot read the cluster's CAs (/skiff/v1/cluster-info); retrying");
        unreachable = true;
      }
      const newSigner = !!cluster?.signer && !signedBy(cur.cert, cluster.signer);
      if (Date.now() >= renewAt(info) || newSigner) {
        const next = await renewNodeCertificate(o.tlsDir, o.nodeName, o.servers);
        log.info(
          {
            notAfter: next.notAfter.toISOString(),
            previousNotAfter: info.notAfter.toISOString(),
            why: newSigner ? "the cluster's signing CA changed" : "2/3 of its lifetime passed",
          },
          "renewed the node certificate",
        );
      } else if (cluster?.bundle && splitPem(cluster.bundle).length && cluster.bundle !== cur.ca) {
        writeFileAtomic(tlsPaths(o.tlsDir).ca, cluster.bundle);
        log.info({ trusted: splitPem(cluster.bundle).map((c) => certInfo(c).user) }, "the cluster's trust bundle changed: ca.crt updated");
      }
    } catch (err) {
      log.warn({ err }, "certificate renewal failed; retrying");
    } finally {
      busy = false;
    }
  };
  const t = setInterval(() => void check(), o.checkMs);
  t.unref();
  return () => clearInterval(t);
}
