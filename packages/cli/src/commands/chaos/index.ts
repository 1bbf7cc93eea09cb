// skiff chaos VERB: faults for chaos scripts, on the container topology (`skiff up --nodes N`)
// and, where it makes sense, on the single-host cluster. Each verb exits 0 when the fault was
// applied and 1 when not; `-o json` prints one machine-readable result object.
import type { Pod } from "@skiff/api";
import { parseDuration, UsageError } from "../../cli/args.js";
import { readClusterInfo } from "../../cli/connection.js";
import type { Command, Context } from "../../cli/context.js";
import { CliError } from "../../cli/errors.js";
import { clusterPaths, cmdlineMarker, pidFile, type ComponentName } from "../../cluster/paths.js";
import { runningPid } from "../../cluster/processes.js";
import { docker } from "../../topology/docker.js";
import { currentTopology, type CurrentTopology } from "../../topology/current.js";
import { LEASE_BUCKET, natsTls } from "@skiff/client";
import { containerOfHolder, FirstLeaderLookup, leaseKey, LeaseObjectLeaderLookup, NatsKvLeaderLookup, natsStreamLeader } from "./leader.js";
import { pickSeeded } from "./pick.js";

/** What a verb did. */
export interface ChaosResult {
  verb: string;
  /** What was hit: container names, process names or pod names. */
  targets: string[];
  message: string;
  details?: Record<string, unknown>;
}

type Verb = (ctx: Context, args: string[]) => Promise<ChaosResult>;

/** The container topology, or undefined on a single-host cluster. */
async function topologyOrHost(ctx: Context): Promise<CurrentTopology | undefined> {
  if (!ctx.flags.has("name") && !readClusterInfo(ctx.home)?.topology) return undefined;
  return currentTopology(ctx);
}

function one(args: string[], what: string): string {
  if (args.length !== 1) throw new UsageError(`expected exactly one ${what}`);
  return args[0];
}

/** The container of a node (by node name = container name, or by index "2"). */
function nodeContainer(topo: CurrentTopology, name: string): string {
  const nodes = topo.containers.filter((c) => c.role === "node");
  const c = nodes.find((n) => n.name === name || String(n.index) === name);
  if (!c) throw new CliError(`node ${name} is not a node of ${topo.name} (nodes: ${nodes.map((n) => n.name).join(", ")})`);
  return c.name;
}

/** The container of role + index ("2" → <name>-apiserver-2). */
function roleContainer(topo: CurrentTopology, role: string, index: string): string {
  const all = topo.containers.filter((c) => c.role === role);
  const c = all.find((x) => String(x.index) === index || x.name === index);
  if (!c) throw new CliError(`no ${role} ${index} in ${topo.name} (have: ${all.map((x) => x.index).join(", ")})`);
  return c.name;
}

/** Signals a single-host process by its pid file. */
function signalProcess(ctx: Context, name: ComponentName, sig: NodeJS.Signals): number {
  const pid = runningPid(pidFile(clusterPaths(ctx.home), name), cmdlineMarker(name));
  if (pid === undefined) throw new CliError(`${name} is not running (./skiff status)`);
  process.kill(pid, sig);
  return pid;
}

/** Kills a single-host process (SIGKILL) or a container (docker kill). */
function killVerb(role: ComponentName, describe: string): Verb {
  return async (ctx, args) => {
    const topo = await topologyOrHost(ctx);
    const which = role === "node-agent" ? one(args, "NODE") : (args[0] ?? "1");
    if (!topo) {
      if (which !== "1" && role !== "node-agent") throw new CliError(`the single-host cluster has one ${describe}`);
      const pid = signalProcess(ctx, role, "SIGKILL");
      return { verb: "", targets: [role], message: `killed ${role} (pid ${pid}); start the cluster again with ./skiff down && ./skiff up`, details: { pid } };
    }
    const c =
      role === "node-agent"
        ? nodeContainer(topo, which)
        : roleContainer(
            topo,
            role === "nats" ? "nats" : role,
            role === "nats" && which === "store-leader" ? await storeLeaderIndex(topo, natsTlsOf(ctx)) : which,
          );
    await docker(["kill", c]);
    return { verb: "", targets: [c], message: `killed ${c} (bring it back with: skiff chaos revive ${c})` };
  };
}

/**
 * The index of the NATS server leading the cluster store's stream (KV_skiff: the topology's
 * apiservers use the default bucket); topology NATS servers are named n1, n2, n3.
 */
