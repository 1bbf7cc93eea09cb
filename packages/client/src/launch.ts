// How a Skiff component's Node.js process is started: the one place that builds its `node`
// command line and environment, used by every launcher (`skiff up` and `skiff controlplane|node`,
// the node agent's proxy/dns/ingress, the images' entrypoints, the test harness), so all of them
// run with the same memory settings. Its own entry point (@skiff/client/launch): launchers need
// not load gRPC or NATS for it. `node launch.js COMPONENT` prints its flags (shell entrypoints).
import { pathToFileURL } from "node:url";

/**
 * V8 flags of every component (valid on Node 20, 22 and 24). Why, measured with
 * `npm run bench:memory` (1,000 pods) and `npm run bench:api`:
 * - `--max-semi-space-size=2`: V8 grows the young generation's semi-spaces to 16 MB each under
 *   load and both stay resident, ~30 MB in every busy process. With 2 MB, young collections run
 *   8× as often, each pause shorter; they cost a few seconds of CPU more across a 1,000-pod burst.
 * - `--heap-growing-percent=50`: after a full collection V8 lets the old generation grow up to
 *   4× what survived before the next one (on a machine with much memory); the apiserver, with
 *   ~30 MB live, then sat at 70–80 MB. 1.5× keeps it near its live size; full collections run
 *   more often but mark concurrently (bench:api showed no cost from it).
 */
const DEFAULT_FLAGS: readonly string[] = ["--max-semi-space-size=2", "--heap-growing-percent=50"];

/**
 * Flags of components that differ. The apiserver keeps 8 MB semi-spaces: with 2 or 4 MB its
 * write throughput in bench:api fell by roughly a fifth (each request's objects outlive a small
 * young generation and get copied); with 8 MB it matched Node's defaults. The Ingress controller
 * keeps V8's own young generation: bench:ingress (one worker, load ~2) took 164 µs of CPU per
 * proxied request with 2 MB semi-spaces against 77 µs with the defaults (84 with 8 MB), and fell
 * from 0.64× to 0.30× nginx's requests/s; it is not among the memory goals' processes.
 */
const COMPONENT_FLAGS: Readonly<Record<string, readonly string[]>> = {
  apiserver: ["--max-semi-space-size=8", "--heap-growing-percent=50"],
  ingress: ["--heap-growing-percent=50"],
};

/** The component a main belongs to (`…/services/<name>/dist/main.js` → name), if it is one. */
export function componentOf(main: string | undefined): string | undefined {
  return main ? /services\/([^/]+)\/dist\/main\.js$/.exec(main)?.[1] : undefined;
}

/**
 * Environment every component gets (a value the launcher's environment already has wins).
 * MALLOC_ARENA_MAX=2: glibc gives each thread that allocates its own malloc arena, and Node runs
 * V8's GC helpers and libuv's pool on several threads; the apiserver held ~8 MB in those arenas.
 */
const DEFAULT_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: "2" };

/**
 * The node flags a component (e.g. "apiserver") runs with: its own or DEFAULT_FLAGS, or
 * `SKIFF_NODE_FLAGS` (space-separated, empty for none) when set in the launcher's environment.
 */
export function nodeFlags(env: NodeJS.ProcessEnv = process.env, component?: string): string[] {
  const custom = env.SKIFF_NODE_FLAGS;
  if (custom !== undefined) return custom.split(/\s+/).filter(Boolean);
  return [...((component && COMPONENT_FLAGS[component]) || DEFAULT_FLAGS)];
}

/** The environment a component runs with: the launcher's, plus DEFAULT_ENV where it sets nothing. */
export function nodeEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...DEFAULT_ENV, ...env };
}

/** A component's process: `node <flags> <main> <args…>` and its environment. */
export interface NodeCommand {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

/** How to run a component's main: the command, its arguments and its environment. */
export function nodeCommand(main: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): NodeCommand {
  return { command: process.execPath, args: [...nodeFlags(env, componentOf(main)), main, ...args], env: nodeEnv(env) };
}

// `node launch.js COMPONENT`: prints its flags, for entrypoints that start it from a shell.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.stdout.write(nodeFlags(process.env, process.argv[2]).join(" ") + "\n");
