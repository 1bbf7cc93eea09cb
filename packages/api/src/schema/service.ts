// core/v1 Service (spec and ports), Endpoints and discovery/v1 EndpointSlice.
import { bool, f, int32, intOrString, listOf, mergeBy, pkg, ptr, req, str, strMap, struct } from "./dsl.js";
import { Condition, kind } from "./meta.js";
import { ObjectReference } from "./serviceaccounts.js";

const core = pkg.core;

export const ServicePort = struct(core, "ServicePort", "ServicePort contains information on service's port.", {
  name: f(str, 1, "The name of this port within the service."),
  protocol: f(str, 2, 'The IP protocol for this port. Supports "TCP", "UDP", and "SCTP".'),
  port: f(int32, 3, "The port that will be exposed by this service.", req),
  targetPort: f(intOrString, 4, "Number or name of the port to access on the pods targeted by the service."),
  nodePort: f(int32, 5, "The port on each node on which this service is exposed when type is NodePort or LoadBalancer."),
  appProtocol: f(str, 6, "The application protocol for this port.", ptr),
});

const SessionAffinityConfig = struct(core, "SessionAffinityConfig", "SessionAffinityConfig represents the configurations of session affinity.", {
  clientIP: f(
    struct(core, "ClientIPConfig", "ClientIPConfig represents the configurations of Client IP based session affinity.", {
      timeoutSeconds: f(
        int32,
        1,
        'timeoutSeconds specifies the seconds of ClientIP type session sticky time (0 < value <= 86400, default 10800 = 3 hours) when sessionAffinity is "ClientIP".',
        ptr,
      ),
    }),
    1,
    "clientIP contains the configurations of Client IP based session affinity.",
  ),
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

/** A port's status on a load balancer's address (Service and Ingress statuses). */
export const portStatus = (p: string, name: string) =>
  struct(p, name, `${name} represents the error condition of a service port`, {
    port: f(int32, 1, "Port is the port number of the service port of which status is recorded here", req),
    protocol: f(str, 2, 'Protocol is the protocol of the service port of which status is recorded here: "TCP", "UDP" or "SCTP".', req),
    error: f(str, 3, "Error is to record the problem with the service port, in CamelCase (or foo.example.com/CamelCase).", ptr),
  });

const LoadBalancerIngress = struct(
  core,
  "LoadBalancerIngress",
  "LoadBalancerIngress represents the status of a load-balancer ingress point: traffic intended for the service should be sent to an ingress point.",
  {
    ip: f(str, 1, "IP is set for load-balancer ingress points that are IP based."),
    hostname: f(str, 2, "Hostname is set for load-balancer ingress points that are DNS based."),
    ipMode: f(
      str,
      3,
      "IPMode specifies how the load-balancer IP behaves: VIP (traffic delivered to the node with the destination set to the load-balancer's IP) or Proxy.",
      ptr,
    ),
    ports: f(
      listOf(portStatus(core, "PortStatus")),
      4,
      "Ports is a list of records of service ports. If used, every port defined in the service should have an entry in it",
    ),
  },
);
export const LoadBalancerStatus = struct(core, "LoadBalancerStatus", "LoadBalancerStatus represents the status of a load-balancer.", {
  ingress: f(listOf(LoadBalancerIngress), 1, "Ingress is a list containing ingress points for the load-balancer."),
});

const ServiceStatus = struct(core, "ServiceStatus", "ServiceStatus represents the current status of a service.", {
  loadBalancer: f(LoadBalancerStatus, 1, "LoadBalancer contains the current status of the load-balancer, if one is present."),
  conditions: f(listOf(Condition), 2, "Current service state", mergeBy("type")),
});

export const Service = kind(core, "Service", { spec: f(ServiceSpec, 2), status: f(ServiceStatus, undefined) });

// Endpoints and EndpointSlices, as the controller-manager writes them. (No merge keys: they apply
// by field name, and "ports" and "addresses" lists of other shapes exist elsewhere.)
const EndpointAddress = struct(core, "EndpointAddress", "EndpointAddress is a tuple that describes single IP address.", {
  ip: f(str, 1, "The IP of this endpoint.", req),
  hostname: f(str, 3, "The Hostname of this endpoint"),
  nodeName: f(str, 4, "Optional: Node hosting this endpoint. This can be used to determine endpoints local to a node.", ptr),
  targetRef: f(ObjectReference, 2, "Reference to object providing the endpoint."),
});
const endpointPort = (p: string, what: string) =>
  struct(p, "EndpointPort", `EndpointPort is a tuple that describes a single port${what}.`, {
    name: f(str, 1, "The name of this port. Must match the name of a ServicePort when there are several."),
    port: f(int32, 2, "The port number of the endpoint.", p === core ? req : ptr),
    protocol: f(str, 3, "The IP protocol for this port: TCP, UDP, or SCTP. Default is TCP."),
    appProtocol: f(str, 4, "The application protocol for this port (IANA service names, such as http or h2c).", ptr),
  });
const EndpointSubset = struct(
  core,
  "EndpointSubset",
  "EndpointSubset is a group of addresses with a common set of ports. The expanded set of endpoints is the Cartesian product of Addresses x Ports.",
  {
    addresses: f(listOf(EndpointAddress), 1, "IP addresses which offer the related ports that are marked as ready."),
    notReadyAddresses: f(listOf(EndpointAddress), 2, "IP addresses which offer the related ports but are not currently marked as ready."),
    ports: f(listOf(endpointPort(core, "")), 3, "Port numbers available on the related IP addresses."),
  },
);

export const Endpoints = kind(core, "Endpoints", { subsets: f(listOf(EndpointSubset), undefined, "The set of all endpoints is the union of all subsets.") });

const forName = (name: string, what: string) =>
  struct(pkg.discovery, name, `${name} provides information about which ${what} should consume this endpoint.`, {
    name: f(str, 1, `name represents the name of the ${what.replace(/s$/, "")}.`, req),
  });
const Endpoint = struct(pkg.discovery, "Endpoint", 'Endpoint represents a single logical "backend" implementing a service.', {
  addresses: f(listOf(str), 1, "addresses of this endpoint, interpreted per the EndpointSlice addressType. Consumers must use the first one.", req),
  conditions: f(
    struct(pkg.discovery, "EndpointConditions", "EndpointConditions represents the current condition of an endpoint.", {
      ready: f(bool, 1, "ready indicates that this endpoint is ready to receive traffic (false while terminating).", ptr),
      serving: f(bool, 2, "serving indicates that this endpoint is able to receive traffic, whether terminating or not.", ptr),
      terminating: f(bool, 3, "terminating indicates that this endpoint is terminating.", ptr),
    }),
    2,
    "conditions contains information about the current status of the endpoint.",
  ),
  hostname: f(str, 3, "hostname of this endpoint, which consumers may use to tell endpoints apart (DNS names).", ptr),
  targetRef: f(ObjectReference, 4, "targetRef is a reference to a Kubernetes object that represents this endpoint."),
  deprecatedTopology: f(strMap, 5, "deprecatedTopology contains topology information part of the v1beta1 API. Deprecated."),
  nodeName: f(str, 6, "nodeName represents the name of the Node hosting this endpoint.", ptr),
  zone: f(str, 7, "zone is the name of the Zone this endpoint exists in.", ptr),
  hints: f(
    struct(pkg.discovery, "EndpointHints", "EndpointHints provides hints describing how an endpoint should be consumed.", {
      forZones: f(
        listOf(forName("ForZone", "zones")),
        1,
        "forZones indicates the zone(s) this endpoint should be consumed by when using topology aware routing.",
      ),
      forNodes: f(
        listOf(forName("ForNode", "nodes")),
        2,
        "forNodes indicates the node(s) this endpoint should be consumed by when using topology aware routing.",
      ),
    }),
    8,
    "hints contains information associated with how an endpoint should be consumed.",
  ),
});

export const EndpointSlice = kind(pkg.discovery, "EndpointSlice", {
  addressType: f(str, undefined, "addressType specifies the type of address carried by this EndpointSlice: IPv4, IPv6 or FQDN.", req),
  endpoints: f(listOf(Endpoint), undefined, "endpoints is a list of unique endpoints in this slice."),
  ports: f(
    listOf(endpointPort(pkg.discovery, " of an EndpointSlice")),
    undefined,
    "ports specifies the list of network ports exposed by each endpoint in this slice.",
  ),
});
