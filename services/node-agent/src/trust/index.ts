// trust/: the node's identity — joining with a token (TLS bootstrap) or using the certificate in
// --tls-dir, rotating it, serving the NodeService to apiservers only, and reading the objects
// its pods reference one by one (what the Node authorizer allows).
import type { ServerInterceptor } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import { ForbiddenError, UnauthorizedError } from "@skiff/api";
import { authorizingInterceptor, checkNodeTlsDir, isApiserver, joinCluster, MASTERS_GROUP, type CertInfo } from "@skiff/client";

export { ReferencedObjects } from "./referenced.js";
export { startCertificateRotation } from "./rotation.js";

/** The node's certificate: the one in tlsDir, or a new one from joining with the token. */
export async function ensureNodeIdentity(
  o: { tlsDir: string; nodeName: string; token?: string; caCertHash: string; servers: string[] },
  log: Logger,
): Promise<CertInfo> {
  const have = checkNodeTlsDir(o.tlsDir, o.nodeName);
  if (have) return have;
  if (!o.token)
    throw new Error(
      `no certificate in --tls-dir ${o.tlsDir} and no join token: join with --token and --ca-cert-hash (printed by \`skiff controlplane\` or \`skiff token create --print-join-command\`)`,
    );
  const info = await joinCluster({ tlsDir: o.tlsDir, nodeName: o.nodeName, token: o.token, caCertHash: o.caCertHash, servers: o.servers });
  log.info({ tlsDir: o.tlsDir, notAfter: info.notAfter.toISOString() }, "joined the cluster: node certificate signed");
  return info;
}

/** Image calls an administrator's `skiff image load --via api` makes (the images helper's path for VMs). */
const ADMIN_METHODS = /(?:^|\/)(LoadImage|ImageStatus)$/;

/** Lets only apiservers call the NodeService (logs, exec, port-forward, stats); admins may load images. */
export function apiserversOnly(log: Logger): ServerInterceptor {
  return authorizingInterceptor(
    (method, id) => {
      if (!id) throw new UnauthorizedError("a client certificate of the cluster CA is required");
      if (ADMIN_METHODS.test(method) && id.groups.includes(MASTERS_GROUP)) return;
      if (!isApiserver(id)) throw new ForbiddenError(`User "${id.user}" may not call ${method}: the node agent serves apiservers only`);
    },
    { checkOnMessage: false, onDenied: (method, id, err) => log.warn({ method, user: id?.user, reason: (err as Error).message }, "call refused") },
  );
}
