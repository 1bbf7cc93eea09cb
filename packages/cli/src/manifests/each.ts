// The loop apply and create share: act on every manifest, print each outcome as `-o` asks, and
// keep going past a failed one (kubectl's behaviour), reporting it kubectl-style.
import type { KObject, ResourceInfo } from "@skiff/api";
import type { Context } from "../cli/context.js";
import { CliError, formatError, reasonOf } from "../cli/errors.js";
import { objectRef, placeInNamespace, resourceForObject } from "../cli/resources.js";
import { parseOutputFormat, toJson, toYaml } from "../output/printers.js";
import { cleanManifest } from "./merge.js";
import type { Manifest } from "./parse.js";

/** `-o` of a writing command: yaml, json, name, or "" (the `kind/name verb` line). */
export function writeFormat(ctx: Context): "yaml" | "json" | "name" | "" {
  const format = parseOutputFormat(ctx.flags.string("output"));
  if (format instanceof Error || format === "wide")
    throw new CliError(`unable to match a printer suitable for the output format "${ctx.flags.string("output")}", allowed formats are: json,name,yaml`);
  return format as "yaml" | "json" | "name" | "";
}

/** What acting on one manifest produced: the stored object and the verb to print. */
export interface Outcome {
  object: KObject;
  verb: string;
}

/**
 * Runs `act` for each manifest (resolved, cleaned and placed in its namespace first); returns
 * the exit code: 1 when any failed. An unreachable apiserver aborts the whole run.
 */
export async function forEachManifest(
  ctx: Context,
  manifests: Manifest[],
  act: (info: ResourceInfo, obj: KObject, namespace: string | undefined, source: string) => Promise<Outcome>,
): Promise<number> {
  const format = writeFormat(ctx);
  let failed = false;
  for (const m of manifests) {
    try {
      const info = resourceForObject(ctx.registry, m.object, m.source);
      const obj = cleanManifest(m.object);
      const namespace = placeInNamespace(info, obj, ctx.flags.string("namespace"));
      const { object, verb } = await act(info, obj, namespace, m.source);
      if (format === "yaml") ctx.out.write(toYaml(object));
      else if (format === "json") ctx.out.write(toJson(object));
      else ctx.out.write(`${objectRef(info, object.metadata.name ?? obj.metadata.name ?? "")}${format === "name" ? "" : ` ${verb}`}\n`);
    } catch (err) {
      if (reasonOf(err) === "Unavailable") throw err;
      ctx.err.write(formatError(err, { server: ctx.servers.join(",") }));
      failed = true;
    }
  }
  return failed ? 1 : 0;
}
