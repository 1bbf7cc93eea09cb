// rbac.authorization.k8s.io/v1: roles (policy rules) and the bindings of roles to subjects.
import { f, listOf, pkg, req, str, struct } from "./dsl.js";
import { kind, LabelSelector } from "./meta.js";

const rbac = pkg.rbac;

export const PolicyRule = struct(
  rbac,
  "PolicyRule",
  "PolicyRule holds information that describes a policy rule, but does not contain information about who the rule applies to or which namespace the rule applies to.",
  {
    verbs: f(listOf(str), 1, "Verbs is a list of Verbs that apply to ALL the ResourceKinds contained in this rule. '*' represents all verbs.", req),
    apiGroups: f(
      listOf(str),
      2,
      'APIGroups is the name of the APIGroup that contains the resources. "" represents the core API group and "*" represents all API groups.',
    ),
    resources: f(listOf(str), 3, "Resources is a list of resources this rule applies to. '*' represents all resources."),
    resourceNames: f(
      listOf(str),
      4,
      "ResourceNames is an optional white list of names that the rule applies to. An empty set means that everything is allowed.",
    ),
    nonResourceURLs: f(
      listOf(str),
      5,
      "NonResourceURLs is a set of partial urls that a user should have access to. *s are allowed, but only as the full, final step in the path.",
    ),
  },
);

export const AggregationRule = struct(rbac, "AggregationRule", "AggregationRule describes how to locate ClusterRoles to aggregate into the ClusterRole.", {
  clusterRoleSelectors: f(
    listOf(LabelSelector),
    1,
    "ClusterRoleSelectors holds a list of selectors which will be used to find ClusterRoles and create the rules.",
  ),
});

export const Subject = struct(rbac, "Subject", "Subject contains a reference to the object or user identities a role binding applies to.", {
  kind: f(str, 1, 'Kind of object being referenced: "User", "Group" or "ServiceAccount".', req),
  apiGroup: f(
    str,
    2,
    'APIGroup holds the API group of the referenced subject: "" for ServiceAccount subjects, "rbac.authorization.k8s.io" for User and Group subjects.',
  ),
  name: f(str, 3, "Name of the object being referenced.", req),
  namespace: f(str, 4, "Namespace of the referenced object (ServiceAccount subjects)."),
});

export const RoleRef = struct(rbac, "RoleRef", "RoleRef contains information that points to the role being used.", {
  apiGroup: f(str, 1, "APIGroup is the group for the resource being referenced.", req),
  kind: f(str, 2, "Kind is the type of resource being referenced: Role or ClusterRole.", req),
  name: f(str, 3, "Name is the name of resource being referenced.", req),
});

export const Role = kind(rbac, "Role", { rules: f(listOf(PolicyRule), 2, "Rules holds all the PolicyRules for this Role.") });
export const ClusterRole = kind(rbac, "ClusterRole", {
  rules: f(listOf(PolicyRule), 2, "Rules holds all the PolicyRules for this ClusterRole."),
  aggregationRule: f(
    AggregationRule,
    3,
    "AggregationRule is an optional field that describes how to build the Rules for this ClusterRole (the controller-filled rules of the matched ClusterRoles).",
  ),
});

const binding = (name: string) =>
  kind(rbac, name, {
    subjects: f(listOf(Subject), 2, "Subjects holds references to the objects the role applies to."),
    roleRef: f(RoleRef, 3, "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. It cannot be changed."),
  });
export const RoleBinding = binding("RoleBinding");
export const ClusterRoleBinding = binding("ClusterRoleBinding");
