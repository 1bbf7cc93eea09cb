// skiff apply -f: create each object, or update it when it exists (three-way merge with the
// last applied manifest, retried on Conflict), printing created / configured / unchanged.
import type { KObject, ResourceInfo } from "@skiff/api";
import type { ApiClient } from "@skiff/client";
import type { Command, Context } from "../cli/context.js";
import { CliError, reasonOf, withSource } from "../cli/errors.js";
import { deepEqual, mergeApplied, withLastApplied } from "../manifests/merge.js";
import { forEachManifest, writeFormat } from "../manifests/each.js";
import { readManifests } from "../manifests/read.js";

/** What apply did to one object. */
export type ApplyResult = "created" | "configured" | "unchanged";

const maxConflictRetries = 5;

/**
 * Applies one manifest object: create, or merge into the live object and update. API errors
 * name `source` (the manifest file) the way kubectl's do.
 */
export async function applyObject(client: ApiClient, info: ResourceInfo, applied: KObject, source?: string): Promise<{ result: ApplyResult; object: KObject }> {
  const { name, namespace } = applied.metadata;
  for (let attempt = 0; ; attempt++) {
    let live: KObject;
    try {
      live = await client.get(info.resource, name!, namespace ?? "");
    } catch (err) {
      if (reasonOf(err) !== "NotFound") throw withSource(err, "retrieving current configuration of", source);
      try {
        return { result: "created", object: await client.create(info.resource, withLastApplied(applied), namespace) };
      } catch (createErr) {
        // Someone created it between our get and create: apply to theirs.
        if (reasonOf(createErr) === "AlreadyExists" && attempt < maxConflictRetries) continue;
        throw withSource(createErr, "creating", source);
      }
    }
    const merged = mergeApplied(live, applied);
    if (deepEqual(merged, live)) return { result: "unchanged", object: live };
    try {
      return { result: "configured", object: await client.update(info.resource, merged) };
    } catch (err) {
      // Changed since we read it: merge again onto the newer version.
      if (reasonOf(err) === "Conflict" && attempt < maxConflictRetries) continue;
      throw withSource(err, "applying", source);
    }
  }
}

async function run(ctx: Context): Promise<number> {
  writeFormat(ctx); // reject a bad -o before touching anything
  if (ctx.positionals.length) throw new CliError(`Unexpected args: [${ctx.positionals.join(" ")}]`);
  const manifests = await readManifests(ctx.flags.strings("filename"), { recursive: ctx.flags.bool("recursive") });
  const client = ctx.client();
  return forEachManifest(ctx, manifests, async (info, obj, _namespace, source) => {
    if (!obj.metadata.name)
      throw new CliError(`error when retrieving current configuration of ${info.kind} from server for: "${source}": resource name may not be empty`);
    const { result, object } = await applyObject(client, info, obj, source);
    return { object, verb: result };
  });
}

/** `skiff apply`. */
export const applyCommand: Command = {
  name: "apply",
  summary: "Apply a configuration to a resource by file name or stdin",
  usage: `skiff apply -f FILENAME|DIRECTORY|- [flags]

Examples:
  skiff apply -f pod.yaml
  skiff apply -f manifests/
  cat pod.json | skiff apply -f -`,
  flags: {
    filename: { type: "strings", short: "f", description: "The files, directories or URLs that contain the configuration to apply ('-' for stdin)." },
    recursive: { type: "boolean", short: "R", description: "Process the directory used in -f recursively." },
    output: { type: "string", short: "o", description: "Output format: yaml, json, name." },
  },
  run,
};
