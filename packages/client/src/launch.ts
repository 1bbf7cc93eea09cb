// How a Skiff component's Node.js process is started: the one place that builds its `node`
// command line, used by every launcher (`skiff up` and `skiff controlplane|node`, the node
// agent's proxy/dns/ingress, the test harness), so all of them run with the same V8 settings.
// Its own entry point (@skiff/client/launch): launchers need not load gRPC or NATS for it.

/**
 * V8 flags every component runs with. Why: V8 grows the young generation's two semi-spaces to
 * 16 MB each under load, and both stay resident (about 30 MB per busy process); with 1 MB
 * semi-spaces young collections run more often but each is as cheap (it copies only the live
 * objects). Flags valid on Node 20, 22 and 24.
 */
const DEFAULT_FLAGS: readonly string[] = ["--max-semi-space-size=1"];

/**
 * The node flags a component runs with: DEFAULT_FLAGS, or `SKIFF_NODE_FLAGS` (space-separated,
 * empty for none) when set in the launcher's environment.
 */
export function nodeFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const custom = env.SKIFF_NODE_FLAGS;
  return custom === undefined ? [...DEFAULT_FLAGS] : custom.split(/\s+/).filter(Boolean);
}

/** `node <flags> <main> <args…>`: the command and arguments that run a component's main. */
export function nodeCommand(main: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): { command: string; args: string[] } {
  return { command: process.execPath, args: [...nodeFlags(env), main, ...args] };
}
