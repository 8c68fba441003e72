import type { CSeq } from "./cseq-header.js";
import { parseCSeq } from "./cseq-header.js";
import type { NameAddr } from "./name-addr.js";
import { nameAddrTag, parseNameAddr } from "./name-addr.js";
import type { SipMessage } from "./sip-message.js";
import type { Via } from "./via-header.js";
import { parseVia } from "./via-header.js";

/** Typed views of the common headers. Each returns undefined when the header is absent or malformed. */

export function getCallId(m: SipMessage): string | undefined {
  const v = m.headers.get("Call-ID");
  return v === undefined || v.length === 0 ? undefined : v;
}

export function getCSeq(m: SipMessage): CSeq | undefined {
  const v = m.headers.get("CSeq");
  return v === undefined ? undefined : parseCSeq(v);
}

export function getFrom(m: SipMessage): NameAddr | undefined {
  const v = m.headers.get("From");
  return v === undefined ? undefined : parseNameAddr(v);
}

export function getTo(m: SipMessage): NameAddr | undefined {
  const v = m.headers.get("To");
  return v === undefined ? undefined : parseNameAddr(v);
}

export function getFromTag(m: SipMessage): string | undefined {
  const f = getFrom(m);
  return f === undefined ? undefined : nameAddrTag(f);
}

export function getToTag(m: SipMessage): string | undefined {
  const t = getTo(m);
  return t === undefined ? undefined : nameAddrTag(t);
}

/** All Via values, top first; undefined when any is malformed. */
export function getVias(m: SipMessage): Via[] | undefined {
  const out: Via[] = [];
  for (const v of m.headers.getAll("Via")) {
    const via = parseVia(v);
    if (via === undefined) return undefined;
    out.push(via);
  }
  return out;
}

export function getTopVia(m: SipMessage): Via | undefined {
  const v = m.headers.get("Via");
  return v === undefined ? undefined : parseVia(v);
}

/** Contacts, or "*" (RFC 3261 10.2.2), or undefined when malformed. */
export function getContacts(m: SipMessage): NameAddr[] | "*" | undefined {
  const values = m.headers.getAll("Contact");
  if (values.length === 1 && values[0] === "*") return "*";
  return parseNameAddrList(values);
}

export function getRoutes(m: SipMessage): NameAddr[] | undefined {
  return parseNameAddrList(m.headers.getAll("Route"));
}

export function getRecordRoutes(m: SipMessage): NameAddr[] | undefined {
  return parseNameAddrList(m.headers.getAll("Record-Route"));
}

function parseNameAddrList(values: readonly string[]): NameAddr[] | undefined {
  const out: NameAddr[] = [];
  for (const v of values) {
    const na = parseNameAddr(v);
    if (na === undefined) return undefined;
    out.push(na);
  }
  return out;
}

function parseSmallInt(v: string | undefined, max: number): number | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  if (!/^\d{1,10}$/.test(t)) return undefined;
  const n = Number(t);
  return n > max ? undefined : n;
}

/** Max-Forwards 0..255 (RFC 3261 20.22). */
export function getMaxForwards(m: SipMessage): number | undefined {
  return parseSmallInt(m.headers.get("Max-Forwards"), 255);
}

export function getContentLength(m: SipMessage): number | undefined {
  return parseSmallInt(m.headers.get("Content-Length"), 2 ** 31 - 1);
}

/** Expires header in seconds (RFC 3261 20.19: up to 2**32-1). */
export function getExpires(m: SipMessage): number | undefined {
  return parseSmallInt(m.headers.get("Expires"), 2 ** 32 - 1);
}

export function getContentType(m: SipMessage): string | undefined {
  return m.headers.get("Content-Type");
}
