// core/v1 ServiceAccount: the identity of programs in pods.
import { bool, f, listOf, pkg, ptr, str, struct } from "./dsl.js";
import { kind, LocalObjectReference } from "./meta.js";

const core = pkg.core;

export const ObjectReference = struct(
  core,
  "ObjectReference",
  "ObjectReference contains enough information to let you inspect or modify the referred object.",
  {
    kind: f(str, 1, "Kind of the referent."),
    namespace: f(str, 2, "Namespace of the referent."),
    name: f(str, 3, "Name of the referent."),
    uid: f(str, 4, "UID of the referent."),
    apiVersion: f(str, 5, "API version of the referent."),
    resourceVersion: f(str, 6, "Specific resourceVersion to which this reference is made, if any."),
    fieldPath: f(str, 7, 'If referring to a piece of an object instead of an entire object, the JSON path of that piece, such as "spec.containers{name}".'),
  },
);

export const ServiceAccount = kind(core, "ServiceAccount", {
  secrets: f(
    listOf(ObjectReference),
    2,
    "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.",
  ),
  imagePullSecrets: f(
    listOf(LocalObjectReference),
    3,
    "ImagePullSecrets is a list of references to secrets in the same namespace to use for pulling any images in pods that reference this ServiceAccount.",
  ),
  automountServiceAccountToken: f(
    bool,
    4,
    "AutomountServiceAccountToken indicates whether pods running as this service account should have an API token automatically mounted.",
    ptr,
  ),
});
