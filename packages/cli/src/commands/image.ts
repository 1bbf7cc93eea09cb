// skiff image load NAME[:TAG]...: copies images of this host's Docker engine into the engine of
// every node (as `kind load docker-image` does) on every topology: the container topology of
// `skiff up --nodes`, a compose project, or VMs through the node agents' API (images/).
import { UsageError } from "../cli/args.js";
import type { Command, Context } from "../cli/context.js";
import { CliError } from "../cli/errors.js";
import { hostImageIds, loadImages, summary } from "../images/load.js";
import { findTargets } from "../images/targets.js";

async function run(ctx: Context): Promise<number> {
  const [verb, ...images] = ctx.positionals;
  if (verb !== "load") throw new UsageError(verb ? `unknown subcommand "${verb}" for "skiff image": only load` : "skiff image needs a subcommand: load");
  if (!images.length) throw new UsageError("skiff image load needs at least one IMAGE[:TAG]");
  let ids: Map<string, string>;
  try {
    ids = await hostImageIds(images);
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  const targets = await findTargets(ctx);
  const only = ctx.flags
    .string("nodes")
    ?.split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  if (only) {
    const unknown = only.filter((n) => !targets.nodes.some((t) => t.name === n));
    if (unknown.length) throw new CliError(`--nodes: no node ${unknown.join(", ")} in ${targets.how}; nodes: ${targets.nodes.map((t) => t.name).join(", ")}`);
  }
  const nodes = only ? targets.nodes.filter((t) => only.includes(t.name)) : targets.nodes;
  ctx.out.write(`Loading ${images.join(", ")} into ${nodes.length} node(s) through ${targets.how}\n`);
  const t0 = Date.now();
  const results = await loadImages(images, ids, nodes, ctx.out, (process.stdout as { isTTY?: boolean }).isTTY === true && ctx.out === process.stdout);
  ctx.out.write(summary(results));
  const bad = results.filter((r) => r.result === "down" || r.result === "failed");
  ctx.out.write(`${results.length - bad.length} of ${results.length} node(s) have ${images.join(", ")} (${((Date.now() - t0) / 1000).toFixed(1)}s)\n`);
  return bad.length ? 1 : 0;
}

/** `skiff image`. */
export const imageCommand: Command = {
  name: "image",
  summary: "Load images from this host into every node (container topology, compose or VMs)",
  usage: `skiff image load IMAGE[:TAG]... [--nodes a,b] [--name TOPOLOGY | --project COMPOSE_PROJECT] [--via docker|api] [--node-token T]

Finds the nodes: the container topology of \`skiff up --nodes\` (cluster.json or --name), a compose
project (--home DIR/.skiff-compose, ./.skiff-compose, --project or $COMPOSE_PROJECT_NAME), else
every Node's agent through its API (VMs;
the node token from --node-token, $SKIFF_NODE_TOKEN or cluster.json). A node that already holds
the same image id is left alone; a node that is down is reported and the others still get it.
Exit status 1 when some node did not get the images.

Examples:
  docker build -t my/app:1 . && ./skiff image load my/app:1
  ./skiff --home .skiff-compose image load my/app:1      # docker compose
  ./skiff image load my/app:1 --via api                   # VMs (skiff controlplane / node --join)`,
  flags: {
    nodes: { type: "string", description: "Only these nodes (comma-separated)." },
    name: { type: "string", description: "The container topology (default: the one in cluster.json)." },
    project: { type: "string", description: "The compose project (default: found from --home DIR/.skiff-compose)." },
    via: {
      type: "string",
      description:
        "docker: docker exec into node containers; api: the node agents' LoadImage (default: docker when a container topology or compose project is found).",
    },
    "node-token": { type: "string", description: "The node token for the agents' API (default: $SKIFF_NODE_TOKEN, else cluster.json)." },
  },
  run,
};
