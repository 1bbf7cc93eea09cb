// The caller of a gRPC call: the identity (CN = user, O = groups) of its verified client
// certificate. Every server of the cluster requires one at the handshake, so a call without
// one never reaches a handler; undefined here means a server built without mutual TLS.
import { identityOfCall, type Identity } from "@skiff/client";

export type { Identity } from "@skiff/client";

/** Anything grpc-js hands a handler or interceptor (calls expose their TLS peer). */
export interface CallWithAuth {
  getAuthContext(): { sslPeerCertificate?: import("node:tls").PeerCertificate } | null;
}

/** The identity of the call's peer certificate. */
export function callerOf(call: CallWithAuth): Identity | undefined {
  return identityOfCall(call);
}

/** The node name of a node identity (user system:node:<name> in group system:nodes), else undefined. */
export function nodeNameOf(id: Identity | undefined): string | undefined {
  if (!id?.groups.includes("system:nodes") || !id.user.startsWith("system:node:")) return undefined;
  return id.user.slice("system:node:".length) || undefined;
}
