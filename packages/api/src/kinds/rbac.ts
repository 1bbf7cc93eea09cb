// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding; and the
// kinds of the review APIs (authorization.k8s.io, authentication.k8s.io), which are answered,
// never stored (`virtual` resources that only take create).
import { field, type FieldError } from "../errors.js";
import type { KObject } from "../types.js";
import type { LabelSelectorStruct } from "../selectors.js";
import { gv, validateSelector, withMeta, type Info } from "./common.js";
import { pathSegmentNameErrors } from "../validation/names.js";
import * as rbacSchema from "../schema/rbac.js";
import * as reviewSchema from "../schema/reviews.js";
import type { StructDef } from "../schema/dsl.js";

/** One permission rule of a role. */
export interface PolicyRule {
  verbs: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
  nonResourceURLs?: string[];
}

export interface Role extends KObject {
  rules?: PolicyRule[];
}

export interface ClusterRole extends Role {
  /** Rules are the union of the ClusterRoles these selectors match. */
  aggregationRule?: { clusterRoleSelectors?: LabelSelectorStruct[] };
}

export interface Subject {
  kind: "User" | "Group" | "ServiceAccount";
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup: string;
  kind: "Role" | "ClusterRole";
  name: string;
}

export interface RoleBinding extends KObject {
  subjects?: Subject[];
  roleRef: RoleRef;
}

export const RBAC_GROUP = "rbac.authorization.k8s.io";

function validateRules(rules: PolicyRule[] | undefined, clusterScoped: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (rules !== undefined && !Array.isArray(rules)) return [field.invalid("rules", rules, "must be a list")];
  (rules ?? []).forEach((r, i) => {
    const p = `rules[${i}]`;
    if (!r || typeof r !== "object") {
      errs.push(field.invalid(p, r, "must be an object"));
      return;
    }
    if (!Array.isArray(r.verbs) || r.verbs.length === 0) errs.push(field.required(`${p}.verbs`, "verbs must contain at least one value"));
    const urls = r.nonResourceURLs ?? [];
    if (urls.length > 0) {
      if (!clusterScoped) errs.push(field.invalid(`${p}.nonResourceURLs`, urls, "namespaced rules cannot apply to non-resource URLs"));
      if ((r.apiGroups ?? []).length || (r.resources ?? []).length)
        errs.push(field.invalid(`${p}.nonResourceURLs`, urls, "rules cannot apply to both regular resources and non-resource URLs"));
      for (const [j, u] of urls.entries()) {
        if (typeof u !== "string" || (!u.startsWith("/") && u !== "*")) errs.push(field.invalid(`${p}.nonResourceURLs[${j}]`, u, "must begin with /"));
      }
      return;
    }
    if (!Array.isArray(r.resources) || r.resources.length === 0)
      errs.push(field.required(`${p}.resources`, "resource rules must supply at least one resource"));
    if (!Array.isArray(r.apiGroups) || r.apiGroups.length === 0)
      errs.push(field.required(`${p}.apiGroups`, "resource rules must supply at least one api group"));
  });
  return errs;
}

function validateBinding(b: RoleBinding, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = b.roleRef;
  if (!ref || typeof ref !== "object") return [field.required("roleRef")];
  if (ref.apiGroup !== RBAC_GROUP) errs.push(field.notSupported("roleRef.apiGroup", ref.apiGroup, [RBAC_GROUP]));
  const kinds = namespaced ? ["Role", "ClusterRole"] : ["ClusterRole"];
  if (!kinds.includes(ref.kind)) errs.push(field.notSupported("roleRef.kind", ref.kind, kinds));
  if (!ref.name) errs.push(field.required("roleRef.name"));
  (b.subjects ?? []).forEach((s, i) => {
    const p = `subjects[${i}]`;
    if (!["User", "Group", "ServiceAccount"].includes(s?.kind)) errs.push(field.notSupported(`${p}.kind`, s?.kind, ["ServiceAccount", "User", "Group"]));
    if (!s?.name) errs.push(field.required(`${p}.name`));
    if (s?.kind === "ServiceAccount" && !namespaced && !s.namespace) errs.push(field.required(`${p}.namespace`));
    if ((s?.kind === "User" || s?.kind === "Group") && s.apiGroup !== undefined && s.apiGroup !== RBAC_GROUP)
      errs.push(field.notSupported(`${p}.apiGroup`, s.apiGroup, [RBAC_GROUP]));
  });
  return errs;
}

