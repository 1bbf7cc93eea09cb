// Everything the apiserver needs to be closed, built once at start from --pki-dir: the mutual
// TLS credentials of its gRPC server, the interceptor that authorizes every call, the REST
// server's certificate, admin token and TLS-bootstrap endpoints, and the credentials that
// reach node agents (which accept only apiservers).
import type { ChannelCredentials, ServerCredentials, ServerInterceptor } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import type { Secret } from "@skiff/api";
import { mtlsServerCredentials } from "@skiff/client";
import { loadApiserverPki, type ApiserverPki } from "./cluster-pki.js";
import { registryGraph, resourceAuthorization, type CallAuthorization, type CallRbac } from "./authorizer.js";
import { bootstrapHandler, nodeExistsIn } from "./bootstrap-api.js";
import { removeLegacyPkiSecret, type ClusterAuth } from "../rest/auth/bootstrap.js";

/** The registry calls trust needs. */
export interface TrustRegistry {
  get(resource: string, namespace: string | undefined, name: string): Promise<unknown>;
  list(resource: string, o: { namespace?: string; fieldSelector?: string }): Promise<{ items: unknown[] }>;
  delete(resource: string, namespace: string | undefined, name: string, o: object): Promise<unknown>;
}

export interface TrustOptions {
  pkiDir: string;
  /** Names and IPs of the serving certificate. */
  hosts: string[];
  certValidityMs: number;
  nodeCertValidityMs: number;
  /** RBAC for gRPC callers that are neither admins, the apiserver nor nodes (absent: AlwaysAllow). */
  rbac?: CallRbac;
}

/** The apiserver's trust wiring. */
export interface Trust {
  pki: ApiserverPki;
  serverCredentials: ServerCredentials;
  interceptors: ServerInterceptor[];
  /** The check behind the interceptor, for the calls a Multiplex stream carries. */
  authorization: CallAuthorization;
  restAuth: ClusterAuth;
  agentCredentials(nodeName: string): ChannelCredentials;
  stop(): void;
}

/** Builds the trust wiring (creating the cluster CA on the cluster's first start). */
export async function setupTrust(o: TrustOptions, registry: TrustRegistry, log: Logger): Promise<Trust> {
  const pki = loadApiserverPki({ dir: o.pkiDir, hosts: o.hosts, certValidityMs: o.certValidityMs }, log);
  await removeLegacyPkiSecret(registry, log);
  const bootstrap = bootstrapHandler({
    ca: () => pki.ca,
    bundle: () => pki.bundle(),
    nodeCertValidityMs: o.nodeCertValidityMs,
    log: log.child({ component: "bootstrap" }),
    readSecret: async (ns, name) => (await registry.get("secrets", ns, name)) as Secret,
    nodeExists: nodeExistsIn(registry),
  });
  const authorization = resourceAuthorization(registryGraph(registry), log.child({ component: "authz" }), o.rbac);
  return {
    pki,
    serverCredentials: mtlsServerCredentials({ provider: pki.provider }),
    interceptors: [authorization.interceptor],
    authorization,
    // `ca` is read at each TLS context swap: the trust bundle, which a CA rotation changes.
    restAuth: {
      get ca() {
        return { cert: pki.bundle() };
      },
      adminToken: pki.adminToken,
      get serving() {
        return pki.current();
      },
      onRotate: pki.onRotate,
      bootstrap,
    },
    agentCredentials: (n) => pki.agentCredentials(n),
    stop: () => pki.stop(),
  };
}
