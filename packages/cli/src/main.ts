#!/usr/bin/env node
// skiff: the command-line client of a Skiff cluster (kubectl-like get/describe/apply/create/
// delete) and the launcher of a single-host cluster (up/down/status). Thin: dispatch only.
import { runCli } from "./cli/run.js";
import { commands } from "./commands/index.js";

runCli(process.argv.slice(2), commands, process.stdout, process.stderr).then(
  (code) => {
    // Set, not exit: stdout may still be flushing into a pipe.
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`error: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  },
);
