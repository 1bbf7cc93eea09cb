// Where `skiff image load` sends images: the node containers of a container topology
// (`skiff up --nodes`, found through cluster.json or --name), of a compose project (found by the
// project directory of --home, or --project), or — on VMs — every Node's agent through its
// NodeService (ImageStatus + LoadImage, with the node token). Each target answers the same two
// questions: which id does it hold for an image, and load this archive.
import { spawn } from "node:child_process";
import { createReadStream, existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { Transform } from "node:stream";
import { Metadata, type ClientWritableStream } from "@grpc/grpc-js";
import { mtlsChannelCredentials, nodeUser } from "@skiff/client";
import type { Node } from "@skiff/api";
import { nodev1 } from "@skiff/proto";
import { readClusterInfo } from "../cli/connection.js";
import type { Context } from "../cli/context.js";
import { CliError } from "../cli/errors.js";
import { docker, dockerLines, topologyContainers } from "../topology/docker.js";

/** A node an image can be loaded into. */
export interface NodeTarget {
  name: string;
  /** Why the node cannot take images now (stopped container, NotReady node); undefined when it can. */
  down?: string;
  /** The id the node's engine holds for `image`, or undefined. */
  imageId(image: string): Promise<string | undefined>;
  /** Streams a `docker save` archive into the node's engine; `progress` gets the bytes sent so far. */
  load(archive: string, images: string[], progress: (sent: number) => void): Promise<string>;
  close?(): void;
}

/** The node cannot be reached (its agent is not answering): reported as down, not as a failure. */
export class NodeDownError extends Error {}

/** A gRPC error as a plain one; UNAVAILABLE or DEADLINE_EXCEEDED (no connection) as NodeDownError. */
function grpcError(err: { code?: number; details?: string; message: string }, address: string): Error {
  return err.code === 14 || err.code === 4
    ? new NodeDownError(`its agent at ${address} does not answer: ${err.details || err.message}`)
    : new Error(err.details || err.message);
}

/** How the targets were found (printed in the summary). */
export interface Targets {
  how: string;
  nodes: NodeTarget[];
}

/** Counts bytes flowing through. */
function counter(progress: (n: number) => void): Transform {
  let n = 0;
  return new Transform({
    transform(chunk: Buffer, _e, cb) {
      n += chunk.length;
      progress(n);
      cb(null, chunk);
    },
  });
}

/** A node container: `docker exec` into its own engine. */
function containerTarget(name: string, state: string): NodeTarget {
  return {
    name,
    down: state === "running" ? undefined : `container ${state}`,
    async imageId(image) {
      return docker(["exec", name, "docker", "image", "inspect", "-f", "{{.Id}}", image], 30_000).catch(() => undefined) || undefined;
    },
    load(archive, _images, progress) {
      return new Promise((resolve, reject) => {
        const p = spawn("docker", ["exec", "-i", name, "docker", "load"], { stdio: ["pipe", "pipe", "pipe"] });
        let out = "";
        p.stdout.on("data", (d) => (out += d));
        p.stderr.on("data", (d) => (out += d));
        const src = createReadStream(archive);
        src.pipe(counter(progress)).pipe(p.stdin);
        p.stdin.on("error", () => undefined); // the exit code tells
        p.on("error", reject);
        p.on("close", (code) => (code === 0 ? resolve(out.trim()) : reject(new Error(out.trim() || `docker load exited ${code}`))));
      });
    },
  };
}

/** The compose project's directory: --home's parent when --home is a .skiff-compose directory, else the current directory when it has one. */
function composeDir(ctx: Context): string | undefined {
  const home = resolve(ctx.home);
  if (basename(home) === ".skiff-compose") return dirname(home);
  return existsSync(join(process.cwd(), ".skiff-compose")) ? process.cwd() : undefined;
}

/** Node containers of a compose project (services node-*), by --project or by the project directory. */
async function composeNodes(ctx: Context): Promise<{ project: string; nodes: NodeTarget[] } | undefined> {
  const project = ctx.flags.string("project") ?? ctx.env.COMPOSE_PROJECT_NAME;
  const dir = composeDir(ctx);
  if (!project && !dir) return undefined;
  const filter = project ? `label=com.docker.compose.project=${project}` : `label=com.docker.compose.project.working_dir=${dir}`;
  const ids = await dockerLines(["ps", "-aq", "--filter", filter]);
  if (!ids.length) return undefined;
  const rows = await dockerLines([
    "inspect",
    "-f",
    `{{.Name}}|{{index .Config.Labels "com.docker.compose.service"}}|{{index .Config.Labels "com.docker.compose.project"}}|{{.State.Status}}`,
    ...ids,
  ]);
  const nodes = rows
    .map((r) => r.split("|"))
    .filter(([, svc]) => /^node(-\d+)?$/.test(svc))
    .sort((a, b) => a[1].localeCompare(b[1], undefined, { numeric: true }));
  if (!nodes.length) return undefined;
  return { project: nodes[0][2], nodes: nodes.map(([n, , , state]) => containerTarget(n.replace(/^\//, ""), state)) };
}

/** The node token for the NodeService: --node-token, $SKIFF_NODE_TOKEN, else cluster.json (skiff controlplane records it). */
function nodeToken(ctx: Context): string {
  return ctx.flags.string("node-token") ?? ctx.env.SKIFF_NODE_TOKEN ?? readClusterInfo(ctx.home)?.nodeToken ?? "";
}

/** Every Node's agent through its NodeService (VMs, or any topology with --via api). */
async function apiTargets(ctx: Context): Promise<NodeTarget[]> {
  const nodes = (await ctx.client().list<Node>("nodes")).items;
  if (!nodes.length) throw new CliError("the cluster has no nodes (kubectl get nodes)");
  const token = nodeToken(ctx);
  const md = new Metadata();
  if (token) md.set("authorization", `Bearer ${token}`);
  const tlsDir = ctx.tlsDir;
  if (!tlsDir) throw new CliError("no client certificate for the node agents: use --tls-dir DIR or $SKIFF_TLS_DIR (an administrator's, in system:masters)");
  return nodes.map((n): NodeTarget => {
    const name = n.metadata.name!;
    const ready = n.status?.conditions?.find((c) => c.type === "Ready")?.status === "True";
    const ep = n.status?.daemonEndpoints?.kubeletEndpoint;
    const host = ep?.Address ?? n.status?.addresses?.find((a) => a.type === "InternalIP")?.address;
    const down = !ready
      ? "node NotReady (its agent is not heartbeating)"
      : !host || !ep?.Port
        ? "node publishes no agent address (status.daemonEndpoints)"
        : undefined;
    // Mutual TLS: the agent accepts an administrator's certificate for image calls, and must present node `name`'s.
    const address = down ? "" : `${host!.includes(":") ? `[${host}]` : host}:${ep!.Port}`;
    const creds = mtlsChannelCredentials({ dir: tlsDir }, (id) => id.user === nodeUser(name), `node ${name}'s agent (${nodeUser(name)})`);
    const client = down ? undefined : new nodev1.NodeServiceClient(address, creds, { "grpc.max_send_message_length": 16 * 1024 * 1024 });
    return {
      name,
      down,
      imageId: (image) =>
        new Promise((resolve, reject) => {
          client!.imageStatus({ names: [image] }, md, { deadline: Date.now() + 15_000 }, (err, res) =>
            err ? reject(grpcError(err, address)) : resolve(res.images[0]?.present ? res.images[0].id : undefined),
          );
        }),
      load: (archive, images, progress) =>
        new Promise((resolve, reject) => {
          let call: ClientWritableStream<nodev1.LoadImageRequest> | undefined;
          call = client!.loadImage(md, (err, res) => (err ? reject(grpcError(err, address)) : resolve(res!.message)));
          call.write({ start: { names: images } });
          let sent = 0;
          const src = createReadStream(archive, { highWaterMark: 1024 * 1024 });
          src.on("data", (chunk) => {
            sent += chunk.length;
            progress(sent);
            if (!call!.write({ data: chunk as Buffer })) {
              src.pause();
              call!.once("drain", () => src.resume());
            }
          });
          src.on("end", () => call!.end());
          src.on("error", (err) => {
            call!.cancel();
            reject(err);
          });
        }),
      close: () => client?.close(),
    };
  });
}

/** Finds the nodes: --via api, else a container topology, else a compose project, else the API. */
export async function findTargets(ctx: Context): Promise<Targets> {
  const via = ctx.flags.string("via");
  if (via && via !== "api" && via !== "docker") throw new CliError(`--via: docker or api, got ${JSON.stringify(via)}`);
  if (via !== "api") {
    const recorded = readClusterInfo(ctx.home)?.topology;
    const name = ctx.flags.string("name") ?? recorded?.name;
    if (name) {
      const network = recorded && recorded.name === name ? recorded.network : `${name}-net`;
      const nodes = (await topologyContainers(name, network)).filter((c) => c.role === "node");
      if (!nodes.length) throw new CliError(`the container topology ${name} has no node containers (is it up? ./skiff up --nodes N)`);
      return { how: `container topology ${name} (docker exec)`, nodes: nodes.map((c) => containerTarget(c.name, c.state)) };
    }
    const compose = await composeNodes(ctx);
    if (compose) return { how: `compose project ${compose.project} (docker exec)`, nodes: compose.nodes };
    if (via === "docker")
      throw new CliError(
        "no container topology or compose project found: give --name (skiff up --nodes), or --project / --home DIR/.skiff-compose (docker compose)",
      );
  }
  return { how: "the node agents' API", nodes: await apiTargets(ctx) };
}
