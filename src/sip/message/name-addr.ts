import type { Param } from "./header-scan.js";
import {
  endOfQuoted,
  formatParams,
  getParam,
  isTokenChar,
  isWhitespace,
  parseParams,
  quote,
  skipWhitespace,
  unquote,
  withParam,
} from "./header-scan.js";
import type { Uri } from "./sip-uri.js";
import { formatUri, parseUri } from "./sip-uri.js";

/** name-addr or addr-spec with header parameters (From, To, Contact, Route, Record-Route...). */
export interface NameAddr {
  /** Unquoted display name, when present. */
  readonly displayName?: string | undefined;
  readonly uri: Uri;
  readonly params: readonly Param[];
}

/** Parses one name-addr / addr-spec value (RFC 3261 20.10, 25.1); undefined when malformed. */
export function parseNameAddr(text: string): NameAddr | undefined {
  const s = text.trim();
  let i = 0;
  let displayName: string | undefined;
  let uriText: string;
  let after: number;
  if (s.startsWith('"')) {
    const end = endOfQuoted(s, 0);
    if (end < 0) return undefined;
    displayName = unquote(s.slice(0, end));
    i = skipWhitespace(s, end);
    if (s[i] !== "<") return undefined;
  } else if (s.includes("<")) {
    const lt = s.indexOf("<");
    const words = s.slice(0, lt).trim();
    for (const ch of words) if (!(isTokenChar(ch) || isWhitespace(ch))) return undefined;
    if (words.length > 0) displayName = words;
    i = lt;
  }
  if (s[i] === "<") {
    const gt = s.indexOf(">", i);
    if (gt < 0) return undefined;
    uriText = s.slice(i + 1, gt);
    after = gt + 1;
  } else {
    // addr-spec: RFC 3261 20.10 - a URI with ';', ',' or '?' must be in angle brackets, so the first
    // ';' starts the header parameters, and '?' or ',' make it malformed.
    let end = 0;
    while (end < s.length && s[end] !== ";" && !isWhitespace(s[end])) end++;
    uriText = s.slice(0, end);
    if (uriText.includes("?") || uriText.includes(",")) return undefined;
    after = end;
  }
  const uri = parseUri(uriText);
  if (uri === undefined) return undefined;
  const params = parseParams(s, after);
  if (!params.ok) return undefined;
  return { displayName, uri, params: params.params };
}

export function formatNameAddr(value: NameAddr): string {
  const display = value.displayName === undefined ? "" : `${quote(value.displayName)} `;
  return `${display}<${formatUri(value.uri)}>${formatParams(value.params)}`;
}

export function nameAddrTag(value: NameAddr): string | undefined {
  const tag = getParam(value.params, "tag");
  return tag === "" ? undefined : tag;
}

export function withTag(value: NameAddr, tag: string): NameAddr {
  return { ...value, params: withParam(value.params, "tag", tag) };
}
