// core/v1 Service (spec and ports), Endpoints and discovery/v1 EndpointSlice.
import { bool, f, free, int32, intOrString, listOf, mergeBy, opaque, pkg, ptr, req, str, strMap, struct } from "./dsl.js";
import { kind } from "./meta.js";

const core = pkg.core;

export const ServicePort = struct(core, "ServicePort", "ServicePort contains information on service's port.", {
  name: f(str, 1, "The name of this port within the service."),
  protocol: f(str, 2, 'The IP protocol for this port. Supports "TCP", "UDP", and "SCTP".'),
  port: f(int32, 3, "The port that will be exposed by this service.", req),
  targetPort: f(intOrString, 4, "Number or name of the port to access on the pods targeted by the service."),
  nodePort: f(int32, 5, "The port on each node on which this service is exposed when type is NodePort or LoadBalancer."),
  appProtocol: f(str, 6, "The application protocol for this port.", ptr),
});

const SessionAffinityConfig = opaque(core, "SessionAffinityConfig", {
  clientIP: f(opaque(core, "ClientIPConfig", { timeoutSeconds: f(int32, 1, undefined, ptr) }), 1),
});

export const ServiceSpec = struct(core, "ServiceSpec", "ServiceSpec describes the attributes that a user creates on a service.", {
  type: f(str, 4, "type determines how the Service is exposed. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer."),
  selector: f(strMap, 2, "Route service traffic to pods with label keys and values matching this selector."),
  ports: f(listOf(ServicePort), 1, "The list of ports that are exposed by this service.", mergeBy("port")),
  clusterIP: f(str, 3, "clusterIP is the IP address of the service."),
  clusterIPs: f(listOf(str), 18, "ClusterIPs is a list of IP addresses assigned to this service."),
  externalName: f(str, 10, "externalName is the external reference that discovery mechanisms will return as an alias for this service."),
  sessionAffinity: f(str, 7, 'Supports "ClientIP" and "None".'),
  sessionAffinityConfig: f(SessionAffinityConfig, 14, "sessionAffinityConfig contains the configurations of session affinity."),
  externalTrafficPolicy: f(
    str,
    11,
    'externalTrafficPolicy describes how nodes distribute service traffic they receive on one of the Service\'s "externally-facing" addresses.',
  ),
  internalTrafficPolicy: f(str, 22, "InternalTrafficPolicy describes how nodes distribute service traffic they receive on the ClusterIP.", ptr),
  publishNotReadyAddresses: f(
    bool,
    13,
    "publishNotReadyAddresses indicates that any agent which deals with endpoints for this Service should disregard any indications of ready/not-ready.",
  ),
  ipFamilies: f(listOf(str), 19, "IPFamilies is a list of IP families assigned to this service."),
  ipFamilyPolicy: f(str, 17, "IPFamilyPolicy represents the dual-stack-ness requested or required by this Service.", ptr),
  externalIPs: f(listOf(str), 5, "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service."),
  loadBalancerIP: f(str, 8, "Only applies to Service Type: LoadBalancer."),
  loadBalancerSourceRanges: f(
    listOf(str),
    9,
    "If specified and supported by the platform, traffic through the load balancer will be restricted to the specified client IPs.",
  ),
  healthCheckNodePort: f(int32, 12, "healthCheckNodePort specifies the healthcheck nodePort for the service."),
  allocateLoadBalancerNodePorts: f(
    bool,
    20,
    "allocateLoadBalancerNodePorts defines if NodePorts will be automatically allocated for services with type LoadBalancer.",
    ptr,
  ),
  loadBalancerClass: f(str, 21, "loadBalancerClass is the class of the load balancer implementation this Service belongs to.", ptr),
  trafficDistribution: f(str, 23, "TrafficDistribution offers a way to express preferences for how traffic is distributed to Service endpoints.", ptr),
});

export const Service = kind(core, "Service", { spec: f(ServiceSpec, 2), status: f(free, undefined) });

export const Endpoints = kind(core, "Endpoints", { subsets: f(listOf(free), undefined, "The set of all endpoints is the union of all subsets.") });

export const EndpointSlice = kind(pkg.discovery, "EndpointSlice", {
  addressType: f(str, undefined, "addressType specifies the type of address carried by this EndpointSlice."),
  endpoints: f(listOf(free), undefined, "endpoints is a list of unique endpoints in this slice."),
  ports: f(listOf(free), undefined, "ports specifies the list of network ports exposed by each endpoint in this slice."),
});
