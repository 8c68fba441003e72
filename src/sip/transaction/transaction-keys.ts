import { getCallId, getCSeq, getFromTag, getTopVia } from "../message/message-accessors.js";
import type { SipRequest, SipResponse } from "../message/sip-message.js";
import { branchMagicCookie, viaBranch, viaSentBy } from "../message/via-header.js";

/** Client transaction key (RFC 3261 17.1.3): top Via branch + CSeq method. */
export function clientKeyForRequest(request: SipRequest): string | undefined {
  const via = getTopVia(request);
  const branch = via === undefined ? undefined : viaBranch(via);
  return branch === undefined ? undefined : `${branch}|${request.method}`;
}

/**
 * RFC 3261 17.1.3: a response matches a client transaction when the branch of its top Via equals
 * that of the request, and its CSeq method equals the request's method.
 */
export function clientKeyForResponse(response: SipResponse): string | undefined {
  const via = getTopVia(response);
  const branch = via === undefined ? undefined : viaBranch(via);
  const cseq = getCSeq(response);
  if (branch === undefined || cseq === undefined) return undefined;
  return `${branch}|${cseq.method}`;
}

/**
 * Server transaction key (RFC 3261 17.2.3): branch + sent-by + method, with ACK mapped to INVITE.
 * For branches without the magic cookie (RFC 2543 peers) a simplified form of the 17.2.3 fallback:
 * Call-ID, From tag, CSeq number, top Via sent-by and method.
 */
export function serverKey(request: SipRequest, methodOverride?: string): string | undefined {
  const via = getTopVia(request);
  if (via === undefined) return undefined;
  const method = methodOverride ?? (request.method === "ACK" ? "INVITE" : request.method);
  const branch = viaBranch(via);
  if (branch?.startsWith(branchMagicCookie)) return `${branch}|${viaSentBy(via)}|${method}`;
  const cseq = getCSeq(request);
  const callId = getCallId(request);
  if (cseq === undefined || callId === undefined) return undefined;
  return `2543|${callId}|${getFromTag(request) ?? ""}|${cseq.seq}|${viaSentBy(via)}|${method}`;
}
