// skiff create -f (create only; AlreadyExists is an error) and `skiff create namespace NAME`.
import type { KObject } from "@skiff/api";
import type { Command, Context } from "../cli/context.js";
import { CliError, formatError, reasonOf, withSource } from "../cli/errors.js";
import { objectRef, placeInNamespace, resolveResource, resourceForObject } from "../cli/resources.js";
import { cleanManifest } from "../manifests/merge.js";
import type { Manifest } from "../manifests/parse.js";
import { readManifests } from "../manifests/read.js";
import { parseOutputFormat, toJson, toYaml } from "../output/printers.js";

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
  const format = parseOutputFormat(ctx.flags.string("output"));
  if (format instanceof Error || format === "wide") throw new CliError(`unable to match a printer suitable for the output format "${ctx.flags.string("output")}", allowed formats are: json,name,yaml`);
  const files = ctx.flags.strings("filename");
  const manifests = files.length ? await readManifests(files, { recursive: ctx.flags.bool("recursive"), verb: "create" }) : ctx.positionals.length ? namespaceManifest(ctx) : await readManifests([], { verb: "create" });
  const client = ctx.client();
  let failed = false;
  for (const m of manifests) {
    try {
      const info = resourceForObject(ctx.registry, m.object, m.source);
      const obj = cleanManifest(m.object);
      const namespace = placeInNamespace(info, obj, ctx.flags.string("namespace"));
      const created = await client.create(info.resource, obj, namespace).catch((err) => {
        throw withSource(err, "creating", m.source);
      });
      if (format === "yaml") ctx.out.write(toYaml(created));
      else if (format === "json") ctx.out.write(toJson(created));
      else ctx.out.write(`${objectRef(info, created.metadata.name ?? "")}${format === "name" ? "" : " created"}\n`);
    } catch (err) {
      if (reasonOf(err) === "Unavailable") throw err;
      ctx.err.write(formatError(err, { server: ctx.servers.join(",") }));
      failed = true;
    }
  }
  return failed ? 1 : 0;
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
