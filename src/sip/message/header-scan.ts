/**
 * Low-level scanning of header values (RFC 3261 25.1): quoted strings, comma lists that respect
 * quotes and angle brackets, and generic `;name=value` parameters with optional LWS.
 */

export interface Param {
  readonly name: string;
  /** As written (a quoted-string keeps its quotes); undefined for a flag such as `lr` or `rport`. */
  readonly value?: string | undefined;
}

const tokenChars = new Set("-.!%*_+`'~");

export function isTokenChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (
    (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || tokenChars.has(ch)
  );
}

export function isToken(s: string): boolean {
  if (s.length === 0) return false;
  for (const ch of s) if (!isTokenChar(ch)) return false;
  return true;
}

export function isWhitespace(ch: string | undefined): boolean {
  return ch === " " || ch === "\t";
}

export function skipWhitespace(s: string, i: number): number {
  let j = i;
  while (j < s.length && isWhitespace(s[j])) j++;
  return j;
}

/** Index just after the closing quote of the quoted-string starting at `start`, or -1 if unterminated. */
export function endOfQuoted(s: string, start: number): number {
  let i = start + 1;
  while (i < s.length) {
    const ch = s[i];
    if (ch === "\\") i += 2;
    else if (ch === '"') return i + 1;
    else i++;
  }
  return -1;
}

export function unquote(value: string): string {
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) {
    return value.slice(1, -1).replace(/\\(.)/g, "$1");
  }
  return value;
}

export function quote(value: string): string {
  return `"${value.replace(/(["\\])/g, "\\$1")}"`;
}

/**
 * Splits a header value on commas that are outside quoted strings and angle brackets
 * (RFC 3261 7.3.1). Returns undefined when quotes or brackets are unbalanced.
 */
export function splitCommaList(value: string): string[] | undefined {
  const out: string[] = [];
  let start = 0;
  let angle = false;
  let i = 0;
  while (i < value.length) {
    const ch = value[i];
    if (ch === '"' && !angle) {
      const end = endOfQuoted(value, i);
      if (end < 0) return undefined;
      i = end;
      continue;
    }
    if (ch === "<") angle = true;
    else if (ch === ">") angle = false;
    else if (ch === "," && !angle) {
      out.push(value.slice(start, i).trim());
      start = i + 1;
    }
    i++;
  }
  if (angle) return undefined;
  out.push(value.slice(start).trim());
  return out.filter((v) => v.length > 0);
}

export type ParamsResult = { ok: true; params: Param[] } | { ok: false };

/**
 * Parses `*( SWS ";" SWS name [ SWS "=" SWS value ] )` from `s` at `start` to the end. Values are
 * tokens, hosts (IPv6 in brackets) or quoted strings.
 */
export function parseParams(s: string, start: number): ParamsResult {
  const params: Param[] = [];
  let i = skipWhitespace(s, start);
  while (i < s.length) {
    if (s[i] !== ";") return { ok: false };
    i = skipWhitespace(s, i + 1);
    let j = i;
    while (j < s.length && isTokenChar(s[j] ?? "")) j++;
    const name = s.slice(i, j);
    if (name.length === 0) return { ok: false };
    i = skipWhitespace(s, j);
    if (s[i] === "=") {
      i = skipWhitespace(s, i + 1);
      let end: number;
      if (s[i] === '"') {
        end = endOfQuoted(s, i);
        if (end < 0) return { ok: false };
      } else {
        end = i;
        while (end < s.length) {
          const ch = s[end] ?? "";
          if (!(isTokenChar(ch) || ch === "[" || ch === "]" || ch === ":")) break;
          end++;
        }
        if (end === i) return { ok: false };
      }
      params.push({ name, value: s.slice(i, end) });
      i = skipWhitespace(s, end);
    } else {
      params.push({ name });
    }
  }
  return { ok: true, params };
}

export function formatParams(params: readonly Param[]): string {
  let out = "";
  for (const p of params) out += p.value === undefined ? `;${p.name}` : `;${p.name}=${p.value}`;
  return out;
}

export function findParam(params: readonly Param[], name: string): Param | undefined {
  const lower = name.toLowerCase();
  return params.find((p) => p.name.toLowerCase() === lower);
}

/** The (unquoted) value of parameter `name`; "" for a flag, undefined when absent. */
export function getParam(params: readonly Param[], name: string): string | undefined {
  const p = findParam(params, name);
  if (p === undefined) return undefined;
  return p.value === undefined ? "" : unquote(p.value);
}

/** A copy of `params` with `name` set to `value` (replacing an existing one in place). */
export function withParam(params: readonly Param[], name: string, value: string | undefined): Param[] {
  const lower = name.toLowerCase();
  const next: Param = value === undefined ? { name } : { name, value };
  const at = params.findIndex((p) => p.name.toLowerCase() === lower);
  if (at < 0) return [...params, next];
  return params.map((p, k) => (k === at ? next : p));
}
