// core/v1 ServiceAccount (the identity of programs in pods) and authentication.k8s.io/v1
// TokenRequest (its `token` subresource: a signed, expiring token for the account).
import type { KObject } from "../types.js";
import { gv, withMeta, type Info } from "./common.js";
import * as serviceAccountSchema from "../schema/serviceaccounts.js";

export interface ServiceAccount extends KObject {
  secrets?: { name?: string; namespace?: string; kind?: string; uid?: string }[];
  imagePullSecrets?: { name: string }[];
  automountServiceAccountToken?: boolean;
}

export interface TokenRequest extends KObject {
  spec: {
    audiences?: string[];
    expirationSeconds?: number;
    boundObjectRef?: { kind?: string; apiVersion?: string; name?: string; uid?: string };
  };
  status?: { token: string; expirationTimestamp: string };
}

export const serviceAccountResources: Info[] = [
  {
    ...gv("", "v1"),
    resource: "serviceaccounts",
    singular: "serviceaccount",
    kind: "ServiceAccount",
    listKind: "ServiceAccountList",
    schema: serviceAccountSchema.ServiceAccount,
    namespaced: true,
    shortNames: ["sa"],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(true),
  },
];
