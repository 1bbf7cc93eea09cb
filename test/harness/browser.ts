// Real Chromium (Debian's `chromium`) for the dashboard's browser tests, driven by
// puppeteer-core. Locked to loopback: every other host resolves to nothing and any request that
// is not to loopback goes to a closed proxy port, so the browser sends nothing off the machine.
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { repoRoot } from "./cluster.js";

/** Where the browser binary is: $CHROMIUM, else Debian's. */
export function chromiumPath(): string {
  const p = process.env.CHROMIUM ?? ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((x) => existsSync(x));
  if (!p || !existsSync(p)) throw new Error("chromium is not installed: run scripts/setup.sh (it installs Debian's chromium package)");
  return p;
}

/** Launches headless Chromium that trusts no network but loopback (and accepts the test cluster's self-made CA). */
export function launchChromium(): Promise<Browser> {
  return puppeteer.launch({
    executablePath: chromiumPath(),
    headless: true,
    acceptInsecureCerts: true,
    defaultViewport: { width: 1366, height: 860 },
    args: [
      "--no-sandbox",
      "--disable-dev-shm-usage",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-default-apps",
      "--disable-domain-reliability",
      "--no-pings",
      "--disable-breakpad",
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
      "--proxy-server=http://127.0.0.1:9",
      "--proxy-bypass-list=127.0.0.1;localhost",
    ],
  });
}

/** Saves a screenshot as a test artefact (test-artifacts/dashboard/<name>.png); returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(repoRoot, "test-artifacts", "dashboard");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path: path as `${string}.png` });
  return path;
}

/** Collects what a page reports as errors (uncaught exceptions and console.error). */
export function consoleErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${(e as Error).message}`));
  // Requests Chromium aborts when a network interface changes (other tests create Docker networks) are the machine's, not the page's.
  page.on("console", (m) => {
    if (m.type() === "error" && !/ERR_NETWORK_CHANGED|ERR_ABORTED/.test(m.text())) errors.push(`console: ${m.text()}`);
  });
  return errors;
}
