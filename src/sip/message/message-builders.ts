import type { CSeq } from "./cseq-header.js";
import { formatCSeq } from "./cseq-header.js";
import { getCSeq, getTo } from "./message-accessors.js";
import type { NameAddr } from "./name-addr.js";
import { formatNameAddr, nameAddrTag, parseNameAddr, withTag } from "./name-addr.js";
import { reasonPhrase } from "./reason-phrases.js";
import { SipHeaders } from "./sip-headers.js";
import type { SipRequest, SipResponse } from "./sip-message.js";
import type { Uri } from "./sip-uri.js";
import type { Via } from "./via-header.js";
import { formatVia } from "./via-header.js";

export type ExtraHeaders = readonly (readonly [string, string])[];

export interface RequestParts {
  readonly method: string;
  readonly uri: Uri;
  /** Top first. Usually one: ours, with a fresh branch. */
  readonly via: Via | readonly Via[];
  readonly from: NameAddr;
  readonly to: NameAddr;
  readonly callId: string;
  readonly cseq: number;
  /** RFC 3261 8.1.1.6: 70 by default. */
  readonly maxForwards?: number;
  readonly contact?: NameAddr | readonly NameAddr[];
  /** Route set (RFC 3261 12.2.1.1), in order. */
  readonly route?: readonly NameAddr[];
  readonly headers?: ExtraHeaders;
  readonly body?: Buffer | string;
  readonly contentType?: string;
}

function toBuffer(body: Buffer | string | undefined): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  return typeof body === "string" ? Buffer.from(body, "utf8") : body;
}

function addBody(headers: SipHeaders, body: Buffer, contentType: string | undefined): void {
  if (contentType !== undefined && body.length > 0) headers.set("Content-Type", contentType);
  headers.set("Content-Length", String(body.length));
}

/** Builds a request with the RFC 3261 8.1.1 mandatory headers. */
export function createRequest(parts: RequestParts): SipRequest {
  const headers = new SipHeaders();
  const vias = Array.isArray(parts.via) ? (parts.via as readonly Via[]) : [parts.via as Via];
  for (const v of vias) headers.append("Via", formatVia(v));
  headers.append("Max-Forwards", String(parts.maxForwards ?? 70));
  for (const r of parts.route ?? []) headers.append("Route", formatNameAddr(r));
  headers.append("From", formatNameAddr(parts.from));
  headers.append("To", formatNameAddr(parts.to));
  headers.append("Call-ID", parts.callId);
  headers.append("CSeq", formatCSeq({ seq: parts.cseq, method: parts.method }));
  const contacts =
    parts.contact === undefined ? [] : Array.isArray(parts.contact) ? parts.contact : [parts.contact];
  for (const c of contacts as readonly NameAddr[]) headers.append("Contact", formatNameAddr(c));
  for (const [name, value] of parts.headers ?? []) headers.append(name, value);
  const body = toBuffer(parts.body);
  addBody(headers, body, parts.contentType);
  return { kind: "request", method: parts.method, uri: parts.uri, headers, body };
}

export interface ResponseOptions {
  readonly reason?: string;
  /** Added to To when the request's To has no tag and status > 100 (RFC 3261 8.2.6.2). */
  readonly toTag?: string;
  readonly contact?: NameAddr | readonly NameAddr[];
  readonly headers?: ExtraHeaders;
  readonly body?: Buffer | string;
  readonly contentType?: string;
}

const dialogCreatingMethods = new Set(["INVITE", "SUBSCRIBE", "REFER", "NOTIFY"]);

/**
 * RFC 3261 8.2.6.2: the response copies Via (all, in order), From, To, Call-ID and CSeq from the
 * request; To gets our tag unless the request had one. RFC 3261 12.1.1: Record-Route is copied into
 * dialog-creating 1xx/2xx responses.
 */
