import { endOfQuoted, isTokenChar, quote, skipWhitespace, unquote } from "../message/header-scan.js";

/** A parsed `Digest k=v, k="v"` credentials or challenge value (RFC 7616 3.3, 3.4). */
export interface DigestParams {
  readonly scheme: string;
  /** Lower-case names, unquoted values. */
  readonly params: ReadonlyMap<string, string>;
}

/** Parses `scheme auth-param *("," auth-param)`; undefined when malformed. Never throws. */
export function parseDigestParams(text: string): DigestParams | undefined {
  const s = text.trim();
  let i = 0;
  while (i < s.length && isTokenChar(s[i] ?? "")) i++;
  const scheme = s.slice(0, i);
  if (scheme.length === 0) return undefined;
  const params = new Map<string, string>();
  i = skipWhitespace(s, i);
  while (i < s.length) {
    const start = i;
    while (i < s.length && isTokenChar(s[i] ?? "")) i++;
    const name = s.slice(start, i).toLowerCase();
    if (name.length === 0) return undefined;
    i = skipWhitespace(s, i);
    if (s[i] !== "=") return undefined;
    i = skipWhitespace(s, i + 1);
    let value: string;
    if (s[i] === '"') {
      const end = endOfQuoted(s, i);
      if (end < 0) return undefined;
      value = unquote(s.slice(i, end));
      i = end;
    } else {
      const vs = i;
      while (i < s.length && s[i] !== "," && s[i] !== " " && s[i] !== "\t") i++;
      value = s.slice(vs, i);
    }
    params.set(name, value);
    i = skipWhitespace(s, i);
    if (i < s.length) {
      if (s[i] !== ",") return undefined;
      i = skipWhitespace(s, i + 1);
    }
  }
  return { scheme, params };
}

/** Formats `Digest name="value", ...`; names in `unquoted` are written as tokens (algorithm, qop, nc, stale). */
export function formatDigestParams(
  scheme: string,
  entries: readonly (readonly [string, string])[],
  unquoted: ReadonlySet<string> = new Set(["algorithm", "qop", "nc", "stale"]),
): string {
  return `${scheme} ${entries.map(([k, v]) => `${k}=${unquoted.has(k) ? v : quote(v)}`).join(", ")}`;
}
