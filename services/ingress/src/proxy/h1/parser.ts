// An incremental HTTP/1.1 response parser for the upstream side of the proxy: status line and
// headers, interim 1xx answers skipped, bodies framed by Content-Length, chunked coding or the
// connection's end (RFC 9112 §6.3), none after HEAD/204/304. Bodies are handed on as slices of
// the bytes read, never collected. It replaced undici's parser: the proxy's whole upstream side
// now costs about what Node's HTTP server costs on the downstream side.

/** What the parser reports; `onBody` returning nothing means go on. */
export interface ResponseEvents {
  onHead(status: number, rawHeaders: string[]): void;
  onBody(chunk: Buffer): void;
  onEnd(): void;
}

/** A response the proxy cannot pass on (malformed framing, oversized head). */
export class ParseError extends Error {
  readonly code = "SKIFF_UPSTREAM_PARSE";
}

/** Largest status line plus headers accepted (nginx's proxy_buffer_size is 4–8 KB; Node's 16 KB). */
export const MAX_HEAD_BYTES = 64 * 1024;

const CLOSE = /(?:^|,)\s*close\s*(?:,|$)/;
const KEEP_ALIVE = /(?:^|,)\s*keep-alive\s*(?:,|$)/;

/** The three digits at 9–11 of a status line, or -1. */
function statusCode(line: string): number {
  let code = 0;
  for (let i = 9; i < 12; i++) {
    const d = line.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    code = code * 10 + d;
  }
  return code;
}

enum State {
  Head,
  Body,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  UntilClose,
  Done,
}

export class ResponseParser {
  private state = State.Head;
  private head: Buffer | undefined;
  /** Bytes of body (or of the current chunk) still to come. */
  private left = 0;
  /** Partial line of chunked framing (size line or trailer) carried between reads. */
  private line = "";
  /** Whether the connection may carry another request once this response ends. */
  keepAlive = true;
  /** A `Keep-Alive: timeout=N` hint from the backend, in ms (0: none). */
  keepAliveHintMs = 0;
  /** Bytes read past the end of the response (the connection is then not reused). */
  extra = false;

  constructor(
    private readonly events: ResponseEvents,
    private readonly headRequest: boolean,
  ) {}

  get done(): boolean {
    return this.state === State.Done;
  }

  /** Whether the status line and headers have been parsed. */
  get headed(): boolean {
    return this.state !== State.Head;
  }

  /** Feeds bytes read from the connection. Throws ParseError on malformed input. */
  feed(data: Buffer): void {
    let at = 0;
    while (at < data.length) {
      switch (this.state) {
        case State.Head:
          at = this.feedHead(data, at);
          break;
        case State.Body:
          at = this.feedBody(data, at, State.Done);
          break;
        case State.UntilClose:
          this.events.onBody(at === 0 ? data : data.subarray(at));
          return;
        case State.ChunkSize:
        case State.Trailers:
        case State.ChunkDataEnd:
          at = this.feedLine(data, at);
          break;
        case State.ChunkData:
          at = this.feedBody(data, at, State.ChunkDataEnd);
          break;
        case State.Done:
          this.extra = true;
          this.keepAlive = false;
          return;
      }
    }
  }

  /** The connection ended: completes a body read until close; otherwise the response was cut. */
  end(): boolean {
    if (this.state === State.UntilClose) {
      this.state = State.Done;
      this.events.onEnd();
      return true;
    }
    return this.state === State.Done;
  }

  /** Body bytes of a known length (the whole body, or one chunk's data); `then` once all have come. */
  private feedBody(data: Buffer, at: number, then: State): number {
    const n = Math.min(this.left, data.length - at);
    this.left -= n;
    const chunk = at === 0 && n === data.length ? data : data.subarray(at, at + n);
    if (this.left === 0) this.state = then;
    this.events.onBody(chunk);
    if (this.state === State.Done) this.events.onEnd();
    return at + n;
  }

  private feedHead(data: Buffer, at: number): number {
    const buf = this.head ? Buffer.concat([this.head, data.subarray(at)]) : at === 0 ? data : data.subarray(at);
    // The head ends at the first empty line (CRLF CRLF; a bare LF is tolerated as most parsers do).
    let end = -1,
      bodyAt = -1;
    for (let i = buf.indexOf(10); i >= 0; i = buf.indexOf(10, i + 1)) {
      if (buf[i + 1] === 10) {
        end = i;
        bodyAt = i + 2;
        break;
      }
      if (buf[i + 1] === 13 && buf[i + 2] === 10) {
        end = i;
        bodyAt = i + 3;
        break;
      }
    }
    if (end < 0) {
      if (buf.length > MAX_HEAD_BYTES) throw new ParseError(`response head over ${MAX_HEAD_BYTES} bytes`);
      this.head = buf;
      return data.length;
    }
    this.head = undefined;
    const consumedOfData = bodyAt - (buf.length - (data.length - at));
    this.parseHead(buf.toString("latin1", 0, end));
    return at + consumedOfData;
  }

