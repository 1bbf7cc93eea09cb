// The apiserver's admission plugins, in order: mutating (allocation, defaults, service
// accounts, limit ranges, pod security, quota), then validating (namespace lifecycle, RBAC
// escalation). A new policy is one file here and one line in this list.
import type { KObject, LimitRange, PolicyRule, ResourceQuota, RoleRef, StorageClass } from "@skiff/api";
import type { ServiceAllocator } from "../allocation/allocator.js";
import { AdmissionChain } from "./chain.js";
import { namespaceLifecycle } from "./namespace-lifecycle.js";
import { serviceAllocation } from "./service-allocation.js";
import { defaultStorageClass } from "./storage-class.js";
import { defaultIngressClass } from "./default-ingress-class.js";
import { rbacEscalation } from "./rbac-escalation.js";
import { limitRanger } from "./limit-ranger.js";
import { serviceAccountAdmission } from "./service-account.js";
import { priorityAdmission } from "./priority.js";
import { podSecurity } from "./pod-security.js";
import type { Logger } from "@skiff/log";
import { resourceQuota, type QuotaStore } from "./resource-quota.js";
import type { LiveIndex } from "../registry/live-index.js";
import type { ApiAuthorizer } from "../auth/authz/index.js";

/** What plugins may read and write (the registry itself, once built). */
export interface AdmissionReader {
  get(resource: string, namespace: string | undefined, name: string): Promise<KObject>;
  list(resource: string, opts?: { namespace?: string }): Promise<{ items: KObject[] }>;
  update(resource: string, namespace: string | undefined, name: string, tryUpdate: (cur: KObject) => KObject, opts: { subresource?: string }): Promise<KObject>;
  /** get and list from the watch cache (may be a moment stale), when the reader has one. */
  getCached?(resource: string, namespace: string | undefined, name: string): Promise<KObject>;
  listCached?(resource: string, opts?: { namespace?: string }): Promise<{ items: KObject[] }>;
}

/**
 * The lookups of plugins that only check or default (namespace, service account, priority and
 * class defaults): from the watch cache, as Kubernetes' admission plugins read informers, which
 * saves store round trips on every create. Quota usage keeps consistent reads.
 */
function lookups(read: AdmissionReader): Pick<AdmissionReader, "get" | "list"> {
  return {
    get: (resource, ns, name) => (read.getCached ? read.getCached(resource, ns, name) : read.get(resource, ns, name)),
    list: (resource, opts) => (read.listCached ? read.listCached(resource, opts) : read.list(resource, opts)),
  };
}

/** Dependencies of the plugins. */
export interface AdmissionDeps {
  allocator: ServiceAllocator;
  /** The namespace policies, kept in memory: limit ranges and quotas. */
  limitRanges: LiveIndex<LimitRange>;
  quotas: LiveIndex<ResourceQuota>;
  log: Logger;
  /** The apiserver's authorizer (RBAC escalation checks); absent → no escalation checks. */
  authz?: ApiAuthorizer;
}

/** Quotas from the index; usage read and written through the registry. */
function quotaStore(read: AdmissionReader, quotas: LiveIndex<ResourceQuota>): QuotaStore {
  return {
    quotas: async (ns) => quotas.inNamespace(ns),
    get: (ns, name) =>
      read.get("resourcequotas", ns, name).then(
        (o) => o as ResourceQuota,
        () => undefined,
      ),
    list: async (resource, ns) => (await read.list(resource, { namespace: ns })).items,
    updateStatus: async (ns, name, fn) => {
      await read.update("resourcequotas", ns, name, (cur) => fn(cur as ResourceQuota), { subresource: "status" });
    },
  };
}

/** The rules of the role a binding refers to, as the authorizer sees them. */
function roleRules(authz: ApiAuthorizer): (namespace: string, ref: RoleRef) => PolicyRule[] {
  return (namespace, ref) => (ref.kind === "Role" ? authz.rbac.roleRules(namespace, ref.name) : authz.rbac.clusterRoleRules(ref.name));
}

/** Builds the chain of one apiserver. */
export function admissionChain(read: AdmissionReader, deps: AdmissionDeps): AdmissionChain {
  const look = lookups(read);
  return new AdmissionChain(
    [
      serviceAllocation(deps.allocator),
      defaultStorageClass(async () => (await look.list("storageclasses")).items as StorageClass[]),
      defaultIngressClass(async () => (await look.list("ingressclasses")).items),
      priorityAdmission(look),
      serviceAccountAdmission((ns, name) =>
        look.get("serviceaccounts", ns, name).then(
          (o): KObject | undefined => o,
          () => undefined,
        ),
      ),
      limitRanger(async (ns) => deps.limitRanges.inNamespace(ns)),
      // After the defaults it may judge, before quota charges a pod it would refuse.
      podSecurity(
        (name) =>
          look.get("namespaces", undefined, name).then(
            (o): KObject | undefined => o,
            () => undefined,
          ),
        deps.log,
      ),
      // Last of the mutating plugins: it charges what the others filled in (limit-range defaults).
      resourceQuota(quotaStore(read, deps.quotas)),
    ],
    [
      namespaceLifecycle((name) =>
        look.get("namespaces", undefined, name).then(
          (o): KObject | undefined => o,
          () => undefined,
        ),
      ),
      ...(deps.authz ? [rbacEscalation(deps.authz, roleRules(deps.authz))] : []),
    ],
  );
}

export { AdmissionChain } from "./chain.js";
export type { AdmissionAttributes, Completion, MutatingPlugin, Outcome, ValidatingPlugin } from "./chain.js";
