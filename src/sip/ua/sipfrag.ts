import { parseMessage } from "../message/message-parser.js";
import { serializeMessage } from "../message/message-serializer.js";
import { reasonPhrase } from "../message/reason-phrases.js";
import { SipHeaders } from "../message/sip-headers.js";
import type { SipResponse } from "../message/sip-message.js";

/** The status of a message/sipfrag body (RFC 3420) such as "SIP/2.0 180 Ringing"; undefined if not one. */
export function sipfragStatus(body: Buffer): number | undefined {
  // A sipfrag may stop after the start line, with CRLF or a bare LF (baresip); trailing line ends are
  // dropped and an end of headers in either style is added so the message parser reads it.
  let end = body.length;
  while (end > 0 && (body[end - 1] === 0x0a || body[end - 1] === 0x0d)) end--;
  const head = body.subarray(0, end);
  for (const terminator of ["\r\n\r\n", "\n\n"]) {
    const parsed = parseMessage(Buffer.concat([head, Buffer.from(terminator)]));
    if (parsed.ok && parsed.message.kind === "response") return parsed.message.status;
  }
  return undefined;
}

/** A message/sipfrag body carrying only a status line (RFC 3515 2.4.5). */
export function sipfragBody(status: number, reason?: string): Buffer {
  const fragment: SipResponse = {
    kind: "response",
    status,
    reason: reason ?? reasonPhrase(status),
    headers: new SipHeaders(),
    body: Buffer.alloc(0),
  };
  return serializeMessage(fragment);
}
