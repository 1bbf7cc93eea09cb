// The dashboard's built files (packages/dashboard/dist), served as they are: the page and its
// hashed assets, with a content security policy that lets it talk only to this origin.
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import type { ServerResponse } from "node:http";

const types: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json",
  ".woff2": "font/woff2",
};

const securityHeaders = {
  // xterm.js and uPlot set inline styles; scripts only from this origin; fetch/WebSocket only to it.
  "Content-Security-Policy":
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'",
  "Referrer-Policy": "no-referrer",
  "X-Content-Type-Options": "nosniff",
};

/** Finds the built dashboard: $SKIFF_DASHBOARD_DIR, else packages/dashboard/dist above this file. */
export function findDashboardDir(from = import.meta.dirname): string | undefined {
  const env = process.env.SKIFF_DASHBOARD_DIR;
  if (env) return env;
  for (let d = from; ; d = dirname(d)) {
    const c = join(d, "packages", "dashboard", "dist");
    if (existsSync(join(c, "index.html"))) return c;
    if (dirname(d) === d) return undefined;
  }
}

/** Serves one file under `dir` for the path after /dashboard/; unknown paths get the page (deep links). */
export function serveStatic(dir: string | undefined, rel: string, res: ServerResponse, head: boolean): void {
  if (!dir) {
    res.writeHead(404, { "Content-Type": "text/plain" });
    res.end("the dashboard is not built: run `npm run build`\n");
    return;
  }
  const root = resolve(dir);
  let file = resolve(root, normalize(decodeURIComponent(rel)).replace(/^([/\\])+/, ""));
  if (file !== root && !file.startsWith(root + sep)) file = join(root, "index.html");
  if (!existsSync(file) || !statSync(file).isFile()) file = join(root, "index.html");
  const body = readFileSync(file);
  const immutable = file.includes(`${sep}assets${sep}`);
  res.writeHead(200, {
    "Content-Type": types[extname(file)] ?? "application/octet-stream",
    "Content-Length": body.length,
    "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
    ...securityHeaders,
  });
  res.end(head ? undefined : body);
}
