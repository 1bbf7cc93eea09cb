// networking.k8s.io/v1 Ingress: spec (rules, backends, TLS) and status (the load balancer's
// addresses, written by Skiff's ingress controller). Field numbers as in Kubernetes' generated.proto.
import { embedded, f, int32, listOf, pkg, ptr, req, str, struct } from "./dsl.js";
import { kind, TypedLocalObjectReference } from "./meta.js";
import { portStatus } from "./service.js";

const net = pkg.networking;

const ServiceBackendPort = struct(net, "ServiceBackendPort", "ServiceBackendPort is the service port being referenced.", {
  name: f(str, 1, 'name is the name of the port on the Service. This is a mutually exclusive setting with "Number".'),
  number: f(int32, 2, 'number is the numerical port number (e.g. 80) on the Service. This is a mutually exclusive setting with "Name".'),
});
const IngressBackend = struct(net, "IngressBackend", "IngressBackend describes all endpoints for a given service and port.", {
  resource: f(
    TypedLocalObjectReference,
    3,
    "resource is an ObjectRef to another Kubernetes resource in the namespace of the Ingress object. Mutually exclusive with service.",
  ),
  service: f(
    struct(net, "IngressServiceBackend", "IngressServiceBackend references a Kubernetes Service as a Backend.", {
      name: f(str, 1, "name is the referenced service. The service must exist in the same namespace as the Ingress object.", req),
      port: f(ServiceBackendPort, 2, "port of the referenced service. A port name or port number is required for a IngressServiceBackend."),
    }),
    4,
    "service references a service as a backend. Mutually exclusive with resource.",
  ),
});
const HTTPIngressPath = struct(
  net,
  "HTTPIngressPath",
  "HTTPIngressPath associates a path with a backend. Incoming urls matching the path are forwarded to the backend.",
  {
    path: f(str, 1, "path is matched against the path of an incoming request; it must begin with a '/' (and, for Exact and Prefix, be a plain path)."),
    pathType: f(str, 3, "pathType determines the interpretation of the path matching: Exact, Prefix or ImplementationSpecific.", {
      required: true,
      pointer: true,
    }),
    backend: f(IngressBackend, 2, "backend defines the referenced service endpoint to which the traffic will be forwarded to.", req),
  },
);
const IngressRuleValue = struct(net, "IngressRuleValue", "IngressRuleValue represents a rule to apply against incoming requests.", {
  http: f(
    struct(net, "HTTPIngressRuleValue", "HTTPIngressRuleValue is a list of http selectors pointing to backends.", {
      paths: f(listOf(HTTPIngressPath), 1, "paths is a collection of paths that map requests to backends.", req),
    }),
    1,
    undefined,
  ),
});
const IngressRule = struct(net, "IngressRule", "IngressRule represents the rules mapping the paths under a specified host to the related backend services.", {
  host: f(str, 1, "host is the fully qualified domain name of a network host (a wildcard such as *.foo.com matches one DNS label). Empty matches all hosts."),
  ingressRuleValue: f(IngressRuleValue, 2, undefined, embedded),
});
const IngressTLS = struct(net, "IngressTLS", "IngressTLS describes the transport layer security associated with an ingress.", {
  hosts: f(listOf(str), 1, "hosts is a list of hosts included in the TLS certificate; they must match the names in tls secret."),
  secretName: f(str, 2, "secretName is the name of the secret used to terminate TLS traffic on port 443."),
});

export const IngressSpec = struct(net, "IngressSpec", "IngressSpec describes the Ingress the user wishes to exist.", {
  ingressClassName: f(str, 4, "ingressClassName is the name of an IngressClass cluster resource: the controller that implements this Ingress.", ptr),
  defaultBackend: f(IngressBackend, 1, "defaultBackend is the backend that should handle requests that don't match any rule."),
  tls: f(listOf(IngressTLS), 2, "tls represents the TLS configuration."),
  rules: f(
    listOf(IngressRule),
    3,
    "rules is a list of host rules used to configure the Ingress. If unspecified, or no rule matches, all traffic is sent to the default backend.",
  ),
});

const IngressStatus = struct(net, "IngressStatus", "IngressStatus describe the current state of the Ingress.", {
  loadBalancer: f(
    struct(net, "IngressLoadBalancerStatus", "IngressLoadBalancerStatus represents the status of a load-balancer.", {
      ingress: f(
        listOf(
          struct(net, "IngressLoadBalancerIngress", "IngressLoadBalancerIngress represents the status of a load-balancer ingress point.", {
            ip: f(str, 1, "ip is set for load-balancer ingress points that are IP based."),
            hostname: f(str, 2, "hostname is set for load-balancer ingress points that are DNS based."),
            ports: f(listOf(portStatus(net, "IngressPortStatus")), 4, "ports provides information about the ports exposed by this LoadBalancer."),
          }),
        ),
        1,
        "ingress is a list containing ingress points for the load-balancer.",
      ),
    }),
    1,
    "loadBalancer contains the current status of the load-balancer.",
  ),
});

export const Ingress = kind(net, "Ingress", { spec: f(IngressSpec, 2), status: f(IngressStatus, undefined) });

export const IngressClass = kind(net, "IngressClass", {
  spec: f(
    struct(net, "IngressClassSpec", "IngressClassSpec provides information about the class of an Ingress.", {
      controller: f(str, 1, 'controller refers to the name of the controller that should handle this class, such as "example.com/ingress-controller".'),
      parameters: f(
        struct(
          net,
          "IngressClassParametersReference",
          "IngressClassParametersReference identifies an API object, such as a CRD, for the controller's parameters.",
          {
            apiGroup: f(str, 1, "apiGroup is the group for the resource being referenced. If unspecified, the kind must be in the core API group.", ptr),
            kind: f(str, 2, "kind is the type of resource being referenced.", req),
            name: f(str, 3, "name is the name of resource being referenced.", req),
            scope: f(str, 4, 'scope represents if this refers to a cluster or namespace scoped resource: "Cluster" (default) or "Namespace".', ptr),
            namespace: f(str, 5, 'namespace is the namespace of the resource being referenced (required when scope is "Namespace").', ptr),
          },
        ),
        2,
        "parameters is a link to a custom resource containing additional configuration for the controller.",
      ),
    }),
    2,
  ),
});
