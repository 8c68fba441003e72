/**
 * Splits a SIP byte stream (TCP, TLS) into whole messages. Pure: no I/O, no timers, never throws.
 *
 * RFC 3261 18.3: "In the case of stream-oriented transports such as TCP, the Content-Length header
 * field indicates the size of the body. All stream-oriented transports MUST use Content-Length".
 * The framer reads only what framing needs: the end of the header section (CRLFCRLF) and the
 * Content-Length (or compact `l`) header at line starts; everything else is the parser's job.
 *
 * Keep-alives (RFC 5626 4.4.1): between messages a double CRLF is a "ping" (answer with a single
 * CRLF) and a single CRLF is a "pong". A lone CRLF that is the last thing received is reported as a
 * pong at once (a client waiting for its pong must not wait for more bytes); if the next chunk starts
 * with another CRLF the pair is then reported as a ping too, so a ping split across two reads is still
 * answered. Listeners ignore the kind they did not expect (a server ignores pongs).
 */
export type FramingErrorCode =
  | "missing_content_length"
  | "invalid_content_length"
  | "conflicting_content_length"
  | "message_too_large";

export type FramerEvent =
  | { readonly kind: "message"; readonly data: Buffer }
  | { readonly kind: "ping" }
  | { readonly kind: "pong" }
  | { readonly kind: "error"; readonly code: FramingErrorCode };

export interface StreamFramerOptions {
  /** Largest message (headers + body) accepted; a larger one is a framing error. */
  readonly maxMessageBytes: number;
  /**
   * What to do with a message without Content-Length. "error" (default): RFC 3261 18.3 makes it
   * mandatory on streams, and guessing would desynchronise the stream, so the flow is closed.
   * "zero": treat as an empty body (lenient peers that omit it on body-less messages).
   */
  readonly missingContentLength: "error" | "zero";
}

export const defaultStreamFramerOptions = {
  maxMessageBytes: 65_536,
  missingContentLength: "error",
} as const satisfies StreamFramerOptions;

const CR = 0x0d;
const LF = 0x0a;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;
const HEADER_END = Buffer.from("\r\n\r\n");

export class StreamFramer {
  readonly #options: StreamFramerOptions;
  #buffer: Buffer = Buffer.alloc(0);
  /** Where to resume looking for CRLFCRLF in the current (incomplete) header section. */
  #scanFrom = 0;
  /** Header end and total length of the message being assembled, once known. */
  #pendingTotalBytes: number | undefined;
  /** The previous read ended with a lone CRLF reported as a pong (see the file comment). */
  #loneCrlfAtEnd = false;
  #failed: FramingErrorCode | undefined;

  constructor(options: Partial<StreamFramerOptions> = {}) {
    this.#options = { ...defaultStreamFramerOptions, ...options };
  }

  /** The error that stopped the framer; once set, `push` returns nothing more. */
  get failure(): FramingErrorCode | undefined {
    return this.#failed;
  }

  get bufferedBytes(): number {
    return this.#buffer.length;
  }

  push(chunk: Buffer): FramerEvent[] {
    if (this.#failed !== undefined) return [];
    const events: FramerEvent[] = [];
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const event = this.#next();
      if (event === undefined) break;
      events.push(event);
      if (event.kind === "error") {
        this.#failed = event.code;
        this.#buffer = Buffer.alloc(0);
        break;
      }
    }
    return events;
  }

