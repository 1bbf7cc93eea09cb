// ResourceService's PodLogs and PodExec (what `skiff logs` / `skiff exec` call): the same
// node-connector streams the REST API's log and exec subresources use, framed as gRPC.
import type { ServerDuplexStream, ServerWritableStream } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import { ApiError, BadRequestError, UnavailableError, type Pod } from "@skiff/api";
import type { PodExecRequest, PodExecResponse, PodLogsRequest, PodLogsResponse } from "@skiff/proto";
import { toGrpcError } from "@skiff/client";
import type { Registry } from "../registry/registry.js";
import type { ExecSession, NodeConnector } from "../nodes/connector.js";
import { chooseContainer, noConnectorMessage } from "../nodes/containers.js";

/** Builds the two pod-stream handlers; without a connector both answer Unavailable. */
export function podStreamHandlers(registry: Registry, connector: NodeConnector | undefined, log: Logger) {
  function fail(call: { emit(ev: string, e: unknown): boolean }, err: unknown, method: string): void {
    if (!(err instanceof ApiError) || err.reason === "InternalError") log.warn({ err, method }, "pod stream failed");
    // grpc-js turns an "error" event into the call's status.
    call.emit("error", toGrpcError(err));
  }

  async function podFor(namespace: string, name: string): Promise<{ pod: Pod; connector: NodeConnector }> {
    if (!connector) throw new UnavailableError(noConnectorMessage);
    if (!name) throw new BadRequestError("a pod name is required");
    const pod = (await registry.get("pods", namespace || "default", name)) as Pod;
    if (!pod.spec.nodeName) throw new BadRequestError(`pod ${name} does not have a host assigned`);
    return { pod, connector };
  }

  return {
    podLogs(call: ServerWritableStream<PodLogsRequest, PodLogsResponse>): void {
      const r = call.request;
      void (async () => {
        const { pod, connector } = await podFor(r.namespace, r.name);
        if (r.tailLines !== undefined && r.tailLines < 0) throw new BadRequestError("tailLines: must be greater than or equal to 0");
        const stream = await connector.logs(pod, {
          container: chooseContainer(pod, r.container),
          follow: r.follow,
          previous: r.previous,
          tailLines: r.tailLines,
          sinceSeconds: r.sinceSeconds,
          timestamps: r.timestamps,
          limitBytes: r.limitBytes,
        });
        call.on("cancelled", () => stream.destroy());
        stream.on("data", (b: Buffer) => call.write({ data: b }));
        stream.on("end", () => call.end());
        stream.on("error", (err) => fail(call, err, "PodLogs"));
      })().catch((err) => fail(call, err, "PodLogs"));
    },

    podExec(call: ServerDuplexStream<PodExecRequest, PodExecResponse>): void {
      let session: ExecSession | undefined;
      let started = false;
      let cancelled = false;
      // Frames that arrive while the session is being opened are applied once it is.
      const pending: PodExecRequest[] = [];
      const apply = (f: PodExecRequest) => {
        if (!session) return void pending.push(f);
        if (f.stdin !== undefined) session.stdin?.write(f.stdin);
        if (f.stdinClose) session.stdin?.end();
        if (f.resize) session.resize(f.resize.cols, f.resize.rows);
      };
      call.on("cancelled", () => {
        cancelled = true;
        session?.close();
      });
      call.on("end", () => {
        if (session) session.stdin?.end();
        else pending.push({ stdinClose: true });
      });
      call.on("data", (f: PodExecRequest) => {
        if (!f.start) return apply(f);
        if (started) return fail(call, new BadRequestError("the exec session has already started"), "PodExec");
        started = true;
        const s = f.start;
        void (async () => {
          const { pod, connector } = await podFor(s.namespace, s.name);
          if (s.command.length === 0) throw new BadRequestError("you must specify at least 1 command");
          const tty = s.tty;
          session = await connector.exec(pod, {
            container: chooseContainer(pod, s.container),
            command: s.command,
            stdin: s.stdin,
            stdout: s.stdout || tty,
            stderr: s.stderr && !tty,
            tty,
          });
          if (cancelled) return session.close();
          for (const p of pending.splice(0)) apply(p);
          const outputs = [
            [session.stdout, "stdout"],
            [session.stderr, "stderr"],
          ] as const;
          const drained = outputs.map(
            ([stream, key]) =>
              new Promise<void>((resolve) => {
                if (!stream) return resolve();
                stream.on("data", (b: Buffer) => call.write({ [key]: b }));
                stream.on("end", resolve);
                stream.on("error", () => resolve());
              }),
          );
          const code = await session.exit;
          await Promise.all(drained);
          call.write({ exitCode: code });
          call.end();
        })().catch((err) => fail(call, err, "PodExec"));
      });
    },
  };
}