  private parseHead(text: string): void {
    const lines = text.split("\n");
    let status = lines[0];
    if (status.endsWith("\r")) status = status.slice(0, -1);
    // HTTP/1.x SP 3DIGIT [SP reason], checked by hand (a regular expression showed in profiles).
    const minor = status.charCodeAt(7);
    const code = statusCode(status);
    if (
      !status.startsWith("HTTP/1.") ||
      (minor !== 48 && minor !== 49) ||
      status.charCodeAt(8) !== 32 ||
      code < 0 ||
      (status.length > 12 && status.charCodeAt(12) !== 32)
    )
      throw new ParseError(`malformed status line ${JSON.stringify(status.slice(0, 64))}`);
    const raw: string[] = [];
    let length = -1,
      chunked = false,
      encoded = false;
    const http11 = minor === 49;
    let conn = "";
    for (let i = 1; i < lines.length; i++) {
      let l = lines[i];
      if (l.endsWith("\r")) l = l.slice(0, -1);
      if (l.length === 0) continue;
      const c0 = l.charCodeAt(0);
      if (c0 === 32 || c0 === 9) {
        // obs-fold: a proxy replaces it with a space (RFC 9112 §5.2).
        if (raw.length === 0) throw new ParseError("header continuation before any header");
        raw[raw.length - 1] += ` ${l.trim()}`;
        continue;
      }
      const colon = l.indexOf(":");
      if (colon <= 0) throw new ParseError(`malformed header line ${JSON.stringify(l.slice(0, 64))}`);
      const name = l.slice(0, colon);
      // No whitespace between a field name and its colon (RFC 9112 §5.1): answering it is how responses get smuggled.
      const last = name.charCodeAt(name.length - 1);
      if (last === 32 || last === 9) throw new ParseError(`malformed header name ${JSON.stringify(name.slice(0, 64))}`);
      const value = l.slice(colon + 1).trim();
      raw.push(name, value);
      // Framing headers (compared by length first: most headers are neither).
      if (name.length === 14 && name.toLowerCase() === "content-length") {
        const n = /^\d+$/.test(value) ? Number(value) : Number.NaN;
        if (!Number.isSafeInteger(n) || (length >= 0 && length !== n)) throw new ParseError(`invalid Content-Length ${JSON.stringify(value)}`);
        length = n;
      } else if (name.length === 17 && name.toLowerCase() === "transfer-encoding") {
        encoded = true;
        chunked = /(?:^|,)\s*chunked\s*$/i.test(value);
      } else if (name.length === 10 && name.toLowerCase() === "connection") {
        conn = value.toLowerCase();
      } else if (name.length === 10 && name.toLowerCase() === "keep-alive") {
        const t = /timeout=(\d+)/i.exec(value);
        if (t) this.keepAliveHintMs = Number(t[1]) * 1000;
      }
    }
    if (code < 200) {
      // 100 Continue, 102, 103 Early Hints: interim, not passed on; the real answer follows.
      // (Upgrades do not come this way: they are piped as raw bytes by forwardUpgrade.)
      if (code === 101) throw new ParseError("unexpected 101 Switching Protocols on a request that did not ask to upgrade");
      return;
    }
    // HTTP/1.1 is persistent unless the backend says close; HTTP/1.0 only when it says keep-alive.
    this.keepAlive = http11 ? !CLOSE.test(conn) : KEEP_ALIVE.test(conn);
    if (this.headRequest || code === 204 || code === 304) this.state = State.Done;
    else if (encoded) {
      // Transfer-Encoding wins over Content-Length; a body not chunked last runs to the close.
      this.state = chunked ? State.ChunkSize : State.UntilClose;
      if (!chunked) this.keepAlive = false;
      if (length >= 0) {
        // Both is how responses get split (RFC 9112 §6.3): the length is not passed on, and the
        // connection is not trusted with another request.
        this.keepAlive = false;
        for (let i = raw.length - 2; i >= 0; i -= 2) if (raw[i].toLowerCase() === "content-length") raw.splice(i, 2);
      }
    } else if (length >= 0) {
      this.left = length;
      this.state = length === 0 ? State.Done : State.Body;
    } else {
      this.state = State.UntilClose;
      this.keepAlive = false;
    }
    this.events.onHead(code, raw);
    if (this.state === State.Done) this.events.onEnd();
  }

  /** Chunked framing: a size line, the CRLF after a chunk's data, or a trailer line. */
  private feedLine(data: Buffer, at: number): number {
    const nl = data.indexOf(10, at);
    if (nl < 0) {
      this.line += data.toString("latin1", at);
      if (this.line.length > 4096) throw new ParseError("chunk framing line over 4096 bytes");
      return data.length;
    }
    let l = this.line + data.toString("latin1", at, nl);
    this.line = "";
    if (l.endsWith("\r")) l = l.slice(0, -1);
    switch (this.state) {
      case State.ChunkDataEnd:
        if (l.length) throw new ParseError("chunk data longer than its declared size");
        this.state = State.ChunkSize;
        break;
      case State.ChunkSize: {
        const hex = l.split(";", 1)[0].trim();
        if (!/^[0-9a-fA-F]{1,12}$/.test(hex)) throw new ParseError(`invalid chunk size ${JSON.stringify(hex.slice(0, 20))}`);
        this.left = Number.parseInt(hex, 16);
        this.state = this.left === 0 ? State.Trailers : State.ChunkData;
        break;
      }
      case State.Trailers:
        // Trailer fields are not passed on (the downstream response may not be chunked).
        if (l.length === 0) {
          this.state = State.Done;
          this.events.onEnd();
        }
        break;
    }
    return nl + 1;
  }
}
