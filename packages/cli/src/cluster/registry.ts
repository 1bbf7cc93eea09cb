// The cluster registry as a process (`skiff controlplane --registry`): Debian's docker-registry
// (the Distribution registry 2.8) with its config, data and optional htpasswd file under
// $SKIFF_HOME/registry, run detached with a pid file like the other processes; `skiff down`
// stops it. Nodes reach it through their agents (`skiff node --join … --registry HOST:PORT`).
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { CliError } from "../cli/errors.js";
import { clusterPaths } from "./paths.js";
import { runningPid, startDetached, stopProcess, removeFile } from "./processes.js";

/** What marks the registry's command line (pid checks). */
const marker = "docker-registry";
const pidOf = (home: string) => join(clusterPaths(home).runDir, "registry.pid");

/** The registry's config: storage under `dir`, plain HTTP on `listen`, htpasswd when `htpasswd` is set. */
export function registryConfig(dir: string, listen: string, htpasswd?: string): string {
  return [
    "version: 0.1",
    "log: { level: info }",
    `storage: { filesystem: { rootdirectory: ${JSON.stringify(join(dir, "data"))} }, delete: { enabled: true } }`,
    `http: { addr: ${JSON.stringify(listen)}, headers: { X-Content-Type-Options: [nosniff] } }`,
    ...(htpasswd ? [`auth: { htpasswd: { realm: skiff-registry, path: ${JSON.stringify(htpasswd)} } }`] : []),
    "",
  ].join("\n");
}

/** Starts the registry on `listen` (e.g. 0.0.0.0:5001); `auth` is USER:PASSWORD. Resolves with its pid. */
export async function startRegistry(home: string, listen: string, auth?: string): Promise<number> {
  const paths = clusterPaths(home);
  const running = runningPid(pidOf(home), marker);
  if (running !== undefined) throw new CliError(`the registry is already running here (pid ${running}); stop it with ./skiff down`);
  const dir = join(home, "registry");
  mkdirSync(join(dir, "data"), { recursive: true });
  mkdirSync(paths.runDir, { recursive: true });
  mkdirSync(paths.logDir, { recursive: true });
  let htpasswd: string | undefined;
  if (auth) {
    const i = auth.indexOf(":");
    if (i <= 0) throw new CliError("--registry-auth: USER:PASSWORD");
    htpasswd = join(dir, "htpasswd");
    try {
      // bcrypt, as Distribution requires (apache2-utils).
      writeFileSync(htpasswd, execFileSync("htpasswd", ["-Bbn", auth.slice(0, i), auth.slice(i + 1)], { encoding: "utf8" }), { mode: 0o600 });
    } catch (err) {
      throw new CliError(`cannot write the registry's htpasswd file (apt-get install apache2-utils): ${(err as Error).message}`);
    }
  }
  const config = join(dir, "config.yml");
  writeFileSync(config, registryConfig(dir, listen, htpasswd));
  const p = await startDetached("docker-registry", ["serve", config], { log: join(paths.logDir, "registry.log"), pidFile: pidOf(home) }).catch((err) => {
    throw new CliError(`cannot start docker-registry (apt-get install docker-registry; scripts/setup.sh does): ${(err as Error).message}`);
  });
  await new Promise((r) => setTimeout(r, 300));
  if (p.exited()) throw new CliError(`docker-registry exited at once; see ${join(paths.logDir, "registry.log")}`);
  return p.pid;
}

/** Stops the registry when it runs here; true when it did. */
export async function stopRegistry(home: string): Promise<boolean> {
  const pid = runningPid(pidOf(home), marker);
  removeFile(pidOf(home));
  if (pid === undefined) return false;
  await stopProcess(pid, 10_000);
  return true;
}
