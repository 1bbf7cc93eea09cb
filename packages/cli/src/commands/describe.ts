// skiff describe: a readable report of objects, with their events at the bottom.
import type { KObject } from "@skiff/api";
import type { Command, Context } from "../cli/context.js";
import { formatError, reasonOf } from "../cli/errors.js";
import { splitTypeAndNames } from "../cli/resources.js";
import { describeObject } from "../describe/index.js";

async function run(ctx: Context): Promise<number> {
  const client = ctx.client();
  const allNamespaces = ctx.flags.bool("all-namespaces");
  const selector = ctx.flags.string("selector");
  let failed = false;
  const texts: string[] = [];
  for (const { info, names } of splitTypeAndNames(ctx.positionals, ctx.registry)) {
    const namespace = info.namespaced ? (allNamespaces ? "" : ctx.namespace) : "";
    const objs: KObject[] = [];
    if (names.length === 0) {
      objs.push(...(await client.list(info.resource, { namespace, labelSelector: selector })).items);
      if (objs.length === 0) ctx.err.write(namespace ? `No resources found in ${namespace} namespace.\n` : "No resources found\n");
    }
    for (const name of names) {
      try {
        objs.push(await client.get(info.resource, name, info.namespaced ? ctx.namespace : ""));
      } catch (err) {
        if (reasonOf(err) !== "NotFound") throw err;
        // kubectl falls back to the objects whose name starts with the argument.
        const { items } = await client.list(info.resource, { namespace: info.namespaced ? ctx.namespace : "" });
        const matches = items.filter((o) => o.metadata.name?.startsWith(name));
        if (matches.length === 0) {
          ctx.err.write(formatError(err));
          failed = true;
        }
        objs.push(...matches);
      }
    }
    objs.sort((a, b) => (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? ""));
    for (const o of objs) texts.push(await describeObject(client, info, o));
  }
  ctx.out.write(texts.join("\n\n"));
  return failed ? 1 : 0;
}

/** `skiff describe`. */
export const describeCommand: Command = {
  name: "describe",
  summary: "Show details of a specific resource or group of resources",
  usage: `skiff describe TYPE [NAME_PREFIX] [flags]

Examples:
  skiff describe pod web
  skiff describe nodes
  skiff describe pods -l app=web`,
  flags: {
    "all-namespaces": { type: "boolean", short: "A", description: "Describe the requested objects across all namespaces." },
    selector: { type: "string", short: "l", description: "Selector (label query) to filter on." },
  },
  run,
};
