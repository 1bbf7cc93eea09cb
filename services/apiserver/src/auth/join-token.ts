// Node join tokens (bootstrap tokens): a secret generated at the first start of a cluster and
// kept in the store as the Secret kube-system/skiff-join-token; with --require-join-token a
// node may register (create its Node) only when its request carries `authorization: Bearer
// <token>`. Separate from any admin/user token: it only lets a machine join.
import { randomBytes } from "node:crypto";
import type { Metadata } from "@grpc/grpc-js";
import { AlreadyExistsError, NotFoundError, UnauthorizedError, type Secret } from "@skiff/api";
import type { Logger } from "@skiff/log";
import type { Registry } from "../registry/registry.js";

/** Namespace and name of the Secret holding the join token. */
export const joinTokenSecret = { namespace: "kube-system", name: "skiff-join-token" } as const;

/** A new token in kubeadm's shape: 6 + 16 characters of [a-z0-9], "abcdef.0123456789abcdef". */
export function newJoinToken(): string {
  const alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
  const pick = (n: number) => Array.from(randomBytes(n), (b) => alphabet[b % alphabet.length]).join("");
  return `${pick(6)}.${pick(16)}`;
}

/** The cluster's join token: read from the store, created there on first start (races between apiservers end in one token). */
export async function ensureJoinToken(registry: Registry, log: Logger): Promise<string> {
  const read = async () => {
    const s = (await registry.get("secrets", joinTokenSecret.namespace, joinTokenSecret.name)) as Secret;
    const token = Buffer.from(s.data?.token ?? "", "base64").toString("utf8");
    if (!token) throw new Error(`secret ${joinTokenSecret.namespace}/${joinTokenSecret.name} has no data.token`);
    return token;
  };
  try {
    return await read();
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
  const secret: Secret = {
    apiVersion: "v1", kind: "Secret", type: "skiff.dev/join-token",
    metadata: { name: joinTokenSecret.name, namespace: joinTokenSecret.namespace },
    data: { token: Buffer.from(newJoinToken()).toString("base64") },
  };
  try {
    await registry.create("secrets", joinTokenSecret.namespace, secret);
    log.info({ secret: `${joinTokenSecret.namespace}/${joinTokenSecret.name}` }, "generated the node join token");
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
  return read();
}

/** Decides whether a call may proceed; throws a typed error when not. */
export type Authorizer = (verb: string, resource: string, md: Metadata) => void;

/** The bearer token of a call's metadata, if any. */
export function bearerOf(md: Metadata): string | undefined {
  const v = md.get("authorization")[0];
  const m = typeof v === "string" ? /^Bearer\s+(\S+)$/i.exec(v) : null;
  return m?.[1];
}

/** Requires the join token for node registration (creating a Node); everything else passes. */
export function joinTokenAuthorizer(token: () => string | undefined): Authorizer {
  return (verb, resource, md) => {
    if (verb !== "create" || resource !== "nodes") return;
    const want = token();
    const got = bearerOf(md);
    if (!got) throw new UnauthorizedError("registering a node needs the cluster's join token: start the node agent with --token (see `skiff controlplane`)");
    if (got !== want) throw new UnauthorizedError("the join token is not valid for this cluster");
  };
}
