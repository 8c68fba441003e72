/** Line tokenizer for SDP text: no regular expressions, every token checked by hand. */

export interface SdpLine {
  readonly type: string;
  readonly value: string;
  /** 1-based, for error messages. */
  readonly lineNumber: number;
}

/** Splits SDP text into `<type>=<value>` lines. CRLF and bare LF both end a line (RFC 8866 5). */
export function tokenizeSdpLines(text: string): {
  lines: SdpLine[];
  error?: { message: string; line: number };
} {
  const lines: SdpLine[] = [];
  let start = 0;
  let lineNumber = 0;
  while (start <= text.length) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    lineNumber++;
    let raw = text.slice(start, end);
    if (raw.endsWith("\r")) raw = raw.slice(0, -1);
    start = end + 1;
    if (raw.trim() === "") continue;
    if (raw.length < 2 || raw[1] !== "=") {
      return { lines, error: { message: "line is not <type>=<value>", line: lineNumber } };
    }
    const type = raw[0] ?? "";
    if (!isLowerAlpha(type))
      return { lines, error: { message: "line type is not a letter", line: lineNumber } };
    lines.push({ type, value: raw.slice(2), lineNumber });
  }
  return { lines };
}

function isLowerAlpha(ch: string): boolean {
  return ch.length === 1 && ch >= "a" && ch <= "z";
}

/** Splits on runs of spaces or tabs. */
export function splitWords(value: string): string[] {
  const words: string[] = [];
  let current = "";
  for (const ch of value) {
    if (ch === " " || ch === "\t") {
      if (current !== "") words.push(current);
      current = "";
    } else {
      current += ch;
    }
  }
  if (current !== "") words.push(current);
  return words;
}

/** A non-negative decimal integer made only of digits, else undefined. */
export function parseUnsigned(text: string | undefined, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (text === undefined || text.length === 0 || text.length > 16) return undefined;
  for (const ch of text) if (ch < "0" || ch > "9") return undefined;
  const n = Number(text);
  return n <= max ? n : undefined;
}

export function parseBigUnsigned(text: string | undefined): bigint | undefined {
  if (text === undefined || text.length === 0 || text.length > 40) return undefined;
  for (const ch of text) if (ch < "0" || ch > "9") return undefined;
  return BigInt(text);
}

/** Splits `name:value` at the first colon (attribute syntax, RFC 8866 5.13). */
export function splitAttribute(value: string): { name: string; value?: string } {
  const colon = value.indexOf(":");
  if (colon < 0) return { name: value };
  return { name: value.slice(0, colon), value: value.slice(colon + 1) };
}

/** Splits at the first space: `<head> <rest>`. */
export function splitFirstWord(value: string): { head: string; rest: string } {
  const trimmed = value.trim();
  let i = 0;
  while (i < trimmed.length && trimmed[i] !== " " && trimmed[i] !== "\t") i++;
  return { head: trimmed.slice(0, i), rest: trimmed.slice(i).trim() };
}
