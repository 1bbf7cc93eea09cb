// The kinds, one file per API area; each exports its validation and ResourceInfos (and the types
// of kinds beyond the core four, which live in types.ts).
export * from "./common.js";
export * from "./namespaces.js";
export * from "./nodes.js";
export * from "./pods.js";
export * from "./events.js";
export * from "./config.js";
export * from "./apps.js";
export * from "./workload-validation.js";
export * from "./batch.js";
export * from "./services.js";
export * from "./storage.js";
export * from "./coordination.js";
export * from "./rbac.js";
export * from "./serviceaccounts.js";
export * from "./policy.js";
export * from "./networking.js";
export * from "./scheduling.js";
export * from "./autoscaling.js";
