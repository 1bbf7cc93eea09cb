// @skiff/cli: the `skiff` command (bin: dist/main.js). As a library it exports the table
// builders and renderer, so the apiserver can serve kubectl the same `get` tables.
export * from "./tables/index.js";
