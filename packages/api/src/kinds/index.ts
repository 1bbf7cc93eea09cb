// Kinds beyond the core four, one file per API area; each exports its types and ResourceInfos.
export * from "./common.js";
export * from "./config.js";
export * from "./apps.js";
export * from "./workload-validation.js";
export * from "./batch.js";
export * from "./services.js";
export * from "./storage.js";
export * from "./coordination.js";
export * from "./scheduling.js";
