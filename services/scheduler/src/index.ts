// @skiff/scheduler: the scheduler process's pieces — start() for main and integration tests;
// the pure framework, plugins and cache for unit tests and hollow-node scale benchmarks.
export { start } from "./server.js";
export { Scheduler, isPending, nodeSchedulingChanged, DEFAULT_SCHEDULER_NAME, type SchedulerConfig } from "./scheduler.js";
export { SchedulerCache, isTerminal } from "./cache/cache.js";
export * from "./framework/index.js";
export * from "./plugins/index.js";
export { parseFlags, compileOptions, type SchedulerOptions } from "./options/options.js";
export * from "./testing.js";
