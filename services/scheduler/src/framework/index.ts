// The scheduling framework: plugin types and statuses, NodeInfo, the plugin runner and the
// FailedScheduling diagnosis. Pure code: no gRPC, usable by unit tests and scale benchmarks.
export * from "./types.js";
export * from "./node-info.js";
export * from "./diagnosis.js";
export * from "./framework.js";
