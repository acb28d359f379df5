// Follows the message framing of an HTTP/1.1 request stream (request line and headers, then a
// Content-Length or chunked body) without consuming it: the front taps the socket beside node:http's
// parser. It tells the connection guard where each request starts, where its headers and its body end
// (for the timeouts), and refuses chunk sizes no server could honour: Bun's parser accepts a size of
// 2^64-1 and then waits for that many bytes forever. Anything it does not understand it leaves to
// node:http's parser, which answers 400 itself.

export interface FramingEvents {
  /** The first byte of a request arrived. */
  start(): void;
  /** The request's headers are complete. */
  headers(): void;
  /** The request's body (if any) is complete. */
  end(): void;
  /** The request is malformed in a way node:http would not catch; answer 400 and close. */
  malformed(reason: string): void;
}

type State =
  | { kind: "idle" }
  | { kind: "head"; buf: Buffer }
  | { kind: "fixed"; left: number }
  | { kind: "size"; line: Buffer }
  | { kind: "data"; left: number }
  | { kind: "dataEnd"; seen: number }
  | { kind: "trailers"; line: Buffer }
  | { kind: "off" };

/** Longer header blocks or chunk lines are node:http's to refuse (it answers 431 or 400). */
const maxHeadBytes = 64 * 1024;
const maxLineBytes = 8 * 1024;
const chunkSize = /^([0-9A-Fa-f]+)[ \t]*(?:;.*)?$/;

export class H1Framing {
  private state: State = { kind: "idle" };

  constructor(private readonly on: FramingEvents) {}

  /** True between requests: the last one is complete and no byte of the next has arrived. */
  get betweenRequests(): boolean {
    return this.state.kind === "idle";
  }

  /** True once the stream stopped being followed (not understood, or refused). */
  get stopped(): boolean {
    return this.state.kind === "off";
  }

  feed(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length && this.state.kind !== "off") at = this.step(chunk, at);
  }

  /** Consumes bytes from `at` in the current state; returns where the next state starts. */
  private step(chunk: Buffer, at: number): number {
    const s = this.state;
    switch (s.kind) {
      case "idle": {
        // Empty lines before a request line are allowed (RFC 9112 §2.2).
        while (at < chunk.length && (chunk[at] === 0x0d || chunk[at] === 0x0a)) at++;
        if (at === chunk.length) return at;
        this.state = { kind: "head", buf: Buffer.alloc(0) };
        this.on.start();
        return at;
      }
      case "head": {
        const buf = Buffer.concat([s.buf, chunk.subarray(at)]);
        const end = headEnd(buf, Math.max(0, s.buf.length - 3));
        if (end < 0) {
          if (buf.length > maxHeadBytes) this.state = { kind: "off" };
          else this.state = { kind: "head", buf };
          return chunk.length;
        }
        const consumed = end - s.buf.length;
        this.afterHead(buf.subarray(0, end));
        return at + consumed;
      }
      case "fixed": {
        const n = Math.min(s.left, chunk.length - at);
        if (n === s.left) this.finish();
        else this.state = { kind: "fixed", left: s.left - n };
        return at + n;
      }
      case "size":
      case "trailers": {
        const nl = chunk.indexOf(0x0a, at);
        const piece = chunk.subarray(at, nl < 0 ? chunk.length : nl);
        const line = Buffer.concat([s.line, piece]);
        if (nl < 0) {
          if (line.length > maxLineBytes) this.state = { kind: "off" };
          else this.state = { ...s, line };
          return chunk.length;
        }
        const text = line.toString("latin1").replace(/\r$/, "");
        if (s.kind === "trailers") {
          if (text === "") this.finish();
          else this.state = { kind: "trailers", line: Buffer.alloc(0) };
        } else {
          this.afterSize(text);
        }
        return nl + 1;
      }
      case "data": {
        const n = Math.min(s.left, chunk.length - at);
        this.state = n === s.left ? { kind: "dataEnd", seen: 0 } : { kind: "data", left: s.left - n };
        return at + n;
      }
      case "dataEnd": {
        // The CRLF after a chunk's data; a bare LF is tolerated as node:http tolerates it.
        const byte = chunk[at];
        if (byte === 0x0a) this.state = { kind: "size", line: Buffer.alloc(0) };
        else if (byte === 0x0d && s.seen === 0) this.state = { kind: "dataEnd", seen: 1 };
        else this.state = { kind: "off" };
        return at + 1;
      }
      case "off":
        return chunk.length;
    }
  }

  private afterHead(head: Buffer): void {
    this.on.headers();
    const framing = bodyFraming(head.toString("latin1"));
    if (framing === "unknown") this.state = { kind: "off" };
    else if (framing === "chunked") this.state = { kind: "size", line: Buffer.alloc(0) };
    else if (framing > 0) this.state = { kind: "fixed", left: framing };
    else this.finish();
  }

  private afterSize(text: string): void {
    const m = chunkSize.exec(text);
    if (!m) return this.refuse(`invalid chunk size line ${JSON.stringify(text.slice(0, 40))}`);
    const size = Number.parseInt(m[1], 16);
    // Beyond 2^53 the size cannot even be counted exactly; no body we accept comes near it.
    if (!Number.isSafeInteger(size)) return this.refuse(`chunk size ${m[1]} is too large`);
    this.state = size === 0 ? { kind: "trailers", line: Buffer.alloc(0) } : { kind: "data", left: size };
  }

  private finish(): void {
    this.state = { kind: "idle" };
    this.on.end();
  }

  private refuse(reason: string): void {
    this.state = { kind: "off" };
    this.on.malformed(reason);
  }
}

/** Index just past the empty line that ends a header block, searching from `from`; -1 if not there yet. */
function headEnd(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(0x0a, from); i >= 0; i = buf.indexOf(0x0a, i + 1)) {
    if (buf[i + 1] === 0x0a) return i + 2;
    if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

/** How the body of a request with this header block is delimited (RFC 9112 §6.3). */
function bodyFraming(head: string): "chunked" | number | "unknown" {
  const lines = head.split("\n").map((l) => l.replace(/\r$/, ""));
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+ \S+ HTTP\/1\.[01]$/.test(lines[0] ?? "")) return "unknown";
  let chunked: boolean | undefined;
  let length: number | undefined;
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === "transfer-encoding") {
      const codings = value
        .toLowerCase()
        .split(",")
        .map((c) => c.trim());
      chunked = codings[codings.length - 1] === "chunked";
    } else if (name === "content-length") {
      if (!/^\d+$/.test(value) || (length !== undefined && length !== Number(value))) return "unknown";
      length = Number(value);
    }
  }
  // Transfer-Encoding wins over Content-Length (RFC 9112 §6.3); a final coding other than chunked is
  // node:http's to refuse.
  if (chunked !== undefined) return chunked ? "chunked" : "unknown";
  return length ?? 0;
}
