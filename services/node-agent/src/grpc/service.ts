// The agent's NodeService (proto skiff.node.v1): container logs, exec, port-forward and pod
// stats for the apiserver. Every call must carry the shared node token; errors are typed API
// errors mapped once through toGrpcError (the apiserver rebuilds them with fromGrpcError).
import { connect } from "node:net";
import { timingSafeEqual } from "node:crypto";
import { Metadata, type ServerDuplexStream, type ServerUnaryCall, type ServerWritableStream, type sendUnaryData, type UntypedHandleCall } from "@grpc/grpc-js";
import type { Logger } from "@skiff/log";
import { ApiError, BadRequestError, NotFoundError, UnauthorizedError, ContainerLabels as L, isMirrorPod, type Pod } from "@skiff/api";
import type { nodev1 } from "@skiff/proto";
import { toGrpcError, type Informer } from "@skiff/client";
import type { Runtime, RuntimeContainer } from "../runtime/runtime.js";
import { podStats } from "../stats/stats.js";
import { imageHandlers } from "../images/service.js";
import type { ImageRuntime } from "../images/runtime.js";
import { proxyHandlers } from "../metrics/proxy.js";
import { streamLogFile } from "../mirror/logs.js";
import { processStats } from "../mirror/process-stats.js";

export interface NodeServiceDeps {
  runtime: Runtime;
  pods: Informer<Pod>;
  clusterName: string;
  nodeName: string;
  /** Empty: no check. */
  token: string;
  log: Logger;
  /** The engine's images (ImageStatus, LoadImage) and what to do after a load. */
  images: ImageRuntime;
  onImagesLoaded?: () => void;
  /** The run dir of the node's proxy/DNS/ingress (their metrics through Proxy); "" = none. */
  runDir?: string;
  /** The node process a mirror pod shows: its log file and, while it runs, its pid (undefined: not one of this node's). */
  mirrorProcess?: (pod: Pod) => { logFile: string; pid?: number } | undefined;
}

function attempt(c: RuntimeContainer): number {
  return Number(c.labels["io.skiff.attempt"] ?? 0) || 0;
}

