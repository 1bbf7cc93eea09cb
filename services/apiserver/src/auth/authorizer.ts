// Who may call what on the internal gRPC API, decided from the caller's certificate before a
// handler runs: system:masters (admins) and the apiserver itself may do everything; nodes go
// through the Node authorizer; every other identity — the scheduler and controller-manager
// (system:kube-scheduler, system:kube-controller-manager, bound to their least-privilege
// bootstrap roles) and users — through RBAC, as on the REST API.
import type { Logger } from "@skiff/log";
import { ForbiddenError, isNotFound, UnauthorizedError, type Pod, type ResourceRegistry } from "@skiff/api";
import { authorizingInterceptor, MASTERS_GROUP, APISERVER_USER, type CallCheck, type Identity } from "@skiff/client";
import type { ServerInterceptor } from "@grpc/grpc-js";
import { attributesOf, type RequestAttributes } from "./attributes.js";
import { nodeNameOf } from "./identity.js";
import { nodeAuthorizer, type NodeGraph } from "./node-authorizer.js";
import type { Attributes } from "./authz/attributes.js";

/** Users of the control-plane components (their certificates' CN). */
export const CONTROL_PLANE_USERS = new Set([APISERVER_USER, "system:kube-scheduler", "system:kube-controller-manager"]);

/** The registry calls the Node authorizer needs. */
export interface PodReader {
  get(resource: string, namespace: string | undefined, name: string): Promise<unknown>;
  list(resource: string, o: { namespace?: string; fieldSelector?: string }): Promise<{ items: unknown[] }>;
}

/** The NodeGraph over the registry (its watch cache answers these reads). */
export function registryGraph(r: PodReader): NodeGraph {
  return {
    pod: async (ns, name) =>
      (await r.get("pods", ns, name).catch((err) => {
        if (isNotFound(err)) return undefined;
        throw err;
      })) as Pod | undefined,
    podsOn: async (node, ns) => (await r.list("pods", { namespace: ns, fieldSelector: `spec.nodeName=${node}` })).items as Pod[],
    nodeUid: async (name) =>
      (
        (await r.get("nodes", undefined, name).catch((err) => {
          if (isNotFound(err)) return undefined;
          throw err;
        })) as { metadata?: { uid?: string } } | undefined
      )?.metadata?.uid,
  };
}

/** Decides a gRPC call by RBAC; throws Forbidden (Kubernetes' wording) when no role allows it. */
export type CallRbac = (id: Identity, a: RequestAttributes) => void;

/** RBAC for gRPC calls: the call's attributes in the REST API's terms (API group, plural resource, scope). */
export function rbacForCalls(authz: { check(a: Attributes): void }, resources: ResourceRegistry): CallRbac {
  return (id, a) => {
    const info = resources.find(a.resource);
    authz.check({
      user: { name: id.user, groups: [...new Set([...id.groups, "system:authenticated"])] },
      verb: a.verb,
      resourceRequest: true,
      apiGroup: info?.group ?? "",
      resource: info?.resource ?? a.resource,
      subresource: a.subresource,
      // A create names no object to the authorizer (resourceNames cannot restrict creates), as in Kubernetes.
      namespace: info && !info.namespaced ? undefined : a.namespace,
      name: a.verb === "create" && !a.subresource ? undefined : a.name,
    });
  };
}

/** What a gRPC call may do, decided as the interceptor decides it; Multiplex also decides each call it carries with this. */
export interface CallAuthorization {
  interceptor: ServerInterceptor;
  /** Decides one call (method, caller, request); throws Unauthorized or Forbidden. */
  check: CallCheck;
  /** Logs a refusal. */
  onDenied(method: string, id: Identity | undefined, err: unknown): void;
}

/** Authorizes every ResourceService call (`rbac` undefined: authorization mode AlwaysAllow). */
export function resourceAuthorization(graph: NodeGraph, log: Logger, rbac?: CallRbac): CallAuthorization {
  const nodes = nodeAuthorizer(graph);
  const check: CallCheck = async (method, id, request) => {
    if (!id) throw new UnauthorizedError("a client certificate of the cluster CA is required");
    if (id.groups.includes(MASTERS_GROUP) || id.user === APISERVER_USER) return;
    // The stream is anyone's with a certificate: each call on it is decided by this check (grpc/multiplex.ts).
    if (method === "Multiplex") return;
    const node = nodeNameOf(id);
    const a = attributesOf(method, request as never);
    if (node) return nodes(node, a);
    if (rbac) return rbac(id, a);
    // AlwaysAllow: the components as before; any other identity has no business on this port.
    if (CONTROL_PLANE_USERS.has(id.user)) return;
    throw new ForbiddenError(`User "${id.user}" cannot ${a.verb} resource "${a.resource}": no role grants it`);
  };
  const onDenied = (method: string, id: Identity | undefined, err: unknown) =>
    log.warn({ method, user: id?.user, reason: (err as Error).message }, "call refused");
  return { interceptor: authorizingInterceptor(check, { onDenied }), check, onDenied };
}
