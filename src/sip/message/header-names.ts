/** RFC 3261 7.3.3 compact forms (plus RFC 3515/3891/4028/3841 ones in common use). */
const compactForms: Readonly<Record<string, string>> = {
  v: "Via",
  f: "From",
  t: "To",
  i: "Call-ID",
  m: "Contact",
  l: "Content-Length",
  c: "Content-Type",
  k: "Supported",
  s: "Subject",
  e: "Content-Encoding",
  o: "Event",
  u: "Allow-Events",
  r: "Refer-To",
  b: "Referred-By",
  x: "Session-Expires",
  y: "Identity",
  a: "Accept-Contact",
  j: "Reject-Contact",
  d: "Request-Disposition",
};

const canonicalNames: readonly string[] = [
  "Accept",
  "Accept-Contact",
  "Accept-Encoding",
  "Accept-Language",
  "Alert-Info",
  "Allow",
  "Allow-Events",
  "Authentication-Info",
  "Authorization",
  "Call-ID",
  "Call-Info",
  "Contact",
  "Content-Disposition",
  "Content-Encoding",
  "Content-Language",
  "Content-Length",
  "Content-Type",
  "CSeq",
  "Date",
  "Error-Info",
  "Event",
  "Expires",
  "From",
  "Identity",
  "In-Reply-To",
  "Max-Forwards",
  "Min-Expires",
  "Min-SE",
  "MIME-Version",
  "Organization",
  "Path",
  "Priority",
  "Proxy-Authenticate",
  "Proxy-Authorization",
  "Proxy-Require",
  "RAck",
  "Reason",
  "Record-Route",
  "Refer-To",
  "Referred-By",
  "Reject-Contact",
  "Replaces",
  "Reply-To",
  "Request-Disposition",
  "Require",
  "Retry-After",
  "Route",
  "RSeq",
  "Server",
  "Service-Route",
  "Session-Expires",
  "Subject",
  "Subscription-State",
  "Supported",
  "Timestamp",
  "To",
  "Unsupported",
  "User-Agent",
  "Via",
  "Warning",
  "WWW-Authenticate",
];

const canonicalByLower = new Map<string, string>(canonicalNames.map((n) => [n.toLowerCase(), n]));
for (const [short, long] of Object.entries(compactForms)) canonicalByLower.set(short, long);

/**
 * The name to write on the wire for `name`: compact forms expanded, known names in their RFC
 * spelling, unknown names kept as received.
 */
export function canonicalHeaderName(name: string): string {
  return canonicalByLower.get(name.toLowerCase()) ?? name;
}

/** The key used to compare header names (RFC 3261 7.3.1: names are case-insensitive). */
export function headerKey(name: string): string {
  return canonicalHeaderName(name).toLowerCase();
}

/**
 * Headers whose comma-separated values are split into separate values on parse (RFC 3261 7.3.1).
 * Authorization-style headers and Date contain commas that are not separators, so they stay whole.
 */
const listHeaderKeys = new Set(["via", "route", "record-route", "contact", "path", "service-route"]);

export function isListHeader(key: string): boolean {
  return listHeaderKeys.has(key);
}

/** Headers that may appear at most once (RFC 3261 20, table 2: "single value required" fields). */
export const singleValueHeaderKeys: readonly string[] = [
  "call-id",
  "cseq",
  "from",
  "to",
  "max-forwards",
  "content-length",
  "content-type",
  "expires",
];
