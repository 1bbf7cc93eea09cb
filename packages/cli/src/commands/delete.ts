// skiff delete: by type and names, by -f manifest, or by -l / --all; waits until the
// objects are gone (pods finish their graceful shutdown) unless --wait=false.
import type { KObject, ResourceInfo } from "@skiff/api";
import type { ApiClient } from "@skiff/client";
import { parseDuration, UsageError } from "../cli/args.js";
import type { Command, Context } from "../cli/context.js";
import { CliError, formatError, reasonOf } from "../cli/errors.js";
import { placeInNamespace, resourceForObject, splitTypeAndNames, typeName } from "../cli/resources.js";
import { readManifests } from "../manifests/read.js";

interface Target {
  info: ResourceInfo;
  name: string;
  namespace: string;
}

/** The objects the command line names. */
async function targets(ctx: Context): Promise<Target[]> {
  const files = ctx.flags.strings("filename");
  if (files.length) {
    if (ctx.positionals.length) throw new UsageError("when paths, URLs, or stdin is provided as input, you may not specify resource arguments as well");
    return (await readManifests(files, { recursive: ctx.flags.bool("recursive"), verb: "delete" })).map((m) => {
      const info = resourceForObject(ctx.registry, m.object, m.source);
      const obj = structuredClone(m.object);
      const namespace = placeInNamespace(info, obj, ctx.flags.string("namespace"));
      return { info, name: obj.metadata.name ?? "", namespace };
    });
  }
  if (ctx.positionals.length === 0) throw new UsageError("You must provide one or more resources by argument or filename.");
  const selector = ctx.flags.string("selector");
  const fieldSelector = ctx.flags.string("field-selector");
  const all = ctx.flags.bool("all");
  const allNamespaces = ctx.flags.bool("all-namespaces");
  const out: Target[] = [];
  for (const { info, names } of splitTypeAndNames(ctx.positionals, ctx.registry)) {
    if (names.length) {
      if (selector || all) throw new UsageError("name cannot be provided when a selector is specified");
      for (const name of names) out.push({ info, name, namespace: info.namespaced ? ctx.namespace : "" });
      continue;
    }
    if (!selector && !fieldSelector && !all) throw new UsageError(`resource(s) were provided, but no name was specified`);
    const namespace = info.namespaced && !allNamespaces ? ctx.namespace : "";
    const { items } = await ctx.client().list<KObject>(info.resource, { namespace, labelSelector: selector, fieldSelector });
    for (const o of items) out.push({ info, name: o.metadata.name ?? "", namespace: o.metadata.namespace ?? "" });
  }
  return out;
}

/** Grace period to send: --now is 1 s; 0 means "immediately" only with --force (as in kubectl). */
function gracePeriod(ctx: Context): number | undefined {
  const raw = ctx.flags.string("grace-period");
  let grace = raw === undefined ? -1 : Number(raw);
  if (!Number.isInteger(grace)) throw new UsageError(`invalid argument "${raw}" for "--grace-period" flag`);
  if (ctx.flags.bool("now")) {
    if (grace !== -1) throw new UsageError("--now and --grace-period cannot be specified together");
    grace = 1;
  }
  if (ctx.flags.bool("force")) {
    ctx.err.write(
      "Warning: Immediate deletion does not wait for confirmation that the running resource has been terminated. The resource may continue to run on the cluster indefinitely.\n",
    );
    if (grace < 0) grace = 0;
  } else if (grace === 0) {
    // Without --force, 0 would skip the graceful stop silently; kubectl turns it into 1.
    grace = 1;
  }
  return grace < 0 ? undefined : grace;
}

/** Resolves once the object is gone (or replaced by a new one with the same name). */
async function waitGone(client: ApiClient, t: Target, uid: string | undefined, deadline: number): Promise<void> {
  for (;;) {
    try {
      const o = await client.get(t.info.resource, t.name, t.namespace);
      if (uid && o.metadata.uid !== uid) return;
    } catch (err) {
      if (reasonOf(err) === "NotFound") return;
      if (reasonOf(err) !== "Unavailable") throw err;
    }
    if (Date.now() > deadline) throw new CliError(`timed out waiting for the condition on ${t.info.resource}/${t.name}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function run(ctx: Context): Promise<number> {
  const grace = gracePeriod(ctx);
  const wait = ctx.flags.bool("wait", true);
  const timeout = ctx.flags.string("timeout");
  const timeoutMs = timeout ? parseDuration(timeout, "timeout") : 0;
  // kubectl's --timeout=0 means "wait a long time", not "do not wait".
  const deadline = Date.now() + (timeoutMs > 0 ? timeoutMs : 7 * 24 * 3600_000);
  const client = ctx.client();
  const list = await targets(ctx);
  if (list.length === 0) {
    if (!ctx.flags.bool("ignore-not-found")) ctx.err.write("No resources found\n");
    return 0;
  }
  let failed = false;
  const pending: Promise<void>[] = [];
  for (const t of list) {
    try {
      const { object, finished } = await client.delete(t.info.resource, t.name, t.namespace, { gracePeriodSeconds: grace });
      ctx.out.write(`${typeName(t.info)} "${t.name}" deleted\n`);
      if (wait && !finished) pending.push(waitGone(client, t, object?.metadata?.uid, deadline));
    } catch (err) {
      if (reasonOf(err) === "NotFound" && ctx.flags.bool("ignore-not-found")) continue;
      if (reasonOf(err) === "Unavailable") throw err;
      ctx.err.write(formatError(err, { server: ctx.servers.join(",") }));
      failed = true;
    }
  }
  for (const r of await Promise.allSettled(pending)) {
    if (r.status === "rejected") {
      ctx.err.write(formatError(r.reason, { server: ctx.servers.join(",") }));
      failed = true;
    }
  }
  return failed ? 1 : 0;
}

/** `skiff delete`. */
export const deleteCommand: Command = {
  name: "delete",
  summary: "Delete resources by file names, stdin, resources and names, or by label selector",
  usage: `skiff delete ([-f FILENAME] | TYPE [(NAME | -l label | --all)]) [flags]

Examples:
  skiff delete pod web
  skiff delete -f pod.yaml
  skiff delete pods -l app=web --now
  skiff delete pods --all --wait=false`,
  flags: {
    filename: { type: "strings", short: "f", description: "The files that contain the resources to delete." },
    recursive: { type: "boolean", short: "R", description: "Process the directory used in -f recursively." },
    selector: { type: "string", short: "l", description: "Selector (label query) to filter on." },
    "field-selector": { type: "string", description: "Selector (field query) to filter on." },
    all: { type: "boolean", description: "Delete all resources of the type in the namespace." },
    "all-namespaces": { type: "boolean", short: "A", description: "With -l or --all, delete in every namespace." },
    "grace-period": { type: "string", description: "Seconds given to the resource to terminate gracefully (-1: the object's default).", default: "-1" },
    now: { type: "boolean", description: "Signal the resource to stop immediately (same as --grace-period=1)." },
    force: { type: "boolean", description: "With --grace-period=0: remove at once without waiting for confirmation." },
    wait: { type: "boolean", description: "Wait for the resources to be gone before returning.", default: true },
    timeout: { type: "string", description: "How long to wait (e.g. 30s, 2m); 0 waits as long as it takes.", default: "0s" },
    "ignore-not-found": { type: "boolean", description: 'Treat "resource not found" as a successful delete.' },
  },
  run,
};
