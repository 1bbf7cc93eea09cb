// skiff version: the CLI's version, and whether the apiserver answers.
import { readFileSync } from "node:fs";
import type { Command, Context } from "../cli/context.js";

/** The CLI's version, from its package.json (one level above src/ and dist/). */
export function cliVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "unknown";
  }
}

async function run(ctx: Context): Promise<number> {
  ctx.out.write(`Client Version: v${cliVersion()}\n`);
  if (ctx.flags.bool("client")) return 0;
  const server = ctx.servers.join(",");
  try {
    await ctx.client().list("namespaces", { limit: 1 });
    ctx.out.write(`Server: ${server} (reachable)\n`);
    return 0;
  } catch (err) {
    ctx.out.write(`Server: ${server} (not reachable: ${(err as Error).message})\n`);
    return 1;
  }
}

/** `skiff version`. */
export const versionCommand: Command = {
  name: "version",
  summary: "Print the client version and whether the server answers",
  usage: "skiff version [--client]",
  flags: {
    client: { type: "boolean", description: "Only print the client version (do not contact the server)." },
  },
  run,
};
