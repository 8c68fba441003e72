import type { SipMessage } from "./sip-message.js";
import { formatUri } from "./sip-uri.js";

/** The start line and headers as text, with Content-Length set from the body's byte length. */
export function serializeHead(message: SipMessage): string {
  let out =
    message.kind === "request"
      ? `${message.method} ${formatUri(message.uri)} SIP/2.0\r\n`
      : `SIP/2.0 ${message.status} ${message.reason}\r\n`;
  let wroteLength = false;
  for (const f of message.headers.fields()) {
    if (f.key === "content-length") {
      if (!wroteLength) out += `Content-Length: ${message.body.length}\r\n`;
      wroteLength = true;
      continue;
    }
    out += `${f.name}: ${f.value}\r\n`;
  }
  if (!wroteLength) out += `Content-Length: ${message.body.length}\r\n`;
  return `${out}\r\n`;
}

/** Wire bytes of `message` (one header line per value; Content-Length always correct). */
export function serializeMessage(message: SipMessage): Buffer {
  const head = Buffer.from(serializeHead(message), "utf8");
  return message.body.length === 0 ? head : Buffer.concat([head, message.body]);
}