async function storeLeaderIndex(topo: CurrentTopology, tls?: object): Promise<string> {
  const ips = topo.containers.filter((c) => c.role === "nats" && c.state === "running" && c.ip).map((c) => `nats://${c.ip}:4222`);
  if (!ips.length) throw new CliError(`no running NATS server in ${topo.name}`);
  const leader = await natsStreamLeader(ips, "KV_skiff", tls);
  const m = leader?.match(/^n(\d+)$/);
  if (!m) throw new CliError(`the store's stream has no leader${leader ? ` named like n1..n3 (${leader})` : " right now"}`);
  return m[1];
}

/** Runs a shell script inside a node container, against its cluster-network interface. */
async function partitionScript(node: string, ip: string, on: boolean): Promise<void> {
  // iptables in the node's own network namespace: the node keeps its address (a network
  // disconnect would lose it), only the traffic of its cluster interface is dropped — its own
  // (INPUT/OUTPUT) and its pods' (FORWARD).
  const script = on
    ? `set -e; dev=$(ip -o -4 addr show | awk '$4 ~ /^${ip.replace(/\./g, "\\.")}\\// {print $2; exit}'); [ -n "$dev" ] || { echo "no interface with ${ip}" >&2; exit 1; }
       iptables -N SKIFF-PARTITION 2>/dev/null || iptables -F SKIFF-PARTITION
       iptables -A SKIFF-PARTITION -i "$dev" -j DROP; iptables -A SKIFF-PARTITION -o "$dev" -j DROP
       iptables -C INPUT -j SKIFF-PARTITION 2>/dev/null || iptables -I INPUT -j SKIFF-PARTITION
       iptables -C OUTPUT -j SKIFF-PARTITION 2>/dev/null || iptables -I OUTPUT -j SKIFF-PARTITION
       iptables -C FORWARD -j SKIFF-PARTITION 2>/dev/null || iptables -I FORWARD -j SKIFF-PARTITION`
    : `for c in INPUT OUTPUT FORWARD; do iptables -D $c -j SKIFF-PARTITION 2>/dev/null; done; iptables -F SKIFF-PARTITION 2>/dev/null; iptables -X SKIFF-PARTITION 2>/dev/null; true`;
  await docker(["exec", node, "sh", "-c", script]);
}

/**
 * Pauses or unpauses, in a node container's own engine, each container in `status`, one by one:
 * one that left that status since the list (stopped or removed by the node's agent) is not an
 * error; one still in it is.
 */
async function eachNodeContainer(node: string, verb: "pause" | "unpause", status: "running" | "paused"): Promise<void> {
  const script = `for id in $(docker ps -q --filter status=${status}); do docker ${verb} "$id" >/dev/null 2>&1 || [ "$(docker inspect -f "{{.State.Status}}" "$id" 2>/dev/null)" != ${status} ] || { echo "cannot ${verb} $id" >&2; exit 1; }; done`;
  await docker(["exec", node, "sh", "-c", script]);
}

