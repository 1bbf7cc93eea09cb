// The apiserver's admission plugins, in order: mutating (allocation, defaults), then validating
// (namespace lifecycle). New policies (quota, limit ranges, pod security, RBAC-aware checks) are
// added here and nowhere else.
import type { KObject, PolicyRule, RoleRef, StorageClass } from "@skiff/api";
import type { ServiceAllocator } from "../allocation/allocator.js";
import { AdmissionChain } from "./chain.js";
import { namespaceLifecycle } from "./namespace-lifecycle.js";
import { serviceAllocation } from "./service-allocation.js";
import { defaultStorageClass } from "./storage-class.js";
import { rbacEscalation } from "./rbac-escalation.js";
import type { ApiAuthorizer } from "../auth/authz/index.js";

/** What plugins may read (the registry itself, once built). */
export interface AdmissionReader {
  get(resource: string, namespace: string | undefined, name: string): Promise<KObject>;
  list(resource: string): Promise<{ items: KObject[] }>;
}

/** Dependencies of the plugins. */
export interface AdmissionDeps {
  allocator: ServiceAllocator;
  /** The apiserver's authorizer (RBAC escalation checks); absent → no escalation checks. */
  authz?: ApiAuthorizer;
}

/** The rules of the role a binding refers to, as the authorizer sees them. */
function roleRules(authz: ApiAuthorizer): (namespace: string, ref: RoleRef) => PolicyRule[] {
  return (namespace, ref) => (ref.kind === "Role" ? authz.rbac.roleRules(namespace, ref.name) : authz.rbac.clusterRoleRules(ref.name));
}

/** Builds the chain of one apiserver. */
export function admissionChain(read: AdmissionReader, deps: AdmissionDeps): AdmissionChain {
  return new AdmissionChain(
    [
      serviceAllocation(deps.allocator),
      defaultStorageClass(async () => (await read.list("storageclasses")).items as StorageClass[]),
    ],
    [
      namespaceLifecycle((name) => read.get("namespaces", undefined, name).then((o): KObject | undefined => o, () => undefined)),
      ...(deps.authz ? [rbacEscalation(deps.authz, roleRules(deps.authz))] : []),
    ],
  );
}

export { AdmissionChain } from "./chain.js";
export type { AdmissionAttributes, Completion, MutatingPlugin, Outcome, ValidatingPlugin } from "./chain.js";
