// skiff exec: runs a command in a pod's container through the apiserver (ResourceService.PodExec):
// -i forwards this process's stdin, -t gives the command a terminal (raw mode here, resizes
// forwarded); the command's exit code becomes skiff's.
import { StringDecoder } from "node:string_decoder";
import { fromGrpcError } from "@skiff/client";

/** The gRPC error shape fromGrpcError reads. */
type GrpcError = Parameters<typeof fromGrpcError>[0];
import { UsageError } from "../cli/args.js";
import type { Command, Context } from "../cli/context.js";

async function run(ctx: Context): Promise<number> {
  const [pod, ...command] = ctx.positionals;
  if (!pod || command.length === 0) throw new UsageError("expected POD and a command: skiff exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [args...]");
  const name = pod.replace(/^(pods?|po)\//, "");
  const stdinWanted = ctx.flags.bool("stdin");
  const input = process.stdin;
  // Like kubectl: -t without a terminal on stdin is ignored, with a note.
  let tty = ctx.flags.bool("tty");
  if (tty && !(stdinWanted && input.isTTY)) {
    ctx.err.write("Unable to use a TTY - input is not a terminal or the right kind of file\n");
    tty = false;
  }
  const call = ctx.client().podExec();
  call.write({
    start: { namespace: ctx.namespace, name, container: ctx.flags.string("container") ?? "", command, stdin: stdinWanted, stdout: true, stderr: !tty, tty },
  });
  const out = new StringDecoder("utf8");
  const errText = new StringDecoder("utf8");
  const cleanups: (() => void)[] = [];
  if (stdinWanted) {
    if (tty) {
      input.setRawMode(true);
      cleanups.push(() => input.setRawMode(false));
      const resize = () => call.write({ resize: { cols: process.stdout.columns ?? 80, rows: process.stdout.rows ?? 24 } });
      resize();
      process.stdout.on("resize", resize);
      cleanups.push(() => process.stdout.off("resize", resize));
    }
    const onData = (b: Buffer) => call.write({ stdin: b });
    const onEnd = () => call.write({ stdinClose: true });
    input.on("data", onData);
    input.once("end", onEnd);
    cleanups.push(() => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.pause();
    });
  }
  return new Promise<number>((resolve, reject) => {
    let code: number | undefined;
    const done = (fn: () => void) => {
      for (const c of cleanups.splice(0)) c();
      fn();
    };
    call.on("data", (f: { stdout?: Buffer; stderr?: Buffer; exitCode?: number }) => {
      if (f.stdout !== undefined) ctx.out.write(out.write(f.stdout));
      if (f.stderr !== undefined) ctx.err.write(errText.write(f.stderr));
      if (f.exitCode !== undefined) code = f.exitCode;
    });
    call.on("end", () =>
      done(() => {
        if (code === undefined) return reject(new Error("the exec stream ended without an exit code"));
        // kubectl's wording for a failed command (the exit code is still passed on).
        if (code !== 0 && !tty) ctx.err.write(`command terminated with exit code ${code}\n`);
        resolve(code);
      }),
    );
    call.on("error", (err: GrpcError) => done(() => reject(fromGrpcError(err))));
  });
}

/** `skiff exec`. */
export const execCommand: Command = {
  name: "exec",
  summary: "Execute a command in a container",
  usage: "skiff exec POD [-c CONTAINER] [-i] [-t] -- COMMAND [args...]",
  flags: {
    container: { type: "string", short: "c", description: "Container name. If omitted, the pod's only container." },
    stdin: { type: "boolean", short: "i", description: "Pass stdin to the container." },
    tty: { type: "boolean", short: "t", description: "Stdin is a TTY." },
  },
  run,
};