/** Builds the NodeService implementation. */
export function nodeService(d: NodeServiceDeps): nodev1.NodeServiceServer & Record<string, UntypedHandleCall> {
  const want = Buffer.from(`Bearer ${d.token}`);
  function authorize(md: Metadata): void {
    if (!d.token) return;
    const got = Buffer.from(String(md.get("authorization")[0] ?? ""));
    if (got.length !== want.length || !timingSafeEqual(got, want)) throw new UnauthorizedError("the node token is missing or wrong");
  }

  /** The pod (as this agent sees it) and the named container's instances, newest first. */
  async function resolve(
    ref: nodev1.PodRef | undefined,
    containerName: string,
  ): Promise<{ pod: Pod; container: string; instances: RuntimeContainer[]; sandbox?: RuntimeContainer }> {
    if (!ref?.name || !ref.namespace) throw new BadRequestError("pod namespace and name are required");
    const pod = d.pods.get(`${ref.namespace}/${ref.name}`);
    if (!pod || (ref.uid && pod.metadata.uid !== ref.uid)) throw new NotFoundError("pods", ref.name);
    const all = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].map((c) => c.name);
    let container = containerName;
    if (!container) {
      if (pod.spec.containers.length !== 1)
        throw new BadRequestError(
          `a container name must be specified for pod ${ref.name}, choose one of: [${pod.spec.containers.map((c) => c.name).join(" ")}]`,
        );
      container = pod.spec.containers[0].name;
    }
    if (!all.includes(container)) throw new BadRequestError(`container ${container} is not valid for pod ${ref.name}`);
    if (isMirrorPod(pod))
      throw new BadRequestError(
        `pod ${ref.name} is the mirror pod of this node's ${container} process, which runs outside any container: only kubectl logs works for it`,
      );
    const mine = await d.runtime.list({ [L.cluster]: d.clusterName, [L.node]: d.nodeName, [L.podUid]: pod.metadata.uid! });
    const instances = mine.filter((c) => c.labels[L.kind] !== "sandbox" && c.labels[L.containerName] === container).sort((a, b) => attempt(b) - attempt(a));
    const sandbox = mine.filter((c) => c.labels[L.kind] === "sandbox" && c.state === "running")[0];
    return { pod, container, instances, sandbox };
  }

  function waitingReason(pod: Pod, container: string): string {
    const st = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s) => s.name === container);
    return st?.state.waiting?.reason ?? "ContainerCreating";
  }

  function fail(call: { emit?: (ev: string, e: unknown) => boolean }, cb: ((e: unknown) => void) | undefined, err: unknown, method: string): void {
    if (!(err instanceof ApiError) || err.reason === "InternalError") d.log.warn({ err, method }, "node call failed");
    const e = toGrpcError(err);
    if (cb) cb(e);
    // grpc-js turns an "error" event into the call's status; destroy() would drop it (the caller saw CANCELLED).
    else call.emit?.("error", e);
  }

  return {
    ...imageHandlers({ images: d.images, authorize, fail, onLoaded: d.onImagesLoaded }),
    ...proxyHandlers({ pods: d.pods, authorize, fail, runDir: d.runDir }),

    logs(call: ServerWritableStream<nodev1.LogsRequest, nodev1.LogsResponse>) {
      void (async () => {
        authorize(call.metadata);
        const r = call.request;
        const mirror = r.pod?.namespace && r.pod.name ? d.pods.get(`${r.pod.namespace}/${r.pod.name}`) : undefined;
        if (mirror && isMirrorPod(mirror) && (!r.pod?.uid || mirror.metadata.uid === r.pod.uid)) return mirrorLogs(call, mirror);
        const { pod, container, instances } = await resolve(r.pod, r.container);
        const inst = r.previous ? instances[1] : instances[0];
        if (!inst) {
          if (r.previous) throw new BadRequestError(`previous terminated container "${container}" in pod "${pod.metadata.name}" not found`);
          throw new BadRequestError(`container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${waitingReason(pod, container)}`);
        }
        const stream = await d.runtime.logs(inst.id, {
          follow: r.follow && !r.previous,
          tailLines: r.tailLines,
          sinceSeconds: r.sinceSeconds,
          timestamps: r.timestamps,
        });
        // Headers now, so the caller learns the request was accepted before any log line arrives.
        call.sendMetadata(new Metadata());
        let left = r.limitBytes ?? Infinity;
        call.on("cancelled", () => (stream as unknown as { destroy(): void }).destroy());
        stream.on("data", (chunk: Buffer) => {
          if (left <= 0) return;
          const part = chunk.length > left ? chunk.subarray(0, left) : chunk;
          left -= part.length;
          call.write({ data: part });
          if (left <= 0) {
            (stream as unknown as { destroy(): void }).destroy();
            call.end();
          }
        });
        stream.on("end", () => call.end());
        stream.on("error", (err) => fail(call, undefined, err, "Logs"));
      })().catch((err) => fail(call, undefined, err, "Logs"));
    },

    exec(call: ServerDuplexStream<nodev1.ExecRequest, nodev1.ExecResponse>) {
      let session: Awaited<ReturnType<Runtime["openExec"]>> | undefined;
      let ended = false;
      const pending: nodev1.ExecRequest[] = [];
      const apply = (f: nodev1.ExecRequest) => {
        if (!session) return;
        if (f.stdin !== undefined) session.stdin?.write(f.stdin);
        if (f.stdinClose) session.stdin?.end();
        if (f.resize) session.resize(f.resize.cols, f.resize.rows);
      };
      const onFrame = (f: nodev1.ExecRequest) => {
        if (f.start) {
          void (async () => {
            authorize(call.metadata);
            const s = f.start!;
            const { pod, container, instances } = await resolve(s.pod, s.container);
            const cur = instances[0];
            if (cur?.state !== "running")
              throw new BadRequestError(
                `container "${container}" in pod "${pod.metadata.name}" is waiting to start: ${cur ? "container not running" : waitingReason(pod, container)}`,
              );
            if (!s.attach && !s.command.length) throw new BadRequestError("you must specify at least one command for the container");
            session = s.attach
              ? await d.runtime.openAttach(cur.id, { stdin: s.stdin })
              : await d.runtime.openExec(cur.id, { command: s.command, stdin: s.stdin, tty: s.tty });
            session.stdout.on("data", (b: Buffer) => {
              if (s.stdout || s.tty) call.write({ stdout: b });
            });
            session.stderr.on("data", (b: Buffer) => {
              if (s.stderr) call.write({ stderr: b });
            });
            for (const p of pending.splice(0)) apply(p);
            if (ended) session.stdin?.end();
            const code = await session.exit;
            // Let the last output chunks drain before the exit frame.
            await new Promise((r) => setImmediate(r));
            call.write({ exitCode: code });
            call.end();
          })().catch((err) => fail(call, undefined, err, "Exec"));
        } else if (session) apply(f);
        else pending.push(f);
      };
      call.on("data", onFrame);
      call.on("end", () => {
        ended = true;
        session?.stdin?.end();
      });
      call.on("cancelled", () => session?.kill());
    },

    portForward(call: ServerDuplexStream<nodev1.PortForwardRequest, nodev1.PortForwardResponse>) {
      let sock: ReturnType<typeof connect> | undefined;
      const pending: Buffer[] = [];
      let ended = false;
      call.on("data", (f: nodev1.PortForwardRequest) => {
        if (f.start) {
          void (async () => {
            authorize(call.metadata);
            const { pod, sandbox } = await resolve(f.start!.pod, f.start!.pod ? await firstContainer(f.start!.pod) : "");
            if (!sandbox?.ip) throw new BadRequestError(`pod ${pod.metadata.name} does not have a host assigned or is not running`);
            const port = f.start!.port;
            if (!port || port > 65535) throw new BadRequestError(`invalid port ${port}`);
            // The agent reaches its pods' IPs over the node's bridge: no namespace tricks needed.
            sock = connect({ host: sandbox.ip, port });
            sock.on("connect", () => {
              for (const b of pending.splice(0)) sock!.write(b);
              if (ended) sock!.end();
            });
            sock.on("data", (b: Buffer) => call.write({ data: b }));
            sock.on("end", () => call.end());
            sock.on("error", (err) =>
              fail(call, undefined, new BadRequestError(`error forwarding port ${port} to pod ${pod.metadata.name}: ${err.message}`), "PortForward"),
            );
          })().catch((err) => fail(call, undefined, err, "PortForward"));
        } else if (f.data) {
          if (sock && !sock.connecting) sock.write(f.data);
          else pending.push(Buffer.from(f.data));
        }
      });
      call.on("end", () => {
        ended = true;
        if (sock && !sock.connecting) sock.end();
      });
      call.on("cancelled", () => sock?.destroy());
    },

    podStats(call: ServerUnaryCall<nodev1.PodStatsRequest, nodev1.PodStatsResponse>, cb: sendUnaryData<nodev1.PodStatsResponse>) {
      void (async () => {
        authorize(call.metadata);
        const ref = call.request.pod;
        const pod = d.pods.get(`${ref?.namespace}/${ref?.name}`);
        if (!pod) throw new NotFoundError("pods", ref?.name ?? "");
        if (isMirrorPod(pod)) {
          const pid = d.mirrorProcess?.(pod)?.pid;
          cb(null, { containers: pid === undefined ? [] : await processStats(pid, pod.spec.containers[0]?.name ?? "") });
          return;
        }
        cb(null, { containers: await podStats(d.runtime, { [L.cluster]: d.clusterName, [L.node]: d.nodeName, [L.podUid]: pod.metadata.uid! }) });
      })().catch((err) => fail(call, cb as (e: unknown) => void, err, "PodStats"));
    },
  };

  /** A mirror pod's logs: its node process's log file (one container; no previous instance is kept apart). */
  async function mirrorLogs(call: ServerWritableStream<nodev1.LogsRequest, nodev1.LogsResponse>, pod: Pod): Promise<void> {
    const r = call.request;
    const name = pod.metadata.name;
    const container = pod.spec.containers[0]?.name ?? "";
    if (r.container && r.container !== container) throw new BadRequestError(`container ${r.container} is not valid for pod ${name}`);
    if (r.previous) throw new BadRequestError(`previous terminated container "${container}" in pod "${name}" not found`);
    const file = d.mirrorProcess?.(pod)?.logFile;
    if (!file) throw new NotFoundError("pods", name ?? "");
    let cancelled = false;
    call.on("cancelled", () => (cancelled = true));
    call.sendMetadata(new Metadata());
    await streamLogFile(
      file,
      { follow: r.follow, tailLines: r.tailLines, sinceSeconds: r.sinceSeconds, timestamps: r.timestamps, limitBytes: r.limitBytes },
      (data) => call.write({ data }),
      () => cancelled,
    );
    call.end();
  }

  /** Port-forward targets the pod, not a container: any container name resolves the sandbox. */
  async function firstContainer(ref: nodev1.PodRef): Promise<string> {
    return d.pods.get(`${ref.namespace}/${ref.name}`)?.spec.containers[0]?.name ?? "";
  }
}
