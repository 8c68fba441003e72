/**
 * The RFC 6455 4.1 opening handshake for SIP over WebSocket (RFC 7118 4.1: the client MUST include
 * "sip" in Sec-WebSocket-Protocol and the server MUST select it). HTTP only, never SIP.
 */
import { createHash, randomBytes } from "node:crypto";

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const HEADER_END = Buffer.from("\r\n\r\n");
export const maxHandshakeBytes = 8_192;

export function wsAcceptFor(key: string): string {
  return createHash("sha1")
    .update(key + WS_GUID)
    .digest("base64");
}

export function newWsKey(): string {
  return randomBytes(16).toString("base64");
}

export interface HttpHead {
  readonly startLine: string;
  /** Lower-cased names; repeated fields joined with ", " (RFC 9110 5.3). */
  readonly headers: ReadonlyMap<string, string>;
}

function serializeHead(startLine: string, headers: ReadonlyArray<readonly [string, string]>): Buffer {
  const lines = [startLine, ...headers.map(([name, value]) => `${name}: ${value}`), "", ""];
  return Buffer.from(lines.join("\r\n"), "latin1");
}

export function buildUpgradeRequest(options: { host: string; path: string; key: string }): Buffer {
  return serializeHead(`GET ${options.path} HTTP/1.1`, [
    ["Host", options.host],
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Key", options.key],
    ["Sec-WebSocket-Version", "13"],
    ["Sec-WebSocket-Protocol", "sip"],
  ]);
}

export function buildUpgradeResponse(key: string, options: { selectSip?: boolean } = {}): Buffer {
  const headers: Array<[string, string]> = [
    ["Upgrade", "websocket"],
    ["Connection", "Upgrade"],
    ["Sec-WebSocket-Accept", wsAcceptFor(key)],
  ];
  if (options.selectSip !== false) headers.push(["Sec-WebSocket-Protocol", "sip"]);
  return serializeHead("HTTP/1.1 101 Switching Protocols", headers);
}

/** Splits a complete HTTP head off `buffer`: the head, the bytes after it, or "incomplete"/"too_large". */
export function takeHttpHead(buffer: Buffer): { head: HttpHead; rest: Buffer } | "incomplete" | "too_large" {
  const end = buffer.indexOf(HEADER_END);
  if (end < 0) return buffer.length > maxHandshakeBytes ? "too_large" : "incomplete";
  const lines = buffer.subarray(0, end).toString("latin1").split("\r\n");
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    const previous = headers.get(name);
    headers.set(name, previous === undefined ? value : `${previous}, ${value}`);
  }
  return { head: { startLine: lines[0] ?? "", headers }, rest: buffer.subarray(end + HEADER_END.length) };
}

function hasToken(value: string | undefined, token: string): boolean {
  return (value ?? "").split(",").some((t) => t.trim().toLowerCase() === token);
}

/** RFC 6455 4.1: the checks a client makes on the server's handshake; undefined when it is valid. */
export function checkUpgradeResponse(head: HttpHead, key: string): string | undefined {
  const status = head.startLine.split(" ")[1];
  if (status !== "101") return "status";
  if (!hasToken(head.headers.get("upgrade"), "websocket")) return "upgrade";
  if (!hasToken(head.headers.get("connection"), "upgrade")) return "connection";
  if (head.headers.get("sec-websocket-accept") !== wsAcceptFor(key)) return "accept";
  if (head.headers.get("sec-websocket-protocol")?.toLowerCase() !== "sip") return "subprotocol";
  return undefined;
}

/** The server-side checks (for the loopback test server); returns the client's key when acceptable. */
export function checkUpgradeRequest(head: HttpHead): string | undefined {
  if (!head.startLine.startsWith("GET ")) return undefined;
  if (!hasToken(head.headers.get("upgrade"), "websocket")) return undefined;
  if (!hasToken(head.headers.get("sec-websocket-protocol"), "sip")) return undefined;
  if (head.headers.get("sec-websocket-version") !== "13") return undefined;
  return head.headers.get("sec-websocket-key");
}
