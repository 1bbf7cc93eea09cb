// Identities carried by certificates: CN = user, each O = a group (as in Kubernetes).
export type { Identity } from "./pki.js";
export { identityFromSubject } from "./pki.js";

/** Anything with PEM ca/cert/key. */
export interface TlsMaterialLike {
  ca: string;
  cert: string;
  key: string;
}
