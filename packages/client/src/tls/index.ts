// The cluster PKI and mutual TLS for every gRPC channel (tls/): certificates and CSRs (pki.ts),
// a component's TLS directory (files.ts), gRPC credentials with rotation (grpc.ts).
export * from "./pki.js";
export * from "./files.js";
export * from "./grpc.js";
export type { TlsMaterialLike } from "./identity.js";
export * from "./interceptor.js";
export * from "./join-token.js";
export * from "./bootstrap-client.js";
export * from "./cluster-ca.js";
export * from "./nats.js";
