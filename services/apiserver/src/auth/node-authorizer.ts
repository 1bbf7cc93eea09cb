// The Node authorizer (Kubernetes' Node authorizer + NodeRestriction in one): a node's identity
// may read the pods bound to it and the Secrets, ConfigMaps and claims those pods reference,
// read what every kubelet/kube-proxy reads (nodes, services, endpoints, volumes, classes),
// write only its own Node, its pods' status (and their final delete), the mirror pods of what
// it runs itself (mirror-pods.ts, as NodeRestriction allows), Events, and the
// local-path volumes it provisions; what its Ingress controller needs (read Ingresses,
// IngressClasses and TLS Secrets, write Ingress status, create its class and Service); and ask for tokens of its pods' service accounts, bound to
// those pods. Everything else is Forbidden.
import { ForbiddenError, type Pod } from "@skiff/api";
import type { RequestAttributes } from "./attributes.js";
import { podReferences, type PodReferences } from "./pod-refs.js";
import { mirrorPodCreate } from "./mirror-pods.js";

/** How the authorizer sees the cluster (the registry in the apiserver, a fake in tests). */
export interface NodeGraph {
  /** A pod, or undefined when it does not exist. */
  pod(namespace: string, name: string): Promise<Pod | undefined>;
  /** The pods bound to `node` in `namespace`. */
  podsOn(node: string, namespace: string): Promise<Pod[]>;
  /** A Node's uid, or undefined when it does not exist (mirror pods' owner references are checked against it). */
  nodeUid(name: string): Promise<string | undefined>;
}

const READ = new Set(["get", "list", "watch"]);
/** Read by every node (kubelet, its proxy and DNS). */
const READABLE = new Set([
  "nodes",
  "services",
  "endpoints",
  "endpointslices",
  "namespaces",
  "persistentvolumes",
  "storageclasses",
  "ingresses",
  "ingressclasses",
]);
/** What the node's Ingress controller (services/ingress, run with the node's identity) creates at start. */
const INGRESS_BOOTSTRAP = { ingressClass: "skiff", service: { namespace: "kube-system", name: "skiff-ingress" } };
/** Reachable only through a pod bound to the node. */
const REFERENCED = new Set<keyof PodReferences>(["secrets", "configmaps", "persistentvolumeclaims"]);

/** The names in a field selector "a=b,c=d" (only equality terms). */
function selectorTerm(fieldSelector: string | undefined, field: string): string | undefined {
  for (const t of (fieldSelector ?? "").split(",")) {
    const m = /^\s*([\w.]+)\s*==?\s*(\S*)\s*$/.exec(t);
    if (m && m[1] === field) return m[2];
  }
  return undefined;
}

