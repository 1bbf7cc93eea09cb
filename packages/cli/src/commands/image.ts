// skiff image load NAME[:TAG]: copies an image of this host's Docker engine into the engine of
// every node container of the running container topology (as `kind load docker-image` does),
// for clusters that cannot pull from a registry.
import { UsageError } from "../cli/args.js";
import type { Command, Context } from "../cli/context.js";
import { CliError } from "../cli/errors.js";
import { imageExists, loadImageInto } from "../topology/docker.js";
import { currentTopology } from "../topology/current.js";

async function run(ctx: Context): Promise<number> {
  const [verb, ...images] = ctx.positionals;
  if (verb !== "load") throw new UsageError(verb ? `unknown subcommand "${verb}" for "skiff image": only load` : "skiff image needs a subcommand: load");
  if (!images.length) throw new UsageError("skiff image load needs at least one IMAGE[:TAG]");
  for (const img of images) if (!(await imageExists(img))) throw new CliError(`image ${img} not found in this host's Docker engine (docker images)`);
  const topo = await currentTopology(ctx);
  const nodes = topo.containers.filter((c) => c.role === "node" && (!ctx.flags.has("nodes") || ctx.flags.string("nodes")!.split(",").includes(c.name)));
  const running = nodes.filter((n) => n.state === "running");
  if (!running.length) throw new CliError(`no running node containers in ${topo.name}`);
  let failed = 0;
  for (const img of images) {
    // One node at a time: each load is a full copy of the image, and the machine may be small.
    for (const n of running) {
      try {
        await loadImageInto(img, n.name);
        ctx.out.write(`Image "${img}" loaded into node ${n.name}\n`);
      } catch (err) {
        failed++;
        ctx.err.write(`error: ${(err as Error).message}\n`);
      }
    }
  }
  for (const n of nodes.filter((x) => x.state !== "running")) ctx.err.write(`warning: node ${n.name} is ${n.state}; not loaded\n`);
  return failed ? 1 : 0;
}

/** `skiff image`. */
export const imageCommand: Command = {
  name: "image",
  summary: "Load images from this host into every node of a container topology",
  usage: `skiff image load IMAGE[:TAG]... [--nodes a,b] [--name TOPOLOGY]

Examples:
  docker build -t my/app:1 . && ./skiff image load my/app:1`,
  flags: {
    nodes: { type: "string", description: "Only these node containers (comma-separated)." },
    name: { type: "string", description: "The container topology (default: the one in cluster.json)." },
  },
  run,
};
