/**
 * Seeded mutations of INVITE/CANCEL/ACK/BYE/REFER/NOTIFY/INFO/UPDATE/OPTIONS fed to a user agent
 * (which answers every call and transfer it is offered): zero escaped exceptions, zero internal
 * errors at the transaction-layer boundary, no unhandled rejections.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../../shared/index.js";
import type { InboundMessage } from "../transport/transport-types.js";
import { SipUserAgent } from "./user-agent.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const sdp =
  "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\n";

function message(method: string, extra: string[], body = "", toTag = ""): string {
  return [
    `${method} sip:agent@127.0.0.1:5060 SIP/2.0`,
    "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKfuzz1;rport",
    "Max-Forwards: 70",
    "From: <sip:peer@127.0.0.1>;tag=p1",
    `To: <sip:agent@127.0.0.1>${toTag}`,
    "Call-ID: fuzz-call-1",
    `CSeq: ${method === "ACK" || method === "CANCEL" ? 1 : 2} ${method}`,
    "Contact: <sip:peer@127.0.0.1:9>",
    ...extra,
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body,
  ].join("\r\n");
}

const seeds = [
  message("INVITE", ["Content-Type: application/sdp"], sdp),
  message("INVITE", []),
  message("CANCEL", []),
  message("ACK", [], "", ";tag=t1"),
  message("BYE", [], "", ";tag=t1"),
  message("REFER", ["Refer-To: <sip:x@127.0.0.1:9>"], "", ";tag=t1"),
  message("NOTIFY", ["Event: refer", "Content-Type: message/sipfrag"], "SIP/2.0 200 OK\r\n", ";tag=t1"),
  message("INFO", ["Content-Type: application/dtmf-relay"], "Signal=1\r\n", ";tag=t1"),
  message("UPDATE", ["Content-Type: application/sdp"], sdp, ";tag=t1"),
  message("OPTIONS", []),
  message("MESSAGE", ["Content-Type: text/plain"], "hi"),
];

function mutate(text: string, random: () => number): Buffer {
  const lines = text.split("\r\n");
  const op = Math.floor(random() * 5);
  const at = Math.floor(random() * lines.length);
  if (op === 0) lines.splice(at, 1);
  else if (op === 1) lines.splice(at, 0, lines[Math.floor(random() * lines.length)] ?? "");
  else if (op === 2) lines[at] = (lines[at] ?? "").slice(0, Math.floor(random() * (lines[at]?.length ?? 0)));
  const data = Buffer.from(lines.join("\r\n"));
  if (op >= 3) {
    for (let i = 0; i < 1 + Math.floor(random() * 4); i++) {
      data[Math.floor(random() * data.length)] = Math.floor(random() * 256);
    }
  }
  return data;
}

test("user agent fuzz: mutated requests never escape or count internal errors", async () => {
  const clock = new FakeClock();
  const ua = new SipUserAgent({
    clock,
    inbound: { allowAny: true },
    account: { aor: "sip:agent@127.0.0.1" },
  });
  ua.on("incomingCall", (session) => {
    session.on("refer", (refer) => refer.notify(200));
    session.on("reinvite", (offer) => offer.accept(sdp));
    if (session.remoteOffer !== undefined) session.accept(sdp);
  });
  const random = rng(20261121);
  const inbound = (data: Buffer): InboundMessage => ({
    data,
    source: { protocol: "udp", host: "127.0.0.1", port: 9 },
    local: { protocol: "udp", host: "127.0.0.1", port: 5060 },
    flowId: "udp:fuzz",
  });
  try {
    for (let i = 0; i < 3000; i++) {
      const seed = seeds[Math.floor(random() * seeds.length)] ?? "";
      // Tags and Call-IDs vary so some mutations land in live dialogs and some open new ones.
      const varied = seed
        .replace("fuzz-call-1", `fuzz-call-${i % 7}`)
        .replace("z9hG4bKfuzz1", `z9hG4bKfuzz${i % 13}`);
      assert.doesNotThrow(() => ua.transactions.receiveBytes(inbound(mutate(varied, random))));
      if (i % 100 === 0) clock.advance(1000);
    }
    clock.advance(120_000);
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(ua.transactionCounters.internalErrors, 0);
    assert.ok(ua.counters.incomingCalls > 0, "some mutated INVITEs still made calls");
  } finally {
    await ua.stop({ unregisterTimeoutMs: 0 });
  }
});
