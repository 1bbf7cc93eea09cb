// networking.k8s.io/v1 Ingress: its messages are known to the protobuf decoder; the OpenAPI
// documents keep its spec free-form.
import { embedded, f, free, int32, listOf, opaque, pkg, ptr, str } from "./dsl.js";
import { kind } from "./meta.js";

const net = pkg.networking;

const IngressBackend = opaque(net, "IngressBackend", {
  resource: f(opaque(pkg.core, "TypedLocalObjectReference", { apiGroup: f(str, 1, undefined, ptr), kind: f(str, 2), name: f(str, 3) }), 3),
  service: f(
    opaque(net, "IngressServiceBackend", { name: f(str, 1), port: f(opaque(net, "ServiceBackendPort", { name: f(str, 1), number: f(int32, 2) }), 2) }),
    4,
  ),
});
const HTTPIngressPath = opaque(net, "HTTPIngressPath", { path: f(str, 1), backend: f(IngressBackend, 2), pathType: f(str, 3, undefined, ptr) });
const IngressRuleValue = opaque(net, "IngressRuleValue", { http: f(opaque(net, "HTTPIngressRuleValue", { paths: f(listOf(HTTPIngressPath), 1) }), 1) });
const IngressRule = opaque(net, "IngressRule", { host: f(str, 1), ingressRuleValue: f(IngressRuleValue, 2, undefined, embedded) });
const IngressTLS = opaque(net, "IngressTLS", { hosts: f(listOf(str), 1), secretName: f(str, 2) });

export const IngressSpec = opaque(net, "IngressSpec", {
  defaultBackend: f(IngressBackend, 1),
  tls: f(listOf(IngressTLS), 2),
  rules: f(listOf(IngressRule), 3),
  ingressClassName: f(str, 4, undefined, ptr),
});

export const Ingress = kind(net, "Ingress", { spec: f(IngressSpec, 2), status: f(free, undefined) });
