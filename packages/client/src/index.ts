// @skiff/client: how processes reach the apiserver: the gRPC client, informers, work queues,
// event recording, and the gRPC error mapping shared with the server. Its runtime imports from
// @skiff/api go to the leaf entry points (@skiff/api/errors, @skiff/api/meta): a process that only
// watches, like the DNS, then never loads every kind's schema and validation (~4 MB resident).
export * from "./client.js";
export * from "./grpc-errors.js";
export { MULTIPLEXED, protoMethod, type MultiplexedMethod } from "./multiplex.js";
export * from "./informer.js";
export * from "./workqueue.js";
export * from "./events.js";
export * from "./wait.js";
export * from "./main.js";
export * from "./kubeconfig.js";
export * from "./leader/leader.js";
export * from "./tls/index.js";
