import type { Param } from "./header-scan.js";
import {
  formatParams,
  getParam,
  isTokenChar,
  parseParams,
  skipWhitespace,
  withParam,
} from "./header-scan.js";
import { formatHost } from "./sip-uri.js";

/** RFC 3261 8.1.1.7: branches of RFC 3261 transactions start with this magic cookie. */
export const branchMagicCookie = "z9hG4bK";

/** One Via value (RFC 3261 20.42). */
export interface Via {
  readonly protocolName: string;
  readonly protocolVersion: string;
  /** Upper-case transport token (UDP, TCP, TLS, WS, WSS, SCTP, or unknown). */
  readonly transport: string;
  readonly host: string;
  readonly port?: number | undefined;
  readonly params: readonly Param[];
}

function readToken(s: string, i: number): [string, number] {
  let j = i;
  while (j < s.length && isTokenChar(s[j] ?? "")) j++;
  return [s.slice(i, j), j];
}

/** Parses one Via value, allowing LWS around '/', ':' and parameters. Undefined when malformed. */
export function parseVia(text: string): Via | undefined {
  const s = text.trim();
  let i = 0;
  const [protocolName, a] = readToken(s, i);
  i = skipWhitespace(s, a);
  if (protocolName.length === 0 || s[i] !== "/") return undefined;
  const [protocolVersion, b] = readToken(s, skipWhitespace(s, i + 1));
  i = skipWhitespace(s, b);
  if (protocolVersion.length === 0 || s[i] !== "/") return undefined;
  const [transport, c] = readToken(s, skipWhitespace(s, i + 1));
  if (transport.length === 0) return undefined;
  i = skipWhitespace(s, c);
  if (i === c) return undefined;
  let host: string;
  if (s[i] === "[") {
    const close = s.indexOf("]", i);
    if (close < 0) return undefined;
    host = s.slice(i + 1, close);
    if (!/^[0-9A-Fa-f:.]+$/.test(host)) return undefined;
    i = close + 1;
  } else {
    let j = i;
    while (j < s.length && /[A-Za-z0-9.-]/.test(s[j] ?? "")) j++;
    host = s.slice(i, j);
    if (host.length === 0) return undefined;
    i = j;
  }
  let port: number | undefined;
  const k = skipWhitespace(s, i);
  if (s[k] === ":") {
    let j = skipWhitespace(s, k + 1);
    const start = j;
    while (j < s.length && /\d/.test(s[j] ?? "")) j++;
    if (j === start || j - start > 5) return undefined;
    port = Number(s.slice(start, j));
    if (port > 65535) return undefined;
    i = j;
  }
  const params = parseParams(s, i);
  if (!params.ok) return undefined;
  return {
    protocolName: protocolName.toUpperCase(),
    protocolVersion,
    transport: transport.toUpperCase(),
    host,
    port,
    params: params.params,
  };
}

export function formatVia(via: Via): string {
  const port = via.port === undefined ? "" : `:${via.port}`;
  return `${via.protocolName}/${via.protocolVersion}/${via.transport} ${formatHost(via.host)}${port}${formatParams(via.params)}`;
}

export function viaBranch(via: Via): string | undefined {
  const b = getParam(via.params, "branch");
  return b === "" ? undefined : b;
}

/** "host:port" as written (port defaulted per transport), used in transaction matching (17.2.3). */
export function viaSentBy(via: Via): string {
  const defaultPort = via.transport === "TLS" || via.transport === "WSS" ? 5061 : 5060;
  return `${via.host.toLowerCase()}:${via.port ?? defaultPort}`;
}

export function withViaParam(via: Via, name: string, value: string | undefined): Via {
  return { ...via, params: withParam(via.params, name, value) };
}

/** A fresh RFC 3261 branch: magic cookie plus a random token supplied by the caller. */
export function makeBranch(token: string): string {
  return `${branchMagicCookie}${token}`;
}

/** The rport parameter: undefined when absent, "" when present without a value (RFC 3581). */
export function getViaRport(via: Via): string | undefined {
  return getParam(via.params, "rport");
}