/** A binding's roleRef never changes (Kubernetes: delete and recreate instead). */
function roleRefImmutable(o: KObject, old: KObject): FieldError[] {
  const a = (o as RoleBinding).roleRef,
    b = (old as RoleBinding).roleRef;
  return JSON.stringify(a) === JSON.stringify(b) ? [] : [field.invalid("roleRef", a, "cannot change roleRef")];
}

/** Defaults of a subject: User and Group subjects name the RBAC group, as the API server fills it. */
function defaultSubjects(o: KObject): void {
  for (const s of (o as RoleBinding).subjects ?? []) {
    if ((s.kind === "User" || s.kind === "Group") && s.apiGroup === undefined) s.apiGroup = RBAC_GROUP;
    if (s.kind === "ServiceAccount" && s.apiGroup === undefined) s.apiGroup = "";
  }
}

const rbac = gv(RBAC_GROUP, "v1");

export const rbacResources: Info[] = [
  {
    ...rbac,
    resource: "roles",
    singular: "role",
    kind: "Role",
    listKind: "RoleList",
    schema: rbacSchema.Role,
    namespaced: true,
    shortNames: [],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(true, (o) => validateRules((o as Role).rules, false), pathSegmentNameErrors),
  },
  {
    ...rbac,
    resource: "clusterroles",
    singular: "clusterrole",
    kind: "ClusterRole",
    listKind: "ClusterRoleList",
    schema: rbacSchema.ClusterRole,
    namespaced: false,
    shortNames: [],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(
      false,
      (o) => {
        const r = o as ClusterRole;
        const errs = validateRules(r.rules, true);
        (r.aggregationRule?.clusterRoleSelectors ?? []).forEach((s, i) => {
          errs.push(...validateSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`));
        });
        return errs;
      },
      pathSegmentNameErrors,
    ),
  },
  {
    ...rbac,
    resource: "rolebindings",
    singular: "rolebinding",
    kind: "RoleBinding",
    listKind: "RoleBindingList",
    schema: rbacSchema.RoleBinding,
    namespaced: true,
    shortNames: [],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(true, (o) => validateBinding(o as RoleBinding, true), pathSegmentNameErrors),
    validateUpdate: roleRefImmutable,
    applyDefaults: defaultSubjects,
  },
  {
    ...rbac,
    resource: "clusterrolebindings",
    singular: "clusterrolebinding",
    kind: "ClusterRoleBinding",
    listKind: "ClusterRoleBindingList",
    schema: rbacSchema.ClusterRoleBinding,
    namespaced: false,
    shortNames: [],
    hasStatus: false,
    gracefulDelete: false,
    validate: withMeta(false, (o) => validateBinding(o as RoleBinding, false), pathSegmentNameErrors),
    validateUpdate: roleRefImmutable,
    applyDefaults: defaultSubjects,
  },
];

/** What a review asks about (SubjectAccessReview spec and its self variant). */
export interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export interface AccessReviewSpec {
  resourceAttributes?: ResourceAttributes;
  nonResourceAttributes?: { path?: string; verb?: string };
  user?: string;
  groups?: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** A create-only review kind: never stored, answered with its status. */
const review = (group: string, resource: string, kind: string, schema: StructDef, namespaced = false): Info => ({
  ...gv(group, "v1"),
  resource,
  singular: resource.slice(0, -1),
  kind,
  listKind: `${kind}List`,
  schema,
  namespaced,
  shortNames: [],
  hasStatus: false,
  gracefulDelete: false,
  verbs: ["create"],
  virtual: true,
  validate: () => [],
});

export const reviewResources: Info[] = [
  review("authentication.k8s.io", "tokenreviews", "TokenReview", reviewSchema.TokenReview),
  review("authentication.k8s.io", "selfsubjectreviews", "SelfSubjectReview", reviewSchema.SelfSubjectReview),
  review("authorization.k8s.io", "localsubjectaccessreviews", "LocalSubjectAccessReview", reviewSchema.LocalSubjectAccessReview, true),
  review("authorization.k8s.io", "selfsubjectaccessreviews", "SelfSubjectAccessReview", reviewSchema.SelfSubjectAccessReview),
  review("authorization.k8s.io", "selfsubjectrulesreviews", "SelfSubjectRulesReview", reviewSchema.SelfSubjectRulesReview),
  review("authorization.k8s.io", "subjectaccessreviews", "SubjectAccessReview", reviewSchema.SubjectAccessReview),
];
