// core/v1 ServiceAccount: the identity of programs in pods.
import { bool, f, listOf, opaque, pkg, ptr, str } from "./dsl.js";
import { kind, LocalObjectReference } from "./meta.js";

const core = pkg.core;

export const ObjectReference = opaque(core, "ObjectReference", {
  kind: f(str, 1),
  namespace: f(str, 2),
  name: f(str, 3),
  uid: f(str, 4),
  apiVersion: f(str, 5),
  resourceVersion: f(str, 6),
  fieldPath: f(str, 7),
});

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