  #next(): FramerEvent | undefined {
    const buf = this.#buffer;
    if (this.#pendingTotalBytes === undefined && this.#scanFrom === 0) {
      const keepAlive = this.#keepAlive(buf);
      if (keepAlive !== "none") return keepAlive === "wait" ? undefined : keepAlive;
    }
    if (this.#pendingTotalBytes === undefined) {
      const headerEnd = buf.indexOf(HEADER_END, Math.max(0, this.#scanFrom - 3));
      if (headerEnd < 0) {
        this.#scanFrom = buf.length;
        if (buf.length > this.#options.maxMessageBytes) return { kind: "error", code: "message_too_large" };
        return undefined;
      }
      const bodyStart = headerEnd + HEADER_END.length;
      const length = contentLength(buf.subarray(0, headerEnd));
      let bodyBytes: number;
      if (typeof length === "number") bodyBytes = length;
      else if (length === "missing" && this.#options.missingContentLength === "zero") bodyBytes = 0;
      else return { kind: "error", code: length === "missing" ? "missing_content_length" : length };
      const total = bodyStart + bodyBytes;
      if (total > this.#options.maxMessageBytes) return { kind: "error", code: "message_too_large" };
      this.#pendingTotalBytes = total;
    }
    const total = this.#pendingTotalBytes;
    if (buf.length < total) return undefined;
    // Copy so a message does not pin the (possibly larger) read buffer it arrived in.
    const data = Buffer.from(buf.subarray(0, total));
    this.#consume(total);
    return { kind: "message", data };
  }

  /** Handles CRLFs at a message boundary. */
  #keepAlive(buf: Buffer): "none" | "wait" | FramerEvent {
    if (buf.length === 0) return "wait";
    if (buf[0] !== CR) {
      this.#loneCrlfAtEnd = false;
      return "none";
    }
    if (buf.length < 2) return "wait";
    if (buf[1] !== LF) {
      this.#loneCrlfAtEnd = false;
      return "none";
    }
    if (buf.length >= 4 && buf[2] === CR && buf[3] === LF) {
      this.#loneCrlfAtEnd = false;
      this.#consume(4);
      return { kind: "ping" };
    }
    if (buf.length === 3 && buf[2] === CR) return "wait";
    if (this.#loneCrlfAtEnd) {
      // The second half of a ping split across reads (its first half was already reported as a pong).
      this.#loneCrlfAtEnd = false;
      this.#consume(2);
      return { kind: "ping" };
    }
    this.#consume(2);
    this.#loneCrlfAtEnd = this.#buffer.length === 0;
    return { kind: "pong" };
  }

  #consume(bytes: number): void {
    this.#buffer = this.#buffer.length === bytes ? Buffer.alloc(0) : this.#buffer.subarray(bytes);
    this.#scanFrom = 0;
    this.#pendingTotalBytes = undefined;
  }
}

/**
 * Content-Length from a header section (without the final CRLFCRLF): the value of every line that
 * starts with `Content-Length` or compact `l` (case-insensitive), optional whitespace, then a colon.
 */
export function contentLength(headers: Buffer): number | "missing" | FramingErrorCode {
  let found: number | undefined;
  let lineStart = headers.indexOf("\r\n");
  if (lineStart < 0) return "missing";
  lineStart += 2;
  while (lineStart < headers.length) {
    let lineEnd = headers.indexOf("\r\n", lineStart);
    if (lineEnd < 0) lineEnd = headers.length;
    const value = contentLengthValue(headers, lineStart, lineEnd);
    if (value !== undefined) {
      if (value === "invalid") return "invalid_content_length";
      if (found !== undefined && found !== value) return "conflicting_content_length";
      found = value;
    }
    lineStart = lineEnd + 2;
  }
  return found ?? "missing";
}

const LONG_NAME = "content-length";

function contentLengthValue(buf: Buffer, start: number, end: number): number | "invalid" | undefined {
  let i = start;
  const first = buf[i];
  if (first === undefined) return undefined;
  const lower = (b: number | undefined): number | undefined =>
    b !== undefined && b >= 65 && b <= 90 ? b + 32 : b;
  if (lower(first) === 0x6c /* l */ && (buf[i + 1] === COLON || buf[i + 1] === SP || buf[i + 1] === HTAB)) {
    i += 1;
  } else {
    if (end - start < LONG_NAME.length) return undefined;
    for (let k = 0; k < LONG_NAME.length; k++) {
      if (lower(buf[start + k]) !== LONG_NAME.charCodeAt(k)) return undefined;
    }
    i += LONG_NAME.length;
  }
  while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
  if (buf[i] !== COLON) return undefined;
  i++;
  while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
  let value = 0;
  let digits = 0;
  while (i < end) {
    const b = buf[i];
    if (b === undefined || b < 0x30 || b > 0x39) break;
    value = value * 10 + (b - 0x30);
    digits++;
    if (digits > 9) return "invalid";
    i++;
  }
  while (i < end && (buf[i] === SP || buf[i] === HTAB)) i++;
  if (digits === 0 || i !== end) return "invalid";
  return value;
}
