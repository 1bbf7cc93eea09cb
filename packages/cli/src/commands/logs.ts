// skiff logs: a container's log through the apiserver (ResourceService.PodLogs), which reaches
// the node agent running the pod; -f keeps following until the pod's container stops or Ctrl-C.
import { StringDecoder } from "node:string_decoder";
import { fromGrpcError } from "@skiff/client";

/** The gRPC error shape fromGrpcError reads. */
type GrpcError = Parameters<typeof fromGrpcError>[0];
import { UsageError } from "../cli/args.js";
import type { Command, Context } from "../cli/context.js";

/** Parses a non-negative integer flag; undefined when absent. */
export function intFlag(ctx: Context, name: string, allowNegativeOne = false): number | undefined {
  const raw = ctx.flags.string(name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || (n < 0 && !(allowNegativeOne && n === -1)))
    throw new UsageError(`invalid argument "${raw}" for "--${name}" flag: must be a whole number${allowNegativeOne ? " (or -1)" : ""} >= 0`);
  return n;
}

/** Parses a duration like 10s, 5m, 1h30m into whole seconds (kubectl's --since). */
export function parseDurationSeconds(raw: string): number {
  const m = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/.exec(raw.trim());
  if (!raw.trim() || !m) throw new UsageError(`invalid argument "${raw}" for "--since" flag: time: invalid duration "${raw}"`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

async function run(ctx: Context): Promise<number> {
  const [pod, ...rest] = ctx.positionals;
  if (!pod) throw new UsageError("expected POD: skiff logs POD [-c CONTAINER]");
  if (rest.length) throw new UsageError(`unexpected arguments: ${rest.join(" ")}`);
  const name = pod.replace(/^(pods?|po)\//, "");
  const tail = intFlag(ctx, "tail", true);
  const since = ctx.flags.string("since");
  const stream = ctx.client().podLogs({
    namespace: ctx.namespace,
    name,
    container: ctx.flags.string("container") ?? "",
    follow: ctx.flags.bool("follow"),
    previous: ctx.flags.bool("previous"),
    tailLines: tail === -1 ? undefined : tail,
    sinceSeconds: since ? Math.max(1, parseDurationSeconds(since)) : undefined,
    timestamps: ctx.flags.bool("timestamps"),
    limitBytes: intFlag(ctx, "limit-bytes"),
  });
  const text = new StringDecoder("utf8");
  return new Promise<number>((resolve, reject) => {
    const stop = () => {
      stream.cancel();
      resolve(0);
    };
    process.once("SIGINT", stop);
    stream.on("data", (m: { data: Buffer }) => ctx.out.write(text.write(m.data)));
    stream.on("end", () => {
      process.off("SIGINT", stop);
      ctx.out.write(text.end());
      resolve(0);
    });
    stream.on("error", (err: GrpcError) => {
      process.off("SIGINT", stop);
      reject(fromGrpcError(err));
    });
  });
}

/** `skiff logs`. */
export const logsCommand: Command = {
  name: "logs",
  summary: "Print the logs for a container in a pod",
  usage: "skiff logs POD [-c CONTAINER] [-f] [-p] [--tail N] [--since 10m] [--timestamps]",
  flags: {
    container: { type: "string", short: "c", description: "Print the logs of this container." },
    follow: { type: "boolean", short: "f", description: "Specify if the logs should be streamed." },
    previous: { type: "boolean", short: "p", description: "Print the logs for the previous instance of the container." },
    tail: { type: "string", description: "Lines of recent log file to display (-1: all).", default: "-1" },
    since: { type: "string", description: "Only return logs newer than a relative duration like 5s, 2m, or 3h." },
    timestamps: { type: "boolean", description: "Include timestamps on each line in the log output." },
    "limit-bytes": { type: "string", description: "Maximum bytes of logs to return." },
  },
  run,
};
