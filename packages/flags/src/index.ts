// Command-line flags for every Skiff program: the pflag-style parser (args.ts) that the skiff CLI
// uses and the declarative option tables (table.ts) that the control-plane and node processes use.
export * from "./args.js";
export * from "./table.js";
