// The review kinds (authorization.k8s.io/v1 access and rules reviews, authentication.k8s.io/v1
// token and self reviews) and TokenRequest: create-only bodies. Protobuf knows their specs; the
// OpenAPI documents keep the specs free-form.
import { f, free, int64, listOf, opaque, pkg, ptr, str } from "./dsl.js";
import { kind } from "./meta.js";

const authz = pkg.authorization;
const authn = pkg.authentication;

const ResourceAttributes = opaque(authz, "ResourceAttributes", {
  namespace: f(str, 1),
  verb: f(str, 2),
  group: f(str, 3),
  version: f(str, 4),
  resource: f(str, 5),
  subresource: f(str, 6),
  name: f(str, 7),
});
const NonResourceAttributes = opaque(authz, "NonResourceAttributes", { path: f(str, 1), verb: f(str, 2) });
const SubjectAccessReviewSpec = opaque(authz, "SubjectAccessReviewSpec", {
  resourceAttributes: f(ResourceAttributes, 1),
  nonResourceAttributes: f(NonResourceAttributes, 2),
  user: f(str, 3),
  groups: f(listOf(str), 4),
  uid: f(str, 6),
});

export const SubjectAccessReview = kind(authz, "SubjectAccessReview", { spec: f(SubjectAccessReviewSpec, 2) });
export const LocalSubjectAccessReview = kind(authz, "LocalSubjectAccessReview", { spec: f(SubjectAccessReviewSpec, 2) });
export const SelfSubjectAccessReview = kind(authz, "SelfSubjectAccessReview", {
  spec: f(
    opaque(authz, "SelfSubjectAccessReviewSpec", { resourceAttributes: f(ResourceAttributes, 1), nonResourceAttributes: f(NonResourceAttributes, 2) }),
    2,
  ),
});
export const SelfSubjectRulesReview = kind(authz, "SelfSubjectRulesReview", {
  spec: f(opaque(authz, "SelfSubjectRulesReviewSpec", { namespace: f(str, 1) }), 2),
});

export const TokenReview = kind(authn, "TokenReview", { spec: f(opaque(authn, "TokenReviewSpec", { token: f(str, 1), audiences: f(listOf(str), 2) }), 2) });
/** Asks who the caller is: metadata only. */
export const SelfSubjectReview = kind(authn, "SelfSubjectReview", {});

/** The body of a ServiceAccount's token subresource. */
export const TokenRequest = kind(authn, "TokenRequest", {
  spec: f(
    opaque(authn, "TokenRequestSpec", {
      audiences: f(listOf(str), 1),
      expirationSeconds: f(int64, 4, undefined, ptr),
      boundObjectRef: f(opaque(authn, "BoundObjectReference", { kind: f(str, 1), apiVersion: f(str, 2), name: f(str, 3), uid: f(str, 4) }), 3),
    }),
    2,
  ),
  status: f(free, undefined),
});
