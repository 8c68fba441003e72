/**
 * RFC 6455 framing (pure, no I/O, never throws): encode frames, and a parser that turns a byte
 * stream into whole messages (reassembling fragments) and control frames.
 */
import { randomBytes } from "node:crypto";

export const WsOpcode = {
  continuation: 0x0,
  text: 0x1,
  binary: 0x2,
  close: 0x8,
  ping: 0x9,
  pong: 0xa,
} as const;
export type WsOpcode = (typeof WsOpcode)[keyof typeof WsOpcode];

export type WsFrameErrorCode =
  | "protocol_error"
  | "unexpected_mask"
  | "missing_mask"
  | "message_too_large"
  | "invalid_utf8";

export type WsEvent =
  | { readonly kind: "message"; readonly binary: boolean; readonly payload: Buffer }
  | { readonly kind: "ping"; readonly payload: Buffer }
  | { readonly kind: "pong"; readonly payload: Buffer }
  | { readonly kind: "close"; readonly code: number | undefined }
  | { readonly kind: "error"; readonly code: WsFrameErrorCode };

/** RFC 6455 5.1: "a client MUST mask all frames that it sends to the server"; servers never mask. */
export function encodeWsFrame(
  opcode: WsOpcode,
  payload: Buffer,
  options: { mask: boolean; fin?: boolean },
): Buffer {
  const fin = options.fin ?? true;
  const length = payload.length;
  const extended = length < 126 ? 0 : length < 65_536 ? 2 : 8;
  const header = Buffer.alloc(2 + extended + (options.mask ? 4 : 0));
  header[0] = (fin ? 0x80 : 0) | opcode;
  const maskBit = options.mask ? 0x80 : 0;
  if (extended === 0) header[1] = maskBit | length;
  else if (extended === 2) {
    header[1] = maskBit | 126;
    header.writeUInt16BE(length, 2);
  } else {
    header[1] = maskBit | 127;
    header.writeBigUInt64BE(BigInt(length), 2);
  }
  if (!options.mask) return Buffer.concat([header, payload]);
  const key = randomBytes(4);
  key.copy(header, 2 + extended);
  const masked = Buffer.alloc(length);
  for (let i = 0; i < length; i++) masked[i] = (payload[i] ?? 0) ^ (key[i & 3] ?? 0);
  return Buffer.concat([header, masked]);
}

export function encodeWsClose(code: number, mask: boolean): Buffer {
  const payload = Buffer.alloc(2);
  payload.writeUInt16BE(code, 0);
  return encodeWsFrame(WsOpcode.close, payload, { mask });
}

export interface WsFrameParserOptions {
  /** Frames from a client are masked (a server parses with true, a client with false). */
  readonly expectMasked: boolean;
  readonly maxMessageBytes: number;
}

export class WsFrameParser {
  readonly #options: WsFrameParserOptions;
  #buffer: Buffer = Buffer.alloc(0);
  #fragments: Buffer[] = [];
  #fragmentBytes = 0;
  #fragmentBinary: boolean | undefined;
  #failed = false;

  constructor(options: WsFrameParserOptions) {
    this.#options = options;
  }

  push(chunk: Buffer): WsEvent[] {
    if (this.#failed) return [];
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    const events: WsEvent[] = [];
    for (;;) {
      const event = this.#next();
      if (event === undefined) break;
      if (event === "more") continue;
      events.push(event);
      if (event.kind === "error") {
        this.#failed = true;
        this.#buffer = Buffer.alloc(0);
        break;
      }
    }
    return events;
  }

  #next(): WsEvent | "more" | undefined {
    const buf = this.#buffer;
    const b0 = buf[0];
    const b1 = buf[1];
    if (b0 === undefined || b1 === undefined) return undefined;
    const fin = (b0 & 0x80) !== 0;
    // RFC 6455 5.2: RSV1-3 "MUST be 0 unless an extension is negotiated".
    if ((b0 & 0x70) !== 0) return { kind: "error", code: "protocol_error" };
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    if (masked !== this.#options.expectMasked) {
      return { kind: "error", code: masked ? "unexpected_mask" : "missing_mask" };
    }
    let length = b1 & 0x7f;
    let offset = 2;
    if (length === 126) {
      if (buf.length < 4) return undefined;
      length = buf.readUInt16BE(2);
      offset = 4;
    } else if (length === 127) {
      if (buf.length < 10) return undefined;
      const big = buf.readBigUInt64BE(2);
      if (big > BigInt(this.#options.maxMessageBytes)) return { kind: "error", code: "message_too_large" };
      length = Number(big);
      offset = 10;
    }
    if (length > this.#options.maxMessageBytes) return { kind: "error", code: "message_too_large" };
    const keyOffset = offset;
    if (masked) offset += 4;
    if (buf.length < offset + length) return undefined;
    const payload = Buffer.from(buf.subarray(offset, offset + length));
    if (masked) {
      for (let i = 0; i < length; i++) payload[i] = (payload[i] ?? 0) ^ (buf[keyOffset + (i & 3)] ?? 0);
    }
    this.#buffer = buf.subarray(offset + length);
    return this.#frame(fin, opcode, payload);
  }

  #frame(fin: boolean, opcode: number, payload: Buffer): WsEvent | "more" {
    if (opcode >= 0x8) {
      // RFC 6455 5.5: "All control frames MUST have a payload length of 125 bytes or less and MUST NOT
      // be fragmented."
      if (!fin || payload.length > 125) return { kind: "error", code: "protocol_error" };
      if (opcode === WsOpcode.ping) return { kind: "ping", payload };
      if (opcode === WsOpcode.pong) return { kind: "pong", payload };
      if (opcode === WsOpcode.close) {
        return { kind: "close", code: payload.length >= 2 ? payload.readUInt16BE(0) : undefined };
      }
      return { kind: "error", code: "protocol_error" };
    }
    if (opcode === WsOpcode.continuation) {
      if (this.#fragmentBinary === undefined) return { kind: "error", code: "protocol_error" };
    } else if (opcode === WsOpcode.text || opcode === WsOpcode.binary) {
      // RFC 6455 5.4: a new data frame may not start while a fragmented message is open.
      if (this.#fragmentBinary !== undefined) return { kind: "error", code: "protocol_error" };
      this.#fragmentBinary = opcode === WsOpcode.binary;
    } else {
      return { kind: "error", code: "protocol_error" };
    }
    this.#fragmentBytes += payload.length;
    if (this.#fragmentBytes > this.#options.maxMessageBytes)
      return { kind: "error", code: "message_too_large" };
    this.#fragments.push(payload);
    if (!fin) return "more";
    const binary = this.#fragmentBinary;
    const whole =
      this.#fragments.length === 1 && this.#fragments[0]
        ? this.#fragments[0]
        : Buffer.concat(this.#fragments);
    this.#fragments = [];
    this.#fragmentBytes = 0;
    this.#fragmentBinary = undefined;
    // RFC 6455 8.1: text frames carry UTF-8; invalid data "MUST Fail the WebSocket Connection".
    if (!binary && !isValidUtf8(whole)) return { kind: "error", code: "invalid_utf8" };
    return { kind: "message", binary, payload: whole };
  }
}

function isValidUtf8(data: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(data);
    return true;
  } catch {
    return false;
  }
}
