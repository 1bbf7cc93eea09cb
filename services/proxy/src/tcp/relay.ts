// One direction of the byte path (source → sink) without per-chunk allocation. Node's default
// socket read allocates a fresh 64 KiB buffer per read (and copies it again when the read was
// short), so bulk transfer through the proxy spent as much time in allocation, copying and GC as
// in the read/write syscalls. The source socket instead reads into buffers of a shared pool
// (`onread`), each chunk is written to the sink as a view of that buffer, and the buffer is
// only read into again once the kernel has taken it (write completed), which also gives
// back-pressure: at most MAX_IN_FLIGHT bytes wait for a slow sink, then reading pauses.
// Both directions use it: endpoint → client (upstream socket made with `onread`) and
// client → endpoint (the accepted socket re-created over its handle with `onread`: adopt()).
import { Socket, type OnReadOpts } from "node:net";

/**
 * Read buffer sizes. A connection starts small and moves up a size each time a read fills its
 * buffer (bulk transfer: one syscall then moves up to 1 MiB), and back down to what the last
 * read needed, so a chatty or idle connection holds 16 KiB, not 1 MiB.
 */
const SIZES = [16 * 1024, 64 * 1024, 256 * 1024, 1024 * 1024];
/** Bytes of one connection that may wait in the sink's write queue before reads pause. */
const MAX_IN_FLIGHT = 1024 * 1024;
/** Free bytes kept per size for reuse across connections (the rest go to the GC). */
const MAX_FREE_BYTES = 8 * 1024 * 1024;

const free: Buffer[][] = SIZES.map(() => []);

function take(size: number): Buffer {
  return free[size].pop() ?? Buffer.allocUnsafeSlow(SIZES[size]);
}

function give(b: Buffer): void {
  const size = SIZES.indexOf(b.length);
  if (size >= 0 && (free[size].length + 1) * SIZES[size] <= MAX_FREE_BYTES) free[size].push(b);
}

/** The size class for the read after one that returned n bytes into a buffer of `len` bytes. */
function nextSize(len: number, n: number): number {
  if (n === len) return Math.min(SIZES.indexOf(len) + 1, SIZES.length - 1);
  let i = 0;
  while (SIZES[i] < n) i++;
  return i;
}

/**
 * The `onread` option for a source socket plus the hooks that bind it to its sink.
 * `attach(source, sink)` must be called before the source reads (after connect, or adopt());
 * `release()` once both sockets are destroyed returns the buffers to the pool.
 */
export class Relay {
  private sink?: Socket;
  private source?: Socket;
  /** The buffer the socket reads into next (owned by the socket until the next callback). */
  private current = take(0);
  private size = 0;
  /** Buffers handed to sink.write in order; null = that write completed at once. */
  private readonly pending: (Buffer | null)[] = [];
  private inFlight = 0;
  private paused = false;
  private released = false;
  /** The buffer just read into is free again (its write completed at once). */
  private reuse = true;

  /** Called by Node after each read: the buffer for the next one. */
  private readonly nextBuffer = (): Buffer => {
    if (this.reuse && this.current.length === SIZES[this.size]) return this.current;
    if (this.reuse) give(this.current);
    this.current = take(this.size);
    return this.current;
  };

  /** A sink write finished: its buffer (if it was held) can be read into again. */
  private readonly written = (): void => {
    const b = this.pending.shift();
    if (b) {
      this.inFlight -= b.length;
      if (!this.released) give(b);
    }
    if (this.paused && this.inFlight < MAX_IN_FLIGHT && !this.released) {
      this.paused = false;
      this.source?.resume();
    }
  };

  /** Called by Node with each chunk read from the source. */
  private readonly onChunk = (n: number, buf: Buffer): boolean => {
    const sink = this.sink!;
    this.size = nextSize(buf.length, n);
    sink.write(buf.subarray(0, n), this.written);
    // writableLength is 0 iff the kernel took every byte synchronously: the buffer is free.
    if (sink.writableLength === 0) {
      this.pending.push(null);
      this.reuse = true;
      return true;
    }
    this.pending.push(buf);
    this.inFlight += buf.length;
    this.reuse = false;
    if (this.inFlight >= MAX_IN_FLIGHT) {
      this.paused = true;
      return false;
    }
    return true;
  };

  /** The `onread` socket option. */
  readonly onread = { buffer: this.nextBuffer, callback: this.onChunk };

  /** Binds the relay to both sockets: it reads `source` (whose onread it is) and writes `sink`. */
  attach(source: Socket, sink: Socket): void {
    this.source = source;
    this.sink = sink;
  }

  /** Both sockets are gone (destroyed: libuv no longer touches the buffers). */
  release(): void {
    if (this.released) return;
    this.released = true;
    // `current` is never in `pending` (nextBuffer replaced it when its write was queued).
    give(this.current);
    for (const b of this.pending) if (b) give(b);
    this.pending.length = 0;
  }
}

/**
 * Re-creates an accepted socket (from a server with `pauseOnConnect`, so nothing was read yet)
 * as a socket over the same handle whose reads go to `onread`: net.Server offers no `onread`
 * option for accepted sockets. The old object lets go of the handle and is destroyed without
 * closing it (which also releases the server's connection count). Undefined when the socket
 * has no handle to give (then the caller keeps it and uses Node's standard read path).
 */
export function adopt(accepted: Socket, onread: OnReadOpts, highWaterMark: number): Socket | undefined {
  const old = accepted as unknown as { _handle: unknown };
  const handle = old._handle;
  if (!handle || accepted.destroyed) return undefined;
  accepted.removeAllListeners();
  old._handle = null;
  accepted.destroy();
  // `handle` and `onread` are constructor options @types/node leaves out.
  const opts = { handle, allowHalfOpen: true, readable: true, writable: true, highWaterMark, onread };
  return new Socket(opts as ConstructorParameters<typeof Socket>[0]);
}
