// Authorization of API requests: members of system:masters, then RBAC (and, for node
// identities, the Node authorizer when it is added to the chain). A denial is a 403 worded
// as Kubernetes words it.
import { ForbiddenError } from "@skiff/api";
import { forbiddenMessage, superuserAuthorizer, unionAuthorizer, type Attributes, type Authorizer, type Decision } from "./attributes.js";
import { RbacAuthorizer } from "./rbac/authorizer.js";
import type { PolicySource } from "./rbac/cache.js";

export type { Attributes, Authorizer, Decision };
export { forbiddenMessage, RbacAuthorizer };

/** The apiserver's authorizer and its RBAC part (which SelfSubjectRulesReview and escalation checks read). */
export class ApiAuthorizer {
  readonly rbac: RbacAuthorizer;
  private readonly chain: Authorizer;

  constructor(policy: PolicySource, extra: Authorizer[] = []) {
    this.rbac = new RbacAuthorizer(policy);
    this.chain = unionAuthorizer(superuserAuthorizer, ...extra, this.rbac);
  }

  authorize(a: Attributes): Decision {
    return this.chain.authorize(a);
  }

  /** Throws Forbidden unless the request is allowed. */
  check(a: Attributes): void {
    const d = this.authorize(a);
    if (d.decision === "allow") return;
    throw new ForbiddenError(
      forbiddenMessage(a, d.decision === "deny" ? d.reason : ""),
      a.resourceRequest ? { name: a.name, group: a.apiGroup, kind: a.resource } : undefined,
    );
  }
}
