// apimachinery meta/v1: object metadata, owner references, label selectors, delete options;
// and `kind()`, which builds a top-level kind on this ObjectMeta.
import { bool, embedded, f, free, inline, int64, kindSchema, listOf, mergeBy, opaque, pkg, ptr, req, str, strMap, struct, time, type FieldDef } from "./dsl.js";

export const OwnerReference = struct(pkg.meta, "OwnerReference", "OwnerReference contains enough information to let you identify an owning object.", {
  apiVersion: f(str, 5, "API version of the referent.", req),
  kind: f(str, 1, "Kind of the referent.", req),
  name: f(str, 3, "Name of the referent.", req),
  uid: f(str, 4, "UID of the referent.", req),
  controller: f(bool, 6, "If true, this reference points to the managing controller.", ptr),
  blockOwnerDeletion: f(
    bool,
    7,
    'If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed.',
    ptr,
  ),
});

export const ObjectMeta = struct(
  pkg.meta,
  "ObjectMeta",
  "ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create.",
  {
    name: f(str, 1, "Name must be unique within a namespace."),
    generateName: f(str, 2, "GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided."),
    namespace: f(str, 3, "Namespace defines the space within which each name must be unique."),
    uid: f(str, 5, "UID is the unique in time and space value for this object."),
    resourceVersion: f(str, 6, "An opaque value that represents the internal version of this object."),
    selfLink: f(str, 4, "Deprecated: selfLink is a legacy read-only field that is no longer populated by the system."),
    generation: f(int64, 7, "A sequence number representing a specific generation of the desired state."),
    creationTimestamp: f(time, 8, "CreationTimestamp is a timestamp representing the server time when this object was created."),
    deletionTimestamp: f(time, 9, "DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted."),
    deletionGracePeriodSeconds: f(
      int64,
      10,
      "Number of seconds allowed for this object to gracefully terminate before it will be removed from the system.",
      ptr,
    ),
    labels: f(strMap, 11, "Map of string keys and values that can be used to organize and categorize (scope and select) objects."),
    annotations: f(
      strMap,
      12,
      "Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata.",
    ),
    ownerReferences: f(listOf(OwnerReference), 13, "List of objects depended by this object.", mergeBy("uid")),
    finalizers: f(listOf(str), 14, "Must be empty before the object is deleted from the registry.", { list: { set: true } }),
    managedFields: f(listOf(free), undefined, "ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow."),
  },
);

export const LabelSelectorRequirement = inline(
  pkg.meta,
  "LabelSelectorRequirement",
  "A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values.",
  {
    key: f(str, 1, "key is the label key that the selector applies to.", req),
    operator: f(str, 2, "operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.", req),
    values: f(listOf(str), 3, "values is an array of string values."),
  },
);

export const LabelSelector = struct(pkg.meta, "LabelSelector", "A label selector is a label query over a set of resources.", {
  matchLabels: f(strMap, 1, "matchLabels is a map of {key,value} pairs."),
  matchExpressions: f(listOf(LabelSelectorRequirement), 2, "matchExpressions is a list of label selector requirements."),
});

export const Preconditions = opaque(pkg.meta, "Preconditions", { uid: f(str, 1, undefined, ptr), resourceVersion: f(str, 2, undefined, ptr) });

/** The body of a DELETE (registered in every group version). */
export const DeleteOptions = opaque(pkg.meta, "DeleteOptions", {
  gracePeriodSeconds: f(int64, 1, undefined, ptr),
  preconditions: f(Preconditions, 2),
  orphanDependents: f(bool, 3, undefined, ptr),
  propagationPolicy: f(str, 4, undefined, ptr),
  dryRun: f(listOf(str), 5),
});

/** A top-level kind with Kubernetes' ObjectMeta. */
export const kind = <F extends Record<string, FieldDef>>(p: string, name: string, fields: F) => kindSchema(p, name, ObjectMeta, fields);

/** Kubernetes' LocalObjectReference (core/v1), embedded in many selectors. */
export const LocalObjectReference = struct(
  pkg.core,
  "LocalObjectReference",
  "LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace.",
  { name: f(str, 1, "Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty.") },
);
/** `localObjectReference=1` embedded, as the key selectors and projections have it. */
export const localRef: FieldDef = f(LocalObjectReference, 1, undefined, embedded);

/** meta/v1 Condition: the condition shape newer kinds share (a Service's, a PodDisruptionBudget's). */
export const Condition = struct(pkg.meta, "Condition", "Condition contains details for one aspect of the current state of this API Resource.", {
  type: f(str, 1, "type of condition in CamelCase or in foo.example.com/CamelCase.", req),
  status: f(str, 2, "status of the condition, one of True, False, Unknown.", req),
  observedGeneration: f(int64, 3, "observedGeneration represents the .metadata.generation that the condition was set based upon."),
  lastTransitionTime: f(time, 4, "lastTransitionTime is the last time the condition transitioned from one status to another.", req),
  reason: f(str, 5, "reason contains a programmatic identifier indicating the reason for the condition's last transition.", req),
  message: f(str, 6, "message is a human readable message indicating details about the transition. This may be an empty string.", req),
});

const typedRef = (name: string, namespaced: boolean) =>
  struct(
    pkg.core,
    name,
    `${name} contains enough information to let you locate the typed referenced object${namespaced ? "" : " inside the same namespace"}.`,
    {
      apiGroup: f(str, 1, "APIGroup is the group for the resource being referenced. If empty, the kind must be in the core API group.", ptr),
      kind: f(str, 2, "Kind is the type of resource being referenced", req),
      name: f(str, 3, "Name is the name of resource being referenced", req),
      ...(namespaced
        ? { namespace: f(str, 4, "Namespace is the namespace of resource being referenced (cross-namespace references need a ReferenceGrant).", ptr) }
        : {}),
    },
  );
/** core/v1 TypedLocalObjectReference (an Ingress backend's resource, a claim's dataSource) and TypedObjectReference (dataSourceRef). */
export const TypedLocalObjectReference = typedRef("TypedLocalObjectReference", false);
export const TypedObjectReference = typedRef("TypedObjectReference", true);
