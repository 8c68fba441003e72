import { isToken } from "./header-scan.js";

export interface CSeq {
  readonly seq: number;
  readonly method: string;
}

/** RFC 3261 8.1.1.5: the sequence number MUST be expressible as a 32-bit unsigned integer (< 2**31 when chosen). */
export const maxCSeq = 2 ** 32 - 1;

export function parseCSeq(text: string): CSeq | undefined {
  const s = text.trim();
  const m = /^(\d{1,10})[ \t]+(\S+)$/.exec(s);
  if (m === null) return undefined;
  const seq = Number(m[1]);
  const method = m[2] ?? "";
  if (seq > maxCSeq || !isToken(method)) return undefined;
  return { seq, method };
}

export function formatCSeq(cseq: CSeq): string {
  return `${cseq.seq} ${cseq.method}`;
}
