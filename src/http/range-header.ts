/**
 * The HTTP `Range` request header for one byte range (RFC 9110 §14.1.2, §14.2). A header this
 * server does not use (another unit, several ranges, bad syntax) is ignored, which the RFC allows:
 * "A server MAY ignore the Range header field" and "An origin server MUST ignore a Range header
 * field that contains a range unit it does not understand"; the full body is then sent with 200.
 */
export type RangeRequest =
  | { kind: "none" }
  | { kind: "range"; start: number; end: number }
  /** RFC 9110 §15.5.17: 416, with `Content-Range: bytes *\/size`. */
  | { kind: "unsatisfiable" };

function digits(text: string): number | undefined {
  if (text === "" || text.length > 15) return undefined;
  for (const ch of text) if (ch < "0" || ch > "9") return undefined;
  return Number(text);
}

/** `header` against a representation of `size` bytes; `end` is inclusive. */
export function parseRangeHeader(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: "none" };
  const eq = header.indexOf("=");
  if (eq < 0 || header.slice(0, eq).trim().toLowerCase() !== "bytes") return { kind: "none" };
  const spec = header.slice(eq + 1).trim();
  if (spec.includes(",")) return { kind: "none" };
  const dash = spec.indexOf("-");
  if (dash < 0) return { kind: "none" };
  const firstText = spec.slice(0, dash).trim();
  const lastText = spec.slice(dash + 1).trim();
  if (firstText === "") {
    // suffix-range: "-N" is the last N bytes; "a suffix-length of zero" is unsatisfiable.
    const suffix = digits(lastText);
    if (suffix === undefined) return { kind: "none" };
    if (suffix === 0 || size === 0) return { kind: "unsatisfiable" };
    return { kind: "range", start: Math.max(0, size - suffix), end: size - 1 };
  }
  const first = digits(firstText);
  if (first === undefined) return { kind: "none" };
  const last = lastText === "" ? undefined : digits(lastText);
  if (lastText !== "" && last === undefined) return { kind: "none" };
  // "A range-spec is invalid if the last-pos value is present and less than the first-pos."
  if (last !== undefined && last < first) return { kind: "none" };
  // Satisfiable only if "the first-pos is less than the current length of the representation".
  if (first >= size) return { kind: "unsatisfiable" };
  return { kind: "range", start: first, end: Math.min(last ?? size - 1, size - 1) };
}
