// Watch over HTTP: chunked newline-delimited JSON events ({"type","object"}), bookmarks when
// allowed, Tables when kubectl asks for them, and errors (410 Expired) as an ERROR event.
import type { IncomingMessage, ServerResponse } from "node:http";
import { apiVersionOf, type KObject, type ResourceInfo } from "@skiff/api";
import type { RestContext } from "./context.js";
import { statusOf } from "../http/respond.js";
import { buildTable, partialMetadata, type Representation } from "../tables/negotiate.js";

/** Parameters of one watch. */
export interface WatchParams {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  allowBookmarks: boolean;
  /** Ends the watch after this many seconds (default 30 minutes, like the apiserver's). */
  timeoutSeconds?: number;
  representation: Representation;
  includeObject: string | null;
}

/** Streams a watch until the client leaves, the timeout passes or the watch fails. */
export async function serveWatch(ctx: RestContext, req: IncomingMessage, res: ServerResponse, info: ResourceInfo, p: WatchParams): Promise<void> {
  res.writeHead(200, { "Content-Type": "application/json", "Cache-Control": "no-cache, private", "Transfer-Encoding": "chunked" });
  res.flushHeaders();
  let ended = false;
  let stop: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const end = () => {
    if (ended) return;
    ended = true;
    if (timer) clearTimeout(timer);
    stop?.();
    res.end();
  };
  const transform = (type: string, o: KObject): unknown => {
    if (p.representation === "metadata") return type === "BOOKMARK" ? o : partialMetadata(o);
    if (p.representation !== "table") return type === "BOOKMARK" || !info.conversion ? o : info.conversion.fromStored(o);
    if (type === "BOOKMARK") return { ...buildTable(info.resource, [], p.includeObject, o.metadata.resourceVersion), rows: [] };
    return buildTable(info.resource, [o], p.includeObject, o.metadata.resourceVersion);
  };
  const write = (type: string, object: unknown) => {
    if (!ended) res.write(JSON.stringify({ type, object }) + "\n");
  };
  req.on("close", end);
  res.on("close", end);
  timer = setTimeout(end, (p.timeoutSeconds && p.timeoutSeconds > 0 ? p.timeoutSeconds : 1800) * 1000);
  timer.unref();
  const fail = (err: unknown) => {
    write("ERROR", statusOf(err, ctx.log));
    end();
  };
  try {
    const s = await ctx.registry.watch(
      info.resource,
      {
        namespace: p.namespace,
        labelSelector: p.labelSelector,
        fieldSelector: p.fieldSelector,
        resourceVersion: p.resourceVersion,
        bookmarkIntervalMs: p.allowBookmarks ? ctx.bookmarkIntervalMs : 0,
      },
      (e) => {
        if (e.type === "BOOKMARK") e.object.apiVersion ??= apiVersionOf(info);
        write(e.type, transform(e.type, e.object));
      },
      fail,
    );
    if (ended) s();
    else stop = s;
  } catch (err) {
    fail(err);
  }
}