const verbs: Record<string, { usage: string; run: Verb }> = {
  "kill-node": { usage: "kill-node NODE", run: killVerb("node-agent", "node") },
  "kill-nats": { usage: "kill-nats N|store-leader", run: killVerb("nats", "NATS server") },
  "kill-apiserver": { usage: "kill-apiserver N", run: killVerb("apiserver", "apiserver") },
  "pause-node": {
    usage: "pause-node NODE",
    run: async (ctx, args) => {
      const topo = await topologyOrHost(ctx);
      if (!topo) return { verb: "", targets: ["node-agent"], message: `stopped node-agent (pid ${signalProcess(ctx, "node-agent", "SIGSTOP")}) with SIGSTOP` };
      const c = nodeContainer(topo, one(args, "NODE"));
      // The pods' cgroups live outside the node container's (the inner engine's --cgroup-parent),
      // so freeze them in the node's engine first: the whole machine stops, pods included.
      await eachNodeContainer(c, "pause", "running");
      await docker(["pause", c]);
      return { verb: "", targets: [c], message: `paused ${c} (every process of the node and its pods is frozen)` };
    },
  },
  "unpause-node": {
    usage: "unpause-node NODE",
    run: async (ctx, args) => {
      const topo = await topologyOrHost(ctx);
      if (!topo) return { verb: "", targets: ["node-agent"], message: `continued node-agent (pid ${signalProcess(ctx, "node-agent", "SIGCONT")})` };
      const c = nodeContainer(topo, one(args, "NODE"));
      await docker(["unpause", c]);
      await eachNodeContainer(c, "unpause", "paused");
      return { verb: "", targets: [c], message: `unpaused ${c}` };
    },
  },
  "partition-node": {
    usage: "partition-node NODE",
    run: async (ctx, args) => {
      const topo = await topologyOrHost(ctx);
      if (!topo) throw new CliError("partition-node needs the container topology (the single-host cluster has no network between its parts)");
      const c = nodeContainer(topo, one(args, "NODE"));
      const ip = topo.containers.find((x) => x.name === c)!.ip;
      if (!ip) throw new CliError(`${c} has no address on ${topo.network}`);
      await partitionScript(c, ip, true);
      return { verb: "", targets: [c], message: `cut ${c} (${ip}) off the cluster network; undo with: skiff chaos heal ${c}` };
    },
  },
  heal: {
    usage: "heal NODE",
    run: async (ctx, args) => {
      const topo = await topologyOrHost(ctx);
      if (!topo) throw new CliError("heal needs the container topology");
      const c = nodeContainer(topo, one(args, "NODE"));
      await partitionScript(c, "", false);
      return { verb: "", targets: [c], message: `reconnected ${c} to the cluster network` };
    },
  },
  revive: {
    usage: "revive CONTAINER",
    run: async (ctx, args) => {
      const topo = await topologyOrHost(ctx);
      if (!topo) throw new CliError("revive needs the container topology (restart the single-host cluster with ./skiff down && ./skiff up)");
      const name = one(args, "CONTAINER");
      const c = topo.containers.find((x) => x.name === name);
      if (!c) throw new CliError(`no container ${name} in ${topo.name}`);
      if (c.state === "paused") await docker(["unpause", name]);
      else await docker(["start", name]);
      return { verb: "", targets: [name], message: `started ${name} again` };
    },
  },
  "kill-leader": {
    usage: "kill-leader scheduler|controller-manager",
    run: async (ctx, args) => {
      const component = one(args, "component");
      if (component !== "scheduler" && component !== "controller-manager")
        throw new UsageError(`kill-leader takes scheduler or controller-manager, got ${component}`);
      const topo = await topologyOrHost(ctx);
      if (!topo) {
        const pid = signalProcess(ctx, component, "SIGKILL");
        return { verb: "", targets: [component], message: `killed ${component} (pid ${pid}), the only one of the single-host cluster` };
      }
      const natsIps = topo.containers.filter((c) => c.role === "nats" && c.state === "running" && c.ip).map((c) => `nats://${c.ip}:4222`);
      const bucket = ctx.flags.string("lease-bucket") ?? LEASE_BUCKET;
      const lookup = new FirstLeaderLookup([
        ...(natsIps.length ? [new NatsKvLeaderLookup(natsIps, bucket, natsTlsOf(ctx))] : []),
        new LeaseObjectLeaderLookup(ctx.client()),
      ]);
      const key = leaseKey(component, ctx.flags.string("scheduler-name"));
      const holder = await lookup.holder(key);
      if (!holder) throw new CliError(`no leader found for ${component}: no lease ${key} in the NATS KV bucket ${bucket} (is leader election on?)`);
      const names = topo.containers.filter((c) => c.role === component).map((c) => c.name);
      const c = containerOfHolder(holder, names);
      if (!c) throw new CliError(`the ${component} lease is held by ${holder}, which is none of ${names.join(", ")}`);
      await docker(["kill", c]);
      return { verb: "", targets: [c], message: `killed the ${component} leader ${c}`, details: { holder, lease: key } };
    },
  },
  "kill-pods": {
    usage: "kill-pods -l SELECTOR [--count K] [--seed S] [-n NS | -A]",
    run: async (ctx, args) => {
      if (args.length) throw new UsageError("kill-pods takes no arguments: select pods with -l");
      const selector = ctx.flags.string("selector");
      if (!selector) throw new UsageError("kill-pods needs -l SELECTOR (pods are never killed at random cluster-wide)");
      const count = Number(ctx.flags.string("count") ?? 1);
      if (!Number.isInteger(count) || count < 1) throw new UsageError(`invalid --count ${ctx.flags.string("count")}`);
      const seed = Number(ctx.flags.string("seed") ?? Date.now() % 2 ** 32);
      if (!Number.isInteger(seed)) throw new UsageError(`invalid --seed ${ctx.flags.string("seed")}`);
      const namespace = ctx.flags.bool("all-namespaces") ? undefined : ctx.namespace;
      const client = ctx.client();
      const pods = (await client.list<Pod>("pods", { namespace, labelSelector: selector })).items.filter((p) => !p.metadata.deletionTimestamp);
      const chosen = pickSeeded(pods, count, seed, (p) => `${p.metadata.namespace}/${p.metadata.name}`);
      if (!chosen.length) throw new CliError(`no pods match ${selector}${namespace ? ` in namespace ${namespace}` : ""}`);
      for (const p of chosen) await client.delete("pods", p.metadata.name!, p.metadata.namespace, { gracePeriodSeconds: 0 });
      const names = chosen.map((p) => `${p.metadata.namespace}/${p.metadata.name}`);
      return { verb: "", targets: names, message: `killed ${names.length} pod(s): ${names.join(", ")}`, details: { seed, matched: pods.length } };
    },
  },
  "stress-memory": {
    usage: "stress-memory NODE [--size 256Mi] [--duration 60s]",
    run: async (ctx, args) => {
      const sizeRaw = ctx.flags.string("size") ?? "256Mi";
      const m = /^(\d+)(Mi|Gi)$/.exec(sizeRaw);
      if (!m) throw new UsageError(`invalid --size ${sizeRaw}: e.g. 256Mi or 1Gi`);
      const mib = Number(m[1]) * (m[2] === "Gi" ? 1024 : 1);
      const seconds = Math.round(parseDuration(ctx.flags.string("duration") ?? "60s", "duration") / 1000);
      const topo = await topologyOrHost(ctx);
      const node = topo ? nodeContainer(topo, one(args, "NODE")) : undefined;
      // A tmpfs filled with zeros is memory the kernel cannot reclaim (no swap to page it
      // to): it weighs on the node like a leaking process, and goes away with the container.
      const name = `skiff-chaos-stress-${Date.now().toString(36)}`;
      const run = [
        "run",
        "-d",
        "--rm",
        "--name",
        name,
        "--network",
        "none",
        "--label",
        "io.skiff.chaos=stress-memory",
        "--tmpfs",
        `/stress:size=${mib + 16}m`,
        "skiff/busybox:1.35",
        "sh",
        "-c",
        `dd if=/dev/zero of=/stress/fill bs=1M count=${mib} 2>/dev/null; sleep ${seconds}`,
      ];
      const id = node ? await docker(["exec", node, "docker", ...run]) : await docker(run);
      return {
        verb: "",
        targets: [node ?? "host"],
        message: `holding ${mib}Mi of memory on ${node ?? "this host"} for ${seconds}s (container ${name})`,
        details: { container: name, id: id.slice(0, 12), mib, seconds },
      };
    },
  },
};

