// The floor of a paced latency measured across processes: a small message passed around a ring of
// Node.js processes over loopback TCP (Nagle off), one message at a time at the same pace as the
// measured run, with the same launcher flags as the components. Nothing is parsed or stored on the
// way, so what it measures is the machine: waking a sleeping process up `hops` times. On this
// virtual machine an idle process sleeping 1 ms sometimes wakes 10–20 ms late, and those late
// wake-ups set the tail of any multi-process path, Skiff's or not.
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, connect, type Socket, type AddressInfo } from "node:net";
import { nodeEnv, nodeFlags } from "@skiff/client/launch";
import { percentile } from "./stats.js";

/** A relay: forwards whatever arrives on its listening port to the next address (argv: nextPort). */
const RELAY = `
const net = require("node:net");
const out = net.connect(Number(process.argv[1]), "127.0.0.1");
out.setNoDelay(true);
const srv = net.createServer((s) => { s.setNoDelay(true); s.on("data", (d) => out.write(d)); });
srv.listen(0, "127.0.0.1", () => process.stdout.write(srv.address().port + "\\n"));
out.on("error", () => process.exit(1));
`;

/** About a watch event's size. */
const MESSAGE_BYTES = 256;

export interface HopFloor {
  hops: number;
  messages: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

/** Passes `messages` messages (after `warmup` unmeasured ones) around a ring of `hops` deliveries. */
export async function measureHopFloor(opts: { hops: number; messages: number; warmup: number; perSecond: number }): Promise<HopFloor> {
  if (opts.hops < 2) throw new Error("a ring needs at least 2 hops");
  const relays: ChildProcess[] = [];
  let sent = 0;
  const lat: number[] = [];
  let arrived: (() => void) | undefined;
  // The ring closes here: the last relay delivers back to this process.
  const home = createServer((s) => {
    s.setNoDelay(true);
    let got = 0;
    s.on("data", (d: Buffer) => {
      got += d.length;
      if (got < MESSAGE_BYTES) return;
      got -= MESSAGE_BYTES;
      lat.push(performance.now() - sent);
      arrived?.();
    });
  });
  await new Promise<void>((r) => home.listen(0, "127.0.0.1", r));
  let first: Socket | undefined;
  // Rejects when a relay exits early, so that a broken ring fails the run instead of hanging it.
  let relayDied: (err: Error) => void = () => undefined;
  const died = new Promise<never>((_, rej) => (relayDied = rej));
  died.catch(() => undefined);
  try {
    let next = (home.address() as AddressInfo).port;
    for (let i = 0; i < opts.hops - 1; i++) {
      const child = spawn(process.execPath, [...nodeFlags(), "-e", RELAY, String(next)], { env: nodeEnv(), stdio: ["ignore", "pipe", "inherit"] });
      relays.push(child);
      child.once("exit", (code) => relayDied(new Error(`hop relay exited with ${code}`)));
      next = await Promise.race([new Promise<number>((res) => child.stdout!.once("data", (d: Buffer) => res(Number(d.toString().trim())))), died]);
    }
    first = connect(next, "127.0.0.1");
    first.setNoDelay(true);
    await new Promise<void>((r, j) => first!.once("connect", r).once("error", j));
    const msg = Buffer.alloc(MESSAGE_BYTES, 0x61);
    const total = opts.warmup + opts.messages;
    const start = performance.now();
    for (let i = 0; i < total; i++) {
      const due = start + (i * 1000) / opts.perSecond - performance.now();
      if (due > 0) await new Promise((r) => setTimeout(r, due));
      const back = new Promise<void>((r) => (arrived = r));
      sent = performance.now();
      first.write(msg);
      await Promise.race([back, died]);
    }
    const measured = lat.slice(opts.warmup);
    return {
      hops: opts.hops,
      messages: measured.length,
      perSecond: opts.perSecond,
      p50Ms: percentile(measured, 50),
      p99Ms: percentile(measured, 99),
      maxMs: Math.max(...measured),
    };
  } finally {
    relayDied = () => undefined; // the relays are killed below: expected exits
    first?.destroy();
    for (const r of relays) r.kill();
    home.close();
  }
}
