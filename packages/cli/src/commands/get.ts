// skiff get: list or fetch objects and print them as a table, YAML, JSON or names; -w
// keeps printing rows as the objects change.
import type { KObject, ResourceInfo } from "@skiff/api";
import type { WatchEventOf } from "@skiff/client";
import { UsageError } from "../cli/args.js";
import type { Command, Context } from "../cli/context.js";
import { formatError, reasonOf } from "../cli/errors.js";
import { objectRef, splitTypeAndNames } from "../cli/resources.js";
import { asList, parseOutputFormat, toJson, toYaml, type OutputFormat } from "../output/printers.js";
import { tableFor } from "@skiff/printers";
import { renderTable } from "@skiff/printers";

/** Sorts objects by namespace then name (the store's list order is not guaranteed). */
function byKey(a: KObject, b: KObject): number {
  return (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") || (a.metadata.name ?? "").localeCompare(b.metadata.name ?? "");
}

interface Printer {
  /** Prints objects; `header` says whether a table header (or the first YAML document) is due. */
  print(objs: KObject[], header: boolean): void;
}

/** Builds the printer of one resource for the chosen -o format. */
function printerFor(ctx: Context, info: ResourceInfo, format: OutputFormat, opts: { allNamespaces: boolean; prefixType: boolean }): Printer {
  let widths: number[] | undefined;
  return {
    print(objs, header) {
      if (format === "name") {
        for (const o of objs) ctx.out.write(objectRef(info, o.metadata.name ?? "") + "\n");
        return;
      }
      if (format === "json" || format === "yaml") {
        // Watch output prints each object on its own (YAML documents separated by ---).
        for (const o of objs) ctx.out.write(format === "json" ? toJson(o) : `${header ? "" : "---\n"}${toYaml(o)}`);
        return;
      }
      const table = tableFor(info.resource, objs);
      if (opts.prefixType) {
        // With several types in one get, kubectl names rows `pod/web`.
        const nameCol = table.columnDefinitions.findIndex((c) => c.format === "name");
        if (nameCol >= 0) for (const r of table.rows) r.cells[nameCol] = objectRef(info, String(r.cells[nameCol]));
      }
      const r = renderTable(table, {
        wide: format === "wide",
        noHeaders: !header || ctx.flags.bool("no-headers"),
        withNamespace: opts.allNamespaces && info.namespaced,
        showLabels: ctx.flags.bool("show-labels"),
        widths,
      });
      widths = r.widths;
      ctx.out.write(r.text);
    },
  };
}

async function run(ctx: Context): Promise<number> {
  const format = parseOutputFormat(ctx.flags.string("output"));
  if (format instanceof Error) throw new UsageError(format.message);
  const groups = splitTypeAndNames(ctx.positionals, ctx.registry);
  const allNamespaces = ctx.flags.bool("all-namespaces");
  const labelSelector = ctx.flags.string("selector");
  const fieldSelector = ctx.flags.string("field-selector");
  const watch = ctx.flags.bool("watch") || ctx.flags.bool("watch-only");
  if (watch && groups.length > 1) throw new UsageError("you may only specify a single resource type");
  if (groups.some((g) => g.names.length) && labelSelector) throw new UsageError("name cannot be provided when a selector is specified");
  if (groups.some((g) => g.names.length) && allNamespaces) throw new UsageError("a resource cannot be retrieved by name across all namespaces");
  const client = ctx.client();
  let failed = false;

  if (watch) return watchResource(ctx, groups[0].info, groups[0].names, format, allNamespaces);

  // One object asked for by name prints bare in YAML/JSON; anything else is a List.
  const single = groups.length === 1 && groups[0].names.length === 1;
  const collected: KObject[] = [];
  let printedTables = 0;
  for (const { info, names } of groups) {
    const namespace = info.namespaced && !allNamespaces ? ctx.namespace : "";
    let objs: KObject[] = [];
    if (names.length) {
      for (const name of names) {
        try {
          objs.push(await client.get(info.resource, name, info.namespaced ? ctx.namespace : ""));
        } catch (err) {
          if (reasonOf(err) === "Unavailable") throw err;
          ctx.err.write(formatError(err, { server: ctx.servers.join(",") }));
          failed = true;
        }
      }
    } else {
      objs = (await client.list(info.resource, { namespace, labelSelector, fieldSelector })).items.sort(byKey);
    }
    for (const o of objs) {
      o.apiVersion ??= info.group ? `${info.group}/${info.version}` : info.version;
      o.kind ??= info.kind;
    }
    if (format === "yaml" || format === "json") {
      collected.push(...objs);
      continue;
    }
    if (objs.length === 0) continue;
    if (printedTables > 0 && format !== "name") ctx.out.write("\n");
    printerFor(ctx, info, format, { allNamespaces, prefixType: groups.length > 1 }).print(objs, true);
    printedTables++;
  }

  if (format === "yaml" || format === "json") {
    const doc = single && collected.length === 1 ? collected[0] : asList(collected);
    if (!(single && collected.length === 0)) ctx.out.write(format === "json" ? toJson(doc) : toYaml(doc));
  } else if (printedTables === 0 && !groups.some((g) => g.names.length)) {
    const namespaced = groups.some((g) => g.info.namespaced);
    ctx.err.write(namespaced && !allNamespaces ? `No resources found in ${ctx.namespace} namespace.\n` : "No resources found\n");
  }
  return failed ? 1 : 0;
}

/** Prints the current objects, then a row per change until Ctrl-C (relisting after a 410 Gone). */
async function watchResource(ctx: Context, info: ResourceInfo, names: string[], format: OutputFormat, allNamespaces: boolean): Promise<number> {
  const client = ctx.client();
  const namespace = info.namespaced && !allNamespaces ? ctx.namespace : "";
  const labelSelector = ctx.flags.string("selector");
  const nameSet = new Set(names);
  const fieldSelector = [ctx.flags.string("field-selector"), names.length === 1 ? `metadata.name=${names[0]}` : ""].filter(Boolean).join(",") || undefined;
  const wanted = (o: KObject) => nameSet.size === 0 || nameSet.has(o.metadata.name ?? "");
  const printer = printerFor(ctx, info, format, { allNamespaces, prefixType: false });
  let headerDue = true;

  const list = await client.list(info.resource, { namespace, labelSelector, fieldSelector });
  const initial = list.items.filter(wanted).sort(byKey);
  if (!ctx.flags.bool("watch-only") && initial.length) {
    printer.print(initial, true);
    headerDue = false;
  }
  const missing = names.filter((n) => !initial.some((o) => o.metadata.name === n));
  for (const n of missing) ctx.err.write(`Error from server (NotFound): ${info.resource} "${n}" not found\n`);
  if (missing.length && missing.length === names.length && !ctx.flags.bool("watch-only")) return 1;

  return new Promise<number>((resolve) => {
    let rv = list.resourceVersion;
    let handle: { stop(): void } | undefined;
    let retry: NodeJS.Timeout | undefined;
    const stop = () => {
      handle?.stop();
      if (retry) clearTimeout(retry);
      resolve(0);
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
    const start = () => {
      handle = client.watch(
        info.resource,
        { namespace, labelSelector, fieldSelector, resourceVersion: rv },
        (e: WatchEventOf) => {
          if (e.object.metadata.resourceVersion) rv = e.object.metadata.resourceVersion;
          if (e.type === "BOOKMARK" || !wanted(e.object)) return;
          e.object.kind ??= info.kind;
          printer.print([e.object], headerDue);
          headerDue = false;
        },
        (err) => {
          // Too old a version: start again from a fresh list (without reprinting it).
          const again = async () => {
            if (reasonOf(err) === "Gone" || reasonOf(err) === "Expired")
              rv = (await client.list(info.resource, { namespace, labelSelector, fieldSelector, limit: 1 })).resourceVersion;
            start();
          };
          // A closed stream is resumed at once-ish; a failed one after a pause, so a dead server is not hammered.
          retry = setTimeout(() => void again().catch(() => (retry = setTimeout(start, 1000))), err ? 1000 : 200);
        },
      );
    };
    start();
  });
}

/** `skiff get`. */
export const getCommand: Command = {
  name: "get",
  summary: "Display one or many resources",
  usage: `skiff get TYPE[.GROUP] [NAME ...] [flags]

Examples:
  skiff get pods
  skiff get pods -A -o wide
  skiff get pod web -o yaml
  skiff get nodes -w`,
  flags: {
    "all-namespaces": { type: "boolean", short: "A", description: "List the requested objects across all namespaces." },
    selector: { type: "string", short: "l", description: "Selector (label query) to filter on, e.g. -l key1=value1,key2=value2." },
    "field-selector": { type: "string", description: "Selector (field query) to filter on, e.g. --field-selector spec.nodeName=node1." },
    output: { type: "string", short: "o", description: "Output format: wide, yaml, json, name." },
    watch: { type: "boolean", short: "w", description: "After listing the requested objects, watch for changes." },
    "watch-only": { type: "boolean", description: "Watch for changes to the requested objects, without listing them first." },
    "no-headers": { type: "boolean", description: "Don't print headers." },
    "show-labels": { type: "boolean", description: "Show all labels as the last column." },
  },
  run,
};
