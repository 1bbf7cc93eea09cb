// Generated gRPC code (ts-proto, `npm run generate`); this index only re-exports it.
export * from "./gen/skiff/resource/v1/resource.js";
export * as nodev1 from "./gen/skiff/node/v1/node.js";
// The node proxy's programming API, under a namespace: its message names (Endpoint,
// ServicePort) are generic and the generated helpers (protobufPackage…) clash.
export * as proxyv1 from "./gen/skiff/proxy/v1/proxy.js";
