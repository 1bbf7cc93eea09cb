// iperf3 (the floor: the same transfer with no proxy) and haproxy (the anchor: Debian's C TCP
// proxy with splice) for bench:proxy. Each transfer is one iperf3 client run of a few seconds
// over loopback, forward (client → endpoint) or reverse (-R: endpoint → client).
import { spawn, execFile, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A long-running child, killed by stop(). */
export interface Daemon {
  proc: ChildProcess;
  stop(): Promise<void>;
}

function daemon(cmd: string, args: string[], stderr: "inherit" | "ignore" = "inherit"): Daemon {
  const proc = spawn(cmd, args, { stdio: ["ignore", "ignore", stderr] });
  return {
    proc,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((r) => proc.once("exit", r));
      proc.kill("SIGTERM");
      await gone;
    },
  };
}

/** An iperf3 server on 127.0.0.1:port. */
export async function iperfServer(port: number): Promise<Daemon> {
  const d = daemon("iperf3", ["-s", "-B", "127.0.0.1", "-p", String(port)], "ignore");
  await new Promise((r) => setTimeout(r, 300));
  return d;
}

/**
 * haproxy in TCP mode from 127.0.0.1:front to 127.0.0.1:back, one thread (like the Skiff proxy's
 * one event loop), kernel splicing on (haproxy's fastest TCP path on Linux).
 */
export async function haproxy(dir: string, front: number, back: number): Promise<Daemon> {
  const cfg = join(dir, "haproxy.cfg");
  writeFileSync(
    cfg,
    [
      "global",
      "  nbthread 1",
      "  maxconn 1000",
      "defaults",
      "  mode tcp",
      "  option splice-auto",
      "  timeout connect 5s",
      "  timeout client 60s",
      "  timeout server 60s",
      `listen bench`,
      `  bind 127.0.0.1:${front}`,
      `  server s1 127.0.0.1:${back}`,
      "",
    ].join("\n"),
  );
  const d = daemon("haproxy", ["-db", "-f", cfg]);
  await new Promise((r) => setTimeout(r, 500));
  if (d.proc.exitCode !== null) throw new Error(`haproxy exited ${d.proc.exitCode}`);
  return d;
}

/** One iperf3 run through 127.0.0.1:port; resolves Gbit/s received. */
export async function iperf(port: number, seconds: number, reverse: boolean): Promise<number> {
  const { stdout } = await run("iperf3", ["-c", "127.0.0.1", "-p", String(port), "-t", String(seconds), "-J", ...(reverse ? ["-R"] : [])], {
    maxBuffer: 16 * 1024 * 1024,
  });
  const j = JSON.parse(stdout) as { end: { sum_received: { bits_per_second: number } }; error?: string };
  if (j.error) throw new Error(`iperf3: ${j.error}`);
  return j.end.sum_received.bits_per_second / 1e9;
}

/** The version line of a tool (for the results file). */
export async function version(cmd: string, arg: string): Promise<string> {
  const { stdout, stderr } = await run(cmd, [arg]).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? "", stderr: e.stderr ?? "" }));
  return (stdout || stderr).split("\n")[0].trim();
}
