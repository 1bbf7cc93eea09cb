// TLS bootstrap over the HTTPS port (the gRPC port admits only certificates of the cluster CA,
// which a joining machine does not have yet):
//   GET  /skiff/v1/cluster-info  the CA certificates (public): the trust bundle, which the joiner
//                                checks against the --ca-cert-hash pin before trusting it, and
//                                the CA that signs now (nodes renew when it changed).
//   POST /skiff/v1/join          Authorization: Bearer <join token>, body {csr}: signs a node
//                                certificate (system:node:<name>, group system:nodes).
//   POST /skiff/v1/renew         with the node's current client certificate, body {csr} for the
//                                same identity: signs a fresh one (rotation before expiry).
// Every refusal is logged and answered with a Status; nothing is written.
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import type { Logger } from "@skiff/log";
import {
  BadRequestError,
  ForbiddenError,
  isDNS1123Subdomain,
  isNotFound,
  MethodNotAllowedError,
  NotFoundError,
  UnauthorizedError,
  type Secret,
} from "@skiff/api";
import { identityOfPeer, MASTERS_GROUP, NODES_GROUP, nodeUser, parseCsr, signCsr, type CertAndKey, type ParsedCsr } from "@skiff/client";
import { validateJoinToken } from "./join-token.js";
import { nodeNameOf } from "./identity.js";

export interface BootstrapDeps {
  /** The CA that signs now. */
  ca(): CertAndKey;
  /** Every CA to trust (what joining and renewing nodes get as ca.crt). */
  bundle(): string;
  /** Validity of node certificates. */
  nodeCertValidityMs: number;
  readSecret(namespace: string, name: string): Promise<Secret>;
  /** Whether a Node of that name is registered. */
  nodeExists(name: string): Promise<boolean>;
  log: Logger;
}

async function readJson(req: IncomingMessage): Promise<{ csr?: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req) {
    size += (c as Buffer).length;
    if (size > 64 * 1024) throw new BadRequestError("the request body is too large for a CSR");
    chunks.push(c as Buffer);
  }
  try {
    const o = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    if (!o || typeof o !== "object") throw new Error("not an object");
    return o;
  } catch (err) {
    throw new BadRequestError(`the body must be JSON {"csr": "<PEM>"}: ${(err as Error).message}`);
  }
}

/** The node name a CSR asks for, checking it asks for a node identity and nothing more. */
function nodeCsr(pem: string | undefined): { csr: ParsedCsr; node: string } {
  if (!pem) throw new BadRequestError("csr: Required value (a PEM certificate signing request)");
  let csr: ParsedCsr;
  try {
    csr = parseCsr(pem);
  } catch (err) {
    throw new BadRequestError(`csr: ${(err as Error).message}`);
  }
  if (csr.groups.includes(MASTERS_GROUP)) throw new ForbiddenError(`a node may not ask for group ${MASTERS_GROUP}`);
  const node = csr.user.startsWith("system:node:") ? csr.user.slice("system:node:".length) : "";
  if (!node) throw new ForbiddenError(`a joining machine may only ask for a node identity (CN system:node:<name>), not "${csr.user}"`);
  const bad = isDNS1123Subdomain(node);
  if (bad) throw new BadRequestError(`csr: node name "${node}": ${bad}`);
  if (csr.groups.length !== 1 || csr.groups[0] !== NODES_GROUP)
    throw new ForbiddenError(`a node certificate has exactly the group ${NODES_GROUP} (O=${NODES_GROUP}), got [${csr.groups.join(", ")}]`);
  return { csr, node };
}

/** Handles /skiff/v1/*; resolves once the response is sent or throws a typed error for the caller to send. */
export function bootstrapHandler(d: BootstrapDeps) {
  const sign = (csr: ParsedCsr) => signCsr(d.ca(), csr, { client: true, server: true, validityMs: d.nodeCertValidityMs });
  const reply = (res: ServerResponse, body: unknown) => {
    const data = Buffer.from(JSON.stringify(body));
    res.writeHead(200, { "Content-Type": "application/json", "Content-Length": data.length, "Cache-Control": "no-store" });
    res.end(data);
  };
  return async (req: IncomingMessage, res: ServerResponse, path: string): Promise<void> => {
    const from = req.socket.remoteAddress;
    try {
      if (path === "/skiff/v1/cluster-info") {
        if (req.method !== "GET") throw new MethodNotAllowedError(`${req.method} is not allowed on ${path}`);
        // ca: the trust bundle (a joiner pins one of its CAs); signer: the CA that signs now (a node renews when it changed).
        return reply(res, { ca: d.bundle(), signer: d.ca().cert });
      }
      if (path !== "/skiff/v1/join" && path !== "/skiff/v1/renew") throw new NotFoundError("paths", path);
      if (req.method !== "POST") throw new MethodNotAllowedError(`${req.method} is not allowed on ${path}`);
      if (path === "/skiff/v1/join") {
        const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];
        const tokenId = await validateJoinToken(d.readSecret, bearer);
        const { csr, node } = nodeCsr((await readJson(req)).csr);
        // A token lets a new machine in; it never hands out the identity of a registered node.
        if (await d.nodeExists(node))
          throw new ForbiddenError(
            `node "${node}" is already registered: a join token cannot take over its identity (delete the Node first to re-join a machine under that name)`,
          );
        d.log.info({ node, tokenId, from }, "signed a node certificate (join)");
        return reply(res, { certificate: sign(csr), ca: d.bundle() });
      }
      const sock = req.socket as TLSSocket;
      const id = sock.authorized ? identityOfPeer(sock.getPeerCertificate()) : undefined;
      const node = nodeNameOf(id);
      if (!node) throw new UnauthorizedError("renewing needs the node's current certificate of the cluster CA");
      const { csr, node: asked } = nodeCsr((await readJson(req)).csr);
      if (asked !== node) throw new ForbiddenError(`${nodeUser(node)} may not ask for a certificate of ${nodeUser(asked)}`);
      d.log.info({ node, from }, "signed a node certificate (renewal)");
      return reply(res, { certificate: sign(csr), ca: d.bundle() });
    } catch (err) {
      d.log.warn({ path, from, reason: (err as Error).message }, "bootstrap request refused");
      throw err;
    }
  };
}

/** nodeExists over a registry. */
export function nodeExistsIn(r: { get(resource: string, ns: string | undefined, name: string): Promise<unknown> }) {
  return (name: string) =>
    r.get("nodes", undefined, name).then(
      () => true,
      (err) => {
        if (isNotFound(err)) return false;
        throw err;
      },
    );
}
