// Rotation of the node's certificate: checks every `checkMs` and, past 2/3 of its lifetime,
// asks the control plane for a new one with the current one (/skiff/v1/renew) and writes it to
// the TLS directory; the gRPC server and clients re-read the files without a restart.
import type { Logger } from "@skiff/log";
import { certInfo, readTlsDir, renewAt, renewNodeCertificate } from "@skiff/client";

/** Starts the rotation loop; returns its stop function. */
export function startCertificateRotation(o: { tlsDir: string; nodeName: string; servers: string[]; checkMs: number }, log: Logger): () => void {
  let busy = false;
  const check = async () => {
    if (busy) return;
    busy = true;
    try {
      const info = certInfo(readTlsDir(o.tlsDir).cert);
      if (Date.now() < renewAt(info)) return;
      const next = await renewNodeCertificate(o.tlsDir, o.nodeName, o.servers);
      log.info({ notAfter: next.notAfter.toISOString(), previousNotAfter: info.notAfter.toISOString() }, "renewed the node certificate");
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
