// Authenticates ServiceAccount tokens: a valid signature and expiry, our audience, and an
// account (and, for a bound token, a pod) that still exists with the uid the token names — so
// deleting the account or the pod revokes its tokens.
import type { KObject } from "@skiff/api";
import type { UserInfo } from "../user.js";
import { ISSUER, type TokenSigner } from "./jwt.js";

/** Reads an object, undefined when it does not exist (`uid`: the one the token names, when a cache may be stale). */
export type Lookup = (resource: "serviceaccounts" | "pods", namespace: string, name: string, uid?: string) => Promise<KObject | undefined>;

/** The user a ServiceAccount is: system:serviceaccount:<ns>:<name> in its groups. */
export function serviceAccountUser(namespace: string, name: string): UserInfo {
  return {
    name: `system:serviceaccount:${namespace}:${name}`,
    groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
  };
}

export class ServiceAccountTokens {
  constructor(
    private readonly signer: TokenSigner,
    private readonly lookup: Lookup,
    private readonly audiences: string[] = [ISSUER],
  ) {}

  async check(token: string): Promise<UserInfo | undefined> {
    const c = this.signer.verify(token, this.audiences);
    if (!c) return undefined;
    const k = c["kubernetes.io"];
    const sa = await this.lookup("serviceaccounts", k.namespace, k.serviceaccount.name, k.serviceaccount.uid);
    if (!sa || sa.metadata.uid !== k.serviceaccount.uid) return undefined;
    if (k.pod) {
      const pod = await this.lookup("pods", k.namespace, k.pod.name, k.pod.uid);
      if (!pod || pod.metadata.uid !== k.pod.uid || pod.metadata.deletionTimestamp) return undefined;
    }
    return serviceAccountUser(k.namespace, k.serviceaccount.name);
  }
}
