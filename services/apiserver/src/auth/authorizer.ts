// Who may call what on the internal gRPC API, decided from the caller's certificate before a
// handler runs: system:masters (admins) and the control-plane components may do everything;
// nodes go through the Node authorizer; any other identity of the cluster CA is Forbidden.
import type { Logger } from "@skiff/log";
import { ForbiddenError, isNotFound, UnauthorizedError, type Pod } from "@skiff/api";
import { authorizingInterceptor, MASTERS_GROUP, APISERVER_USER } from "@skiff/client";
import type { ServerInterceptor } from "@grpc/grpc-js";
import { attributesOf } from "./attributes.js";
import { nodeNameOf } from "./identity.js";
import { nodeAuthorizer, type NodeGraph } from "./node-authorizer.js";

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
    pod: async (ns, name) => (await r.get("pods", ns, name).catch((err) => { if (isNotFound(err)) return undefined; throw err; })) as Pod | undefined,
    podsOn: async (node, ns) => (await r.list("pods", { namespace: ns, fieldSelector: `spec.nodeName=${node}` })).items as Pod[],
  };
}

/** The gRPC interceptor that authorizes every ResourceService call. */
export function resourceAuthorization(graph: NodeGraph, log: Logger): ServerInterceptor {
  const nodes = nodeAuthorizer(graph);
  return authorizingInterceptor(async (method, id, request) => {
    if (!id) throw new UnauthorizedError("a client certificate of the cluster CA is required");
    if (id.groups.includes(MASTERS_GROUP) || CONTROL_PLANE_USERS.has(id.user)) return;
    const node = nodeNameOf(id);
    const a = attributesOf(method, request as never);
    if (node) return nodes(node, a);
    throw new ForbiddenError(`User "${id.user}" cannot ${a.verb} resource "${a.resource}": no role grants it`);
  }, {
    onDenied: (method, id, err) => log.warn({ method, user: id?.user, reason: (err as Error).message }, "call refused"),
  });
}
