import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { randomToken } from "../../src/shared/index.js";
import {
  createRequest,
  makeBranch,
  parseMessage,
  parseNameAddr,
  parseVia,
  serializeMessage,
  sipUri,
} from "../../src/sip/index.js";
import type { KamailioInstance } from "../bed/index.js";

/**
 * Asks Kamailio to route an OPTIONS to sip:agent@ (no auth for a foreign From): 404 means the
 * location table holds no binding for agent, anything else means a binding is still there.
 */
export async function locationStatus(kam: KamailioInstance, user = "agent"): Promise<number> {
  const socket = createSocket("udp4");
  try {
    await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
    const port = socket.address().port;
    const via = parseVia(`SIP/2.0/UDP 127.0.0.1:${port};branch=${makeBranch(randomToken(8))};rport`);
    const from = parseNameAddr(`<sip:tester@peer.invalid>;tag=${randomToken(6)}`);
    const to = parseNameAddr(`<sip:${user}@${kam.host}:${kam.sipPort}>`);
    assert.ok(via && from && to);
    const request = createRequest({
      method: "OPTIONS",
      uri: sipUri({ user, host: kam.host, port: kam.sipPort }),
      via,
      from,
      to,
      callId: randomToken(12),
      cseq: 1,
    });
    const answer = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no answer from Kamailio")), 5000);
      socket.on("message", (data: Buffer) => {
        const parsed = parseMessage(data);
        if (parsed.ok && parsed.message.kind === "response" && parsed.message.status >= 200) {
          clearTimeout(timer);
          resolve(parsed.message.status);
        }
      });
    });
    socket.send(serializeMessage(request), kam.sipPort, kam.host);
    return await answer;
  } finally {
    socket.close();
  }
}
