// Generated gRPC code (ts-proto, `npm run generate`); this index only re-exports it.
export * from "./gen/skiff/resource/v1/resource.js";
export * as nodev1 from "./gen/skiff/node/v1/node.js";
