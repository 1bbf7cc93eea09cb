// The dispatcher: finds the subcommand, parses global + command flags, runs it, and turns
// errors into kubectl-style messages and an exit code. main.ts only calls runCli.
import { flagHelp, parseArgs, UsageError, type FlagSpec } from "./args.js";
import { Context, type Command, type Output } from "./context.js";
import { CliError, formatError } from "./errors.js";

/** Flags every command accepts. */
export const globalFlags: FlagSpec = {
  server: {
    type: "string",
    short: "s",
    description: "host:port of the apiserver (comma-separated list allowed); else $SKIFF_APISERVER, $SKIFF_HOME/cluster.json, 127.0.0.1:6444.",
  },
  namespace: { type: "string", short: "n", description: "The namespace scope for this request." },
  home: { type: "string", description: "Skiff's state directory (default $SKIFF_HOME or ~/.skiff)." },
  "tls-dir": { type: "string", description: "Client certificate to present (ca.crt, tls.crt, tls.key); else $SKIFF_TLS_DIR, else $SKIFF_HOME/pki/admin." },
  help: { type: "boolean", short: "h", description: "Help for the command." },
};

/** Global flags that take a value, so their value is not mistaken for the command name. */
const valued = new Set(["--server", "-s", "--namespace", "-n", "--home", "--tls-dir"]);

function findCommandIndex(argv: string[]): number {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--") return -1;
    if (valued.has(a)) {
      i++;
      continue;
    }
    if (!a.startsWith("-")) return i;
  }
  return -1;
}

function usage(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return `skiff controls a Skiff cluster (a small Kubernetes) and runs one on this machine.

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`).join("\n")}

Global flags:
${flagHelp(globalFlags)}

Use "skiff <command> --help" for more information about a command.
`;
}

/** Runs the CLI; returns the exit code. */
export async function runCli(argv: string[], commands: Command[], out: Output, err: Output, env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const idx = findCommandIndex(argv);
  const name = idx < 0 ? undefined : argv[idx];
  if (name === undefined || name === "help") {
    const topic = name === "help" ? argv[idx + 1] : undefined;
    const cmd = topic && commands.find((c) => c.name === topic || c.aliases?.includes(topic));
    out.write(cmd ? `${cmd.summary}\n\nUsage:\n  ${cmd.usage}\n\nFlags:\n${flagHelp(cmd.flags)}\n` : usage(commands));
    return 0;
  }
  const cmd = commands.find((c) => c.name === name || c.aliases?.includes(name));
  if (!cmd) {
    err.write(`error: unknown command "${name}" for "skiff"\nRun 'skiff --help' for usage.\n`);
    return 1;
  }
  let ctx: Context | undefined;
  try {
    const { positionals, flags } = parseArgs([...argv.slice(0, idx), ...argv.slice(idx + 1)], { ...globalFlags, ...cmd.flags });
    if (flags.bool("help")) {
      out.write(`${cmd.summary}\n\nUsage:\n  ${cmd.usage}\n\nFlags:\n${flagHelp(cmd.flags)}\n\nGlobal flags:\n${flagHelp(globalFlags)}\n`);
      return 0;
    }
    ctx = new Context(positionals, flags, out, err, env);
    return (await cmd.run(ctx)) ?? 0;
  } catch (e) {
    let server: string | undefined;
    try {
      server = ctx?.servers.join(",");
    } catch {
      server = undefined;
    }
    err.write(formatError(e, { server }));
    if (e instanceof UsageError) err.write(`See 'skiff ${cmd.name} -h' for help and examples\n`);
    return e instanceof CliError ? e.exitCode : 1;
  } finally {
    ctx?.close();
  }
}