async function run(ctx: Context): Promise<number> {
  const [verb, ...args] = ctx.positionals;
  const output = ctx.flags.string("output");
  if (output && output !== "json") throw new UsageError(`unknown output format ${output}: only json`);
  const v = verb ? verbs[verb] : undefined;
  if (!v)
    throw new UsageError(
      verb ? `unknown chaos verb "${verb}"; one of: ${Object.keys(verbs).join(", ")}` : `skiff chaos needs a verb: ${Object.keys(verbs).join(", ")}`,
    );
  try {
    const r = { ...(await v.run(ctx, args)), verb };
    ctx.out.write(output === "json" ? JSON.stringify({ ok: true, ...r, at: new Date().toISOString() }) + "\n" : r.message + "\n");
    return 0;
  } catch (err) {
    if (output === "json") ctx.out.write(JSON.stringify({ ok: false, verb, error: (err as Error).message, at: new Date().toISOString() }) + "\n");
    throw err;
  }
}

/** `skiff chaos`. */
export const chaosCommand: Command = {
  name: "chaos",
  summary: "Inject faults: kill, pause or cut off nodes, kill control-plane parts or pods",
  usage: `skiff chaos VERB [ARGS] [-o json]

Verbs:
${Object.values(verbs)
  .map((v) => `  ${v.usage}`)
  .join("\n")}

On the container topology (skiff up --nodes N) NODE is a node container (its name or index);
on the single-host cluster the verbs act on the processes (kill-node = SIGKILL the node agent,
pause-node = SIGSTOP). Exit code 0 = the fault was applied.

Examples:
  skiff chaos kill-node skiff-node-2 -o json
  skiff chaos kill-pods -l app=web --count 2 --seed 42`,
  flags: {
    output: { type: "string", short: "o", description: "json: one machine-readable result object." },
    name: { type: "string", description: "The container topology (default: the one in cluster.json)." },
    selector: { type: "string", short: "l", description: "kill-pods: label selector." },
    count: { type: "string", description: "kill-pods: how many pods.", default: "1" },
    seed: { type: "string", description: "kill-pods: seed of the choice (same seed + same pods = same victims)." },
    "all-namespaces": { type: "boolean", short: "A", description: "kill-pods: every namespace." },
    size: { type: "string", description: "stress-memory: how much memory.", default: "256Mi" },
    duration: { type: "string", description: "stress-memory: how long.", default: "60s" },
    "lease-bucket": { type: "string", description: "kill-leader: NATS KV bucket of the leader-election leases.", default: "skiff-leases" },
    "scheduler-name": { type: "string", description: "kill-leader scheduler: the scheduler's --scheduler-name (its lease key).", default: "default-scheduler" },
  },
  run,
};

/** The CLI's certificate as NATS TLS options (NATS maps it to its user; admins may read everything). */
function natsTlsOf(ctx: Context): object | undefined {
  return ctx.tlsDir ? natsTls(ctx.tlsDir) : undefined;
}
