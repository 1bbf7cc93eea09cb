// DefaultIngressClass admission: a new Ingress that names no class (neither
// spec.ingressClassName nor the legacy kubernetes.io/ingress.class annotation) gets the class
// marked ingressclass.kubernetes.io/is-default-class=true (the newest, if several), as in Kubernetes.
import type { KObject } from "@skiff/api";
import type { MutatingPlugin } from "./chain.js";

const DEFAULT_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";

export function defaultIngressClass(listClasses: () => Promise<KObject[]>): MutatingPlugin {
  return {
    name: "DefaultIngressClass",
    handles: (a) => a.operation === "CREATE" && a.subresource === "" && a.resource.group === "networking.k8s.io" && a.resource.resource === "ingresses",
    async admit(a) {
      const ing = a.object as KObject & { spec?: { ingressClassName?: string } };
      if (ing.spec?.ingressClassName || ing.metadata.annotations?.["kubernetes.io/ingress.class"]) return;
      const def = (await listClasses())
        .filter((c) => c.metadata.annotations?.[DEFAULT_ANNOTATION] === "true")
        .sort((x, y) => (y.metadata.creationTimestamp ?? "").localeCompare(x.metadata.creationTimestamp ?? ""))[0];
      if (def) ing.spec = { ...(ing.spec ?? {}), ingressClassName: def.metadata.name };
    },
  };
}
