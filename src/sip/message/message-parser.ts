import { isListHeader } from "./header-names.js";
import { isToken, splitCommaList } from "./header-scan.js";
import { SipHeaders } from "./sip-headers.js";
import type { ParseErrorReason, ParseResult, SipMessage } from "./sip-message.js";
import { parseUri } from "./sip-uri.js";

export interface ParseOptions {
  /**
   * Stream transports frame by Content-Length and require it; for datagrams a missing
   * Content-Length means "the rest of the datagram" (RFC 3261 18.3). Default false (datagram).
   */
  readonly requireContentLength?: boolean;
}

function fail(reason: ParseErrorReason, detail: string): ParseResult {
  return { ok: false, error: { reason, detail } };
}

function findHeaderEnd(data: Buffer, from: number): { end: number; sepLength: number } | undefined {
  const crlf = data.indexOf("\r\n\r\n", from, "latin1");
  const lf = data.indexOf("\n\n", from, "latin1");
  if (crlf < 0 && lf < 0) return undefined;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) return { end: crlf, sepLength: 4 };
  return { end: lf, sepLength: 2 };
}

/**
 * Parses one SIP message from bytes (RFC 3261 7). Never throws: malformed input gives a typed error.
 * Header values are kept as text; list headers (Via, Route, Record-Route, Contact...) are split
 * into one value each. Structured checks of header values are in validateRequest/validateResponse.
 */
export function parseMessage(data: Buffer, options: ParseOptions = {}): ParseResult {
  try {
    return parseUnchecked(data, options);
  } catch (error) {
    return fail("bad-header-line", `unexpected parser failure: ${String(error)}`);
  }
}

function parseUnchecked(data: Buffer, options: ParseOptions): ParseResult {
  let start = 0;
  // RFC 3261 7.5: implementations SHOULD ignore any CRLFs appearing before the start-line.
  while (start < data.length && (data[start] === 0x0d || data[start] === 0x0a)) start++;
  if (start >= data.length) return fail("empty", "no message");
  const headerEnd = findHeaderEnd(data, start);
  if (headerEnd === undefined) return fail("no-header-end", "no empty line after the headers");
  const head = data.toString("utf8", start, headerEnd.end);
  const lines = head.split(/\r?\n/);
  const startLine = lines[0] ?? "";
  // RFC 3261 7.3.1: header lines starting with whitespace continue the previous line (folding).
  const headerLines: string[] = [];
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k] ?? "";
    if (line.startsWith(" ") || line.startsWith("\t")) {
      const prev = headerLines.pop();
      if (prev === undefined) return fail("bad-header-line", "continuation line before any header");
      headerLines.push(`${prev} ${line.trim()}`);
    } else headerLines.push(line);
  }
  const headers = new SipHeaders();
  for (const line of headerLines) {
    const colon = line.indexOf(":");
    if (colon <= 0) return fail("bad-header-line", "header line without a name and colon");
    const name = line.slice(0, colon).trimEnd();
    if (!isToken(name)) return fail("bad-header-line", "header name is not a token");
    const value = line.slice(colon + 1).trim();
    const field = SipHeaders.field(name, value);
    if (isListHeader(field.key) && !(field.key === "contact" && value === "*")) {
      const values = splitCommaList(value);
      if (values === undefined) return fail("bad-header-list", `unbalanced quotes or brackets in ${name}`);
      for (const v of values) headers.appendField({ name: field.name, key: field.key, value: v });
    } else headers.appendField(field);
  }
  const bodyStart = headerEnd.end + headerEnd.sepLength;
  const lengths = headers.getAll("Content-Length");
  let body: Buffer;
  if (lengths.length === 0) {
    if (options.requireContentLength === true) return fail("bad-content-length", "missing Content-Length");
    body = data.subarray(bodyStart);
  } else {
    const distinct = new Set(lengths.map((l) => l.trim()));
    const text = lengths[0] ?? "";
    if (distinct.size > 1) return fail("bad-content-length", "conflicting Content-Length values");
    if (!/^\d{1,9}$/.test(text)) return fail("bad-content-length", "Content-Length is not a small integer");
    const length = Number(text);
    // RFC 3261 18.3: a datagram with fewer bytes than Content-Length MUST be discarded; extra bytes are ignored.
    if (bodyStart + length > data.length) return fail("truncated-body", "body shorter than Content-Length");
    body = data.subarray(bodyStart, bodyStart + length);
  }
  return parseStartLine(startLine, headers, Buffer.from(body));
}

function parseStartLine(line: string, headers: SipHeaders, body: Buffer): ParseResult {
  const parts = line.split(" ");
  if (line.startsWith("SIP/") || line.toUpperCase().startsWith("SIP/")) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF
    if (parts.length < 2) return fail("bad-start-line", "status line too short");
    if ((parts[0] ?? "").toUpperCase() !== "SIP/2.0") return fail("bad-version", "unsupported SIP version");
    const codeText = parts[1] ?? "";
    if (!/^\d{3}$/.test(codeText)) return fail("bad-status-code", "status code is not 3 digits");
    const status = Number(codeText);
    if (status < 100 || status > 699) return fail("bad-status-code", "status code out of range");
    const message: SipMessage = { kind: "response", status, reason: parts.slice(2).join(" "), headers, body };
    return { ok: true, message };
  }
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF (exactly single spaces, RFC 3261 25.1)
  if (parts.length !== 3)
    return fail("bad-start-line", "request line is not three single-space separated parts");
  const [method = "", uriText = "", version = ""] = parts;
  if (!isToken(method)) return fail("bad-method", "method is not a token");
  if (version.toUpperCase() !== "SIP/2.0") return fail("bad-version", "unsupported SIP version");
  const uri = parseUri(uriText);
  if (uri === undefined) return fail("bad-request-uri", "malformed Request-URI");
  const message: SipMessage = { kind: "request", method, uri, headers, body };
  return { ok: true, message };
}
