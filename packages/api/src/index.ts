// @skiff/api: the object model every process shares: types, typed errors, quantities,
// selectors, validation, defaults and the resource registry.
export * from "./types.js";
export * from "./pod-spec.js";
export * from "./errors.js";
export * from "./quantity.js";
export * from "./selectors.js";
export * from "./validation/index.js";
export * from "./defaults.js";
export * from "./resources.js";
export * from "./meta.js";
export * from "./ipv4.js";
export * from "./kinds/index.js";
export * from "./cron.js";
export * from "./schema/index.js";
export * from "./mirror.js";