/** Builds the authorizer; the returned function throws Forbidden or resolves. */
export function nodeAuthorizer(graph: NodeGraph): (node: string, a: RequestAttributes) => Promise<void> {
  return async (node, a) => {
    const user = `system:node:${node}`;
    const sub = a.subresource ? `/${a.subresource}` : "";
    const deny = (why: string): never => {
      const what = a.name ? `${a.resource} "${a.name}"` : a.resource || "this call";
      throw new ForbiddenError(
        `${what} is forbidden: User "${user}" cannot ${a.verb} resource "${a.resource}${sub}"${a.namespace ? ` in the namespace "${a.namespace}"` : ""}: ${why}`,
      );
    };
    const boundHere = async (ns: string | undefined, name: string | undefined) => {
      const p = ns && name ? await graph.pod(ns, name) : undefined;
      return p?.spec?.nodeName === node;
    };
    switch (a.resource) {
      case "nodes":
        if (READ.has(a.verb) && !a.subresource) return;
        if ((a.verb === "create" || a.verb === "update") && a.name === node) return;
        return deny(a.verb === "delete" ? "a node may not delete Node objects" : `a node may only modify its own Node (${node})`);
      case "pods": {
        if (a.verb === "list" || a.verb === "watch") {
          if (selectorTerm(a.fieldSelector, "spec.nodeName") === node) return;
          return deny(`a node may only list and watch the pods bound to it (fieldSelector spec.nodeName=${node})`);
        }
        if ((a.verb === "get" && !a.subresource) || (a.verb === "update" && a.subresource === "status") || (a.verb === "delete" && !a.subresource)) {
          if (await boundHere(a.namespace, a.name)) return;
          return deny(`no relationship found between node '${node}' and this object`);
        }
        if (a.verb === "create" && !a.subresource) {
          const why = await mirrorPodCreate(node, a.object, () => graph.nodeUid(node));
          if (!why) return;
          return deny(why);
        }
        return deny("a node may only read its pods, write their status, create their mirror pods and delete them once terminated");
      }
      case "events":
        if (a.verb === "create" || a.verb === "update" || a.verb === "get") return;
        return deny("a node may only create and update Events");
      // The node's Ingress controller: its class and Service at start, Ingress status, TLS Secrets.
      case "ingresses":
        if (READ.has(a.verb) && !a.subresource) return;
        if (a.verb === "update" && a.subresource === "status") return;
        return deny("a node may only read Ingresses and write their status");
      case "ingressclasses":
        if (READ.has(a.verb) || (a.verb === "create" && a.name === INGRESS_BOOTSTRAP.ingressClass)) return;
        return deny(`a node may only read IngressClasses and create "${INGRESS_BOOTSTRAP.ingressClass}"`);
      case "services":
        if (READ.has(a.verb) && !a.subresource) return;
        if (a.verb === "create" && a.namespace === INGRESS_BOOTSTRAP.service.namespace && a.name === INGRESS_BOOTSTRAP.service.name) return;
        return deny("a node may only read Services (and create its Ingress controller's)");
      case "serviceaccounts": {
        // A node may ask for a token of an account only bound to one of its pods that runs as it.
        if (a.verb !== "create" || a.subresource !== "token") return deny("a node may only request tokens for its pods' service accounts");
        const ref = (a.object as { spec?: { boundObjectRef?: { kind?: string; name?: string } } } | undefined)?.spec?.boundObjectRef;
        if (ref?.kind !== "Pod" || !ref.name) return deny("a node's token requests must be bound to a pod (spec.boundObjectRef)");
        const p = a.namespace ? await graph.pod(a.namespace, ref.name) : undefined;
        if (p?.spec?.nodeName === node && ((p.spec as { serviceAccountName?: string }).serviceAccountName || "default") === a.name) return;
        return deny(`no relationship found between node '${node}' and this object`);
      }
      case "persistentvolumes":
        // The node's local-path provisioner creates volumes and its reclaimer deletes them.
        if (READ.has(a.verb) || a.verb === "create" || a.verb === "delete") return;
        return deny("a node may only read, provision and reclaim volumes");
    }
    // The Ingress controller serves TLS Secrets (kubernetes.io/tls) named by any Ingress.
    if (a.resource === "secrets" && (a.verb === "list" || a.verb === "watch") && selectorTerm(a.fieldSelector, "type") === "kubernetes.io/tls") return;
    if (REFERENCED.has(a.resource as keyof PodReferences)) {
      if (!READ.has(a.verb) || a.subresource) return deny(`a node may only read ${a.resource}`);
      const name = a.verb === "get" ? a.name : selectorTerm(a.fieldSelector, "metadata.name");
      if (!a.namespace || !name)
        return deny(`a node may only ${a.verb} ${a.resource} by name (namespace and fieldSelector metadata.name=<name>) that its pods reference`);
      const pods = await graph.podsOn(node, a.namespace);
      if (pods.some((p) => podReferences(p)[a.resource as keyof PodReferences].has(name))) return;
      return deny(`no relationship found between node '${node}' and this object`);
    }
    if (READABLE.has(a.resource) && READ.has(a.verb)) return;
    return deny("not allowed for nodes");
  };
}