export function createResponse(
  request: SipRequest,
  status: number,
  options: ResponseOptions = {},
): SipResponse {
  const headers = new SipHeaders();
  for (const v of request.headers.getAll("Via")) headers.append("Via", v);
  if (dialogCreatingMethods.has(request.method) && status > 100 && status < 300) {
    for (const rr of request.headers.getAll("Record-Route")) headers.append("Record-Route", rr);
  }
  const from = request.headers.get("From");
  if (from !== undefined) headers.append("From", from);
  const toText = request.headers.get("To");
  if (toText !== undefined) {
    const to = parseNameAddr(toText);
    if (to !== undefined && options.toTag !== undefined && status > 100 && nameAddrTag(to) === undefined) {
      headers.append("To", formatNameAddr(withTag(to, options.toTag)));
    } else headers.append("To", toText);
  }
  const callId = request.headers.get("Call-ID");
  if (callId !== undefined) headers.append("Call-ID", callId);
  const cseq = request.headers.get("CSeq");
  if (cseq !== undefined) headers.append("CSeq", cseq);
  const contacts =
    options.contact === undefined ? [] : Array.isArray(options.contact) ? options.contact : [options.contact];
  for (const c of contacts as readonly NameAddr[]) headers.append("Contact", formatNameAddr(c));
  for (const [name, value] of options.headers ?? []) headers.append(name, value);
  const body = toBuffer(options.body);
  addBody(headers, body, options.contentType);
  return { kind: "response", status, reason: options.reason ?? reasonPhrase(status), headers, body };
}

function copyHeader(from: SipRequest | SipResponse, to: SipHeaders, name: string): void {
  for (const v of from.headers.getAll(name)) to.append(name, v);
}

/**
 * RFC 3261 17.1.1.3: the ACK for a non-2xx final response has the Request-URI, Call-ID, From, CSeq
 * number and top Via (same branch) of the INVITE, the To of the response, and the INVITE's Route.
 */
export function createAck(invite: SipRequest, response: SipResponse): SipRequest {
  const headers = new SipHeaders();
  const topVia = invite.headers.get("Via");
  if (topVia !== undefined) headers.append("Via", topVia);
  headers.append("Max-Forwards", "70");
  copyHeader(invite, headers, "Route");
  copyHeader(invite, headers, "From");
  copyHeader(response, headers, "To");
  copyHeader(invite, headers, "Call-ID");
  const cseq: CSeq | undefined = getCSeq(invite);
  headers.append("CSeq", formatCSeq({ seq: cseq?.seq ?? 0, method: "ACK" }));
  headers.append("Content-Length", "0");
  return { kind: "request", method: "ACK", uri: invite.uri, headers, body: Buffer.alloc(0) };
}

/**
 * RFC 3261 9.1: CANCEL has the Request-URI, Call-ID, To, From and CSeq number of the request it
 * cancels, a single Via equal to its top Via (same branch), and the same Route headers.
 */
export function createCancel(request: SipRequest, options: { headers?: ExtraHeaders } = {}): SipRequest {
  const headers = new SipHeaders();
  const topVia = request.headers.get("Via");
  if (topVia !== undefined) headers.append("Via", topVia);
  headers.append("Max-Forwards", "70");
  copyHeader(request, headers, "Route");
  copyHeader(request, headers, "From");
  copyHeader(request, headers, "To");
  copyHeader(request, headers, "Call-ID");
  const cseq = getCSeq(request);
  headers.append("CSeq", formatCSeq({ seq: cseq?.seq ?? 0, method: "CANCEL" }));
  for (const [name, value] of options.headers ?? []) headers.append(name, value);
  headers.append("Content-Length", "0");
  return { kind: "request", method: "CANCEL", uri: request.uri, headers, body: Buffer.alloc(0) };
}

/** A copy of `message` with its headers cloned, so builders can be chained without aliasing. */
export function cloneRequest(
  request: SipRequest,
  changes: Partial<Pick<SipRequest, "uri" | "body">> = {},
): SipRequest {
  return { ...request, ...changes, headers: request.headers.clone() };
}

/** The To of `response` (e.g. to learn the remote tag); undefined when malformed. */
export function responseToTag(response: SipResponse): string | undefined {
  const to = getTo(response);
  return to === undefined ? undefined : nameAddrTag(to);
}
