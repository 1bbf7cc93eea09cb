// skiff dashboard: opens the web dashboard (served by the apiserver under /dashboard/) signed in
// as you. It asks the apiserver, with this CLI's client certificate, for a single-use login
// secret valid for a minute and puts it in the URL's fragment (which browsers never send to a
// server); the page trades it for a session token and wipes it. --url prints the link instead.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { UsageError } from "../cli/args.js";
import { readClusterInfo } from "../cli/connection.js";
import type { Command, Context } from "../cli/context.js";
import { CliError } from "../cli/errors.js";

/** The Kubernetes REST API's URL: --api-url, $SKIFF_API_URL, else what `skiff up` recorded. */
export function apiUrl(ctx: Context): string {
  const u = ctx.flags.string("api-url") || ctx.env.SKIFF_API_URL || readClusterInfo(ctx.home)?.server;
  if (!u) throw new UsageError("where is the Kubernetes API? Use --api-url https://HOST:PORT (or $SKIFF_API_URL)");
  return u.replace(/\/+$/, "");
}

/** Asks the apiserver for a login secret, authenticated by the client certificate in `tlsDir`. */
export function mintLoginSecret(url: string, tlsDir: string): Promise<{ secret: string; expiresInSeconds: number; user: string }> {
  const read = (f: string) => {
    try {
      return readFileSync(join(tlsDir, f));
    } catch (err) {
      throw new CliError(`cannot read the client certificate in ${tlsDir} (${(err as Error).message}): it needs ca.crt, tls.crt and tls.key`);
    }
  };
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}/dashboard/api/login`,
      { method: "POST", ca: read("ca.crt"), cert: read("tls.crt"), key: read("tls.key"), headers: { "Content-Type": "application/json", "Content-Length": 2 } },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => {
          try {
            const j = JSON.parse(body) as { secret?: string; expiresInSeconds?: number; user?: string; message?: string };
            if (res.statusCode === 201 && j.secret) resolve({ secret: j.secret, expiresInSeconds: j.expiresInSeconds ?? 60, user: j.user ?? "" });
            else reject(new CliError(`the apiserver refused a dashboard login (HTTP ${res.statusCode}): ${j.message ?? body}`));
          } catch {
            reject(new CliError(`the apiserver answered HTTP ${res.statusCode} without JSON: is ${url} the Kubernetes API of a Skiff cluster?`));
          }
        });
      },
    );
    req.on("error", (err) => reject(new CliError(`cannot reach ${url}: ${err.message}`)));
    req.end("{}");
  });
}

async function run(ctx: Context): Promise<number> {
  if (ctx.positionals.length) throw new UsageError("skiff dashboard takes no arguments");
  const dir = ctx.tlsDir;
  if (!dir)
    throw new CliError(
      `no client certificate to sign in with: use --tls-dir DIR (ca.crt, tls.crt, tls.key) or $SKIFF_TLS_DIR; on a control plane, ${ctx.home}/pki/admin is used`,
    );
  const url = apiUrl(ctx);
  const login = await mintLoginSecret(url, dir);
  const link = `${url}/dashboard/#login=${login.secret}`;
  if (ctx.flags.bool("url")) {
    ctx.out.write(`${link}\n`);
    ctx.err.write(`(signs in once as ${login.user}, within ${login.expiresInSeconds}s; the browser must trust the cluster CA ${join(dir, "ca.crt")})\n`);
    return 0;
  }
  const opener = process.platform === "darwin" ? "open" : process.platform === "win32" ? "explorer" : "xdg-open";
  const child = spawn(opener, [link], { detached: true, stdio: "ignore" });
  const opened = await new Promise<boolean>((r) => {
    child.once("spawn", () => r(true));
    child.once("error", () => r(false));
  });
  child.unref();
  if (!opened) {
    ctx.err.write(`could not start ${opener}; open this link within ${login.expiresInSeconds}s (it signs in once as ${login.user}):\n`);
    ctx.out.write(`${link}\n`);
    return 0;
  }
  ctx.out.write(`Opening the dashboard at ${url}/dashboard/ as ${login.user}\n`);
  return 0;
}

/** `skiff dashboard`. */
export const dashboardCommand: Command = {
  name: "dashboard",
  summary: "Open the web dashboard signed in as you (--url prints a single-use sign-in link)",
  usage: "skiff dashboard [--url] [--api-url https://HOST:PORT]",
  flags: {
    url: { type: "boolean", description: "Print a single-use sign-in URL (valid for 60 s) instead of opening a browser." },
    "api-url": { type: "string", description: "The Kubernetes API's URL (default: $SKIFF_API_URL, else the cluster `skiff up` started)." },
  },
  run,
};
