import { canonicalHeaderName, singleValueHeaderKeys } from "./header-names.js";
import {
  getCallId,
  getContacts,
  getCSeq,
  getFrom,
  getMaxForwards,
  getRecordRoutes,
  getRoutes,
  getTo,
  getVias,
} from "./message-accessors.js";
import type { SipRequest, SipResponse } from "./sip-message.js";

export type ValidationWarning = "missing-max-forwards";

/** A request that fails validation is answered with `status` + `reason` (RFC 3261 8.2, 21.4.1). */
export type ValidationResult =
  | { readonly ok: true; readonly warnings: readonly ValidationWarning[] }
  | { readonly ok: false; readonly status: 400; readonly reason: string };

function bad(reason: string): ValidationResult {
  return { ok: false, status: 400, reason };
}

const dateFormat =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function validateCommon(m: SipRequest | SipResponse): ValidationResult | undefined {
  for (const key of singleValueHeaderKeys) {
    if (m.headers.count(key) > 1) return bad(`Multiple ${canonicalHeaderName(key)} Values`);
  }
  if (!m.headers.has("Via")) return bad("Missing Via");
  if (getVias(m) === undefined) return bad("Malformed Via");
  if (!m.headers.has("From")) return bad("Missing From");
  if (getFrom(m) === undefined) return bad("Malformed From");
  if (!m.headers.has("To")) return bad("Missing To");
  if (getTo(m) === undefined) return bad("Malformed To");
  if (getCallId(m) === undefined) return bad("Missing Call-ID");
  if (!m.headers.has("CSeq")) return bad("Missing CSeq");
  if (getCSeq(m) === undefined) return bad("Malformed CSeq");
  if (m.headers.has("Contact") && getContacts(m) === undefined) return bad("Malformed Contact");
  if (getRecordRoutes(m) === undefined) return bad("Malformed Record-Route");
  const date = m.headers.get("Date");
  if (date !== undefined && !dateFormat.test(date)) return bad("Malformed Date");
  const expires = m.headers.get("Expires");
  if (expires !== undefined && !/^\d{1,10}$/.test(expires.trim())) return bad("Malformed Expires");
  if (expires !== undefined && Number(expires.trim()) > 2 ** 32 - 1) return bad("Malformed Expires");
  return undefined;
}

/** Checks a received request per RFC 3261 8.2 (mandatory headers, CSeq method, Request-URI). */
export function validateRequest(request: SipRequest): ValidationResult {
  const common = validateCommon(request);
  if (common !== undefined) return common;
  const cseq = getCSeq(request);
  // RFC 3261 8.1.1.5: the method MUST match that of the request.
  if (cseq !== undefined && cseq.method !== request.method) return bad("CSeq Method Mismatch");
  if (cseq !== undefined && cseq.seq >= 2 ** 31) return bad("Malformed CSeq");
  // RFC 3261 19.1.1 table 1: headers are not allowed in a Request-URI.
  if (request.uri.kind === "sip" && request.uri.headers.length > 0) return bad("Malformed Request-URI");
  if (getRoutes(request) === undefined) return bad("Malformed Route");
  const warnings: ValidationWarning[] = [];
  if (!request.headers.has("Max-Forwards")) warnings.push("missing-max-forwards");
  else if (getMaxForwards(request) === undefined) return bad("Malformed Max-Forwards");
  return { ok: true, warnings };
}

/** Checks a received response has what transaction matching and dialogs need (RFC 3261 8.1.3). */
export function validateResponse(response: SipResponse): ValidationResult {
  const common = validateCommon(response);
  if (common !== undefined) return common;
  return { ok: true, warnings: [] };
}
