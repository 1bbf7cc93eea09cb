// The review APIs, answered and never stored: TokenReview and SelfSubjectReview
// (authentication.k8s.io) — `kubectl auth whoami`; SubjectAccessReview, LocalSubjectAccessReview,
// SelfSubjectAccessReview and SelfSubjectRulesReview (authorization.k8s.io) — `kubectl auth can-i`.
import { BadRequestError, MethodNotAllowedError, apiVersionOf, type AccessReviewSpec, type KObject, type PolicyRule } from "@skiff/api";
import type { Attributes } from "../../auth/authz/attributes.js";
import type { UserInfo } from "../../auth/user.js";
import { readObjectBody } from "../handlers/body.js";
import type { RequestScope } from "../handlers/scope.js";
import { sendJson } from "../http/respond.js";

/** Serves a POST to a review resource. */
export async function handleReview(s: RequestScope): Promise<void> {
  if ((s.req.method ?? "GET") !== "POST" || s.name) throw new MethodNotAllowedError(`the server does not allow this method on ${s.info.resource}`);
  const body = (await readObjectBody(s.req, s.info.kind)).obj as KObject & { spec?: Record<string, unknown> };
  const user = s.user ?? { name: "system:anonymous", groups: [] };
  const spec = (body.spec ?? {}) as AccessReviewSpec & { token?: string; audiences?: string[]; namespace?: string };
  let status: unknown;
  switch (s.info.resource) {
    case "selfsubjectreviews":
      status = { userInfo: { username: user.name, groups: user.groups } };
      break;
    case "tokenreviews": {
      if (!spec.token) throw new BadRequestError("spec.token: Required value");
      const who = await s.ctx.authn?.check(spec.token);
      status = who
        ? { authenticated: true, user: { username: who.name, groups: who.groups }, audiences: spec.audiences ?? [] }
        : { authenticated: false, error: "invalid bearer token" };
      break;
    }
    case "selfsubjectaccessreviews":
      status = access(s, user, spec);
      break;
    case "subjectaccessreviews":
    case "localsubjectaccessreviews": {
      if (!spec.user && !spec.groups?.length) throw new BadRequestError("spec.user: Invalid value: at least one of user or group must be specified");
      const ns = spec.resourceAttributes?.namespace;
      if (s.info.resource === "localsubjectaccessreviews" && spec.resourceAttributes && ns !== s.namespace) {
        throw new BadRequestError(`spec.resourceAttributes.namespace: Invalid value: ${JSON.stringify(ns ?? "")}: must match metadata.namespace`);
      }
      status = access(s, { name: spec.user ?? "", groups: spec.groups ?? [] }, spec);
      break;
    }
    case "selfsubjectrulesreviews":
      status = rules(s, user, spec.namespace);
      break;
    default:
      throw new MethodNotAllowedError(`${s.info.resource} cannot be created`);
  }
  const metadata = { ...(body.metadata ?? {}), creationTimestamp: null };
  sendJson(s.res, 201, { apiVersion: apiVersionOf(s.info), kind: s.info.kind, metadata, spec: body.spec ?? {}, status });
}

function access(s: RequestScope, user: UserInfo, spec: AccessReviewSpec): { allowed: boolean; denied?: boolean; reason?: string } {
  let a: Attributes;
  if (spec.resourceAttributes) {
    const r = spec.resourceAttributes;
    a = {
      user,
      verb: r.verb ?? "",
      resourceRequest: true,
      apiGroup: r.group ?? "",
      resource: r.resource ?? "",
      subresource: r.subresource || undefined,
      namespace: r.namespace || undefined,
      name: r.name || undefined,
    };
  } else if (spec.nonResourceAttributes) {
    a = { user, verb: spec.nonResourceAttributes.verb ?? "", resourceRequest: false, path: spec.nonResourceAttributes.path ?? "" };
  } else {
    throw new BadRequestError("spec: Invalid value: exactly one of nonResourceAttributes or resourceAttributes must be specified");
  }
  if (!s.ctx.authz) return { allowed: true, reason: "authorization is off" };
  const d = s.ctx.authz.authorize(a);
  return { allowed: d.decision === "allow", ...(d.decision === "deny" ? { denied: true } : {}), ...(d.reason ? { reason: d.reason } : {}) };
}

function rules(s: RequestScope, user: UserInfo, namespace: string | undefined) {
  if (!s.ctx.authz)
    return {
      resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }],
      nonResourceRules: [{ verbs: ["*"], nonResourceURLs: ["*"] }],
      incomplete: false,
    };
  const held: PolicyRule[] = s.ctx.authz.rbac.rulesFor(user, namespace || undefined);
  // system:masters is allowed everything by the superuser authorizer, whatever its bindings.
  if (user.groups.includes("system:masters")) held.push({ verbs: ["*"], apiGroups: ["*"], resources: ["*"] }, { verbs: ["*"], nonResourceURLs: ["*"] });
  return {
    resourceRules: held
      .filter((r) => !r.nonResourceURLs?.length)
      .map((r) => ({
        verbs: r.verbs,
        apiGroups: r.apiGroups ?? [],
        resources: r.resources ?? [],
        ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}),
      })),
    nonResourceRules: held.filter((r) => r.nonResourceURLs?.length).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs })),
    incomplete: false,
  };
}
