// skiff create -f (create only; AlreadyExists is an error) and `skiff create namespace NAME`.
import type { KObject } from "@skiff/api";
import type { Command, Context } from "../cli/context.js";
import { CliError, withSource } from "../cli/errors.js";
import { resolveResource } from "../cli/resources.js";
import { forEachManifest, writeFormat } from "../manifests/each.js";
import type { Manifest } from "../manifests/parse.js";
import { readManifests } from "../manifests/read.js";

/** `create namespace NAME`: the one generator kubectl users reach for constantly. */
function namespaceManifest(ctx: Context): Manifest[] {
  const [kind, name, ...rest] = ctx.positionals;
  if (resolveResource(ctx.registry, kind).resource !== "namespaces") {
    throw new CliError(`skiff create only supports -f FILE and "create namespace NAME"`);
  }
  if (!name || rest.length) throw new CliError("exactly one NAME is required, got " + (rest.length + (name ? 1 : 0)));
  return [{ object: { apiVersion: "v1", kind: "Namespace", metadata: { name } } as KObject, source: "" }];
}

async function run(ctx: Context): Promise<number> {
  writeFormat(ctx); // reject a bad -o before touching anything
  const files = ctx.flags.strings("filename");
  const manifests = files.length
    ? await readManifests(files, { recursive: ctx.flags.bool("recursive"), verb: "create" })
    : ctx.positionals.length
      ? namespaceManifest(ctx)
      : await readManifests([], { verb: "create" });
  const client = ctx.client();
  return forEachManifest(ctx, manifests, async (info, obj, namespace, source) => {
    const object = await client.create(info.resource, obj, namespace).catch((err) => {
      throw withSource(err, "creating", source);
    });
    return { object, verb: "created" };
  });
}

/** `skiff create`. */
export const createCommand: Command = {
  name: "create",
  summary: "Create a resource from a file or from stdin",
  usage: `skiff create -f FILENAME [flags]
skiff create namespace NAME

Examples:
  skiff create -f pod.yaml
  skiff create namespace staging`,
  flags: {
    filename: { type: "strings", short: "f", description: "The files, directories or URLs that contain the configuration to create ('-' for stdin)." },
    recursive: { type: "boolean", short: "R", description: "Process the directory used in -f recursively." },
    output: { type: "string", short: "o", description: "Output format: yaml, json, name." },
  },
  run,
};
