/**
 * RingCentral's SIP quirks against our stack over TLS, with a RingCentral-like peer on loopback
 * (ringcentral.md 3.2-3.7): REGISTER challenged with the captured `Www-Authenticate` (realm before
 * nonce, no qop) is answered with digest without qop (username = authorizationId); the INVITE
 * arrives on the same TLS connection with the captured SDES offer of many codecs and RingCentral's
 * headers and is answered with one codec + telephone-event and our own SDES key; a re-INVITE for
 * hold (sendonly) gets recvonly; a queue INVITE without SDP (late offer) gets our offer in the 200
 * and takes its answer from the ACK.
 */
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { createSocket } from "node:dgram";
import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { after, before, test } from "node:test";
import { createServer, type Server, type TLSSocket } from "node:tls";
import { ringCentralSdesOffer } from "../../src/media/sdp/sdp-test-fixtures.js";
import { silentLogger } from "../../src/shared/index.js";
import {
  createRequest,
  createResponse,
  digestResponse,
  formatUri,
  getContacts,
  getCSeq,
  getFrom,
  getTo,
  parseDigestParams,
  parseMessage,
  parseNameAddr,
  parseVia,
  type SipMessage,
  type SipRequest,
  type SipResponse,
  StreamFramer,
  serializeMessage,
  type Uri,
  type Via,
} from "../../src/sip/index.js";
import { type Call, createTelephony, type Telephony } from "../../src/telephony/index.js";
import { requireTools, TestBed } from "../bed/index.js";

const domain = "sip.ringcentral.com";
const authorizationId = "802500000001";
const userName = "16505550100";
const password = "rc-sip-password";
const nonce = "XXvrW1176i9sn4clcQVdEk6ezAYxEy/P";

/** A one-connection RingCentral-like SIP peer: a queue of parsed messages and a send function. */
class RcPeer {
  readonly inbox: SipMessage[] = [];
  #socket: TLSSocket | undefined;
  readonly #framer = new StreamFramer();
  readonly #waiters: (() => void)[] = [];

  attach(socket: TLSSocket): void {
    this.#socket = socket;
    socket.on("data", (chunk: Buffer) => {
      for (const event of this.#framer.push(chunk)) {
        if (event.kind !== "message") continue;
        const parsed = parseMessage(event.data);
        if (parsed.ok) this.inbox.push(parsed.message);
      }
      for (const wake of this.#waiters.splice(0)) wake();
    });
  }

  get connected(): boolean {
    return this.#socket !== undefined;
  }

  send(message: SipMessage): void {
    this.#socket?.write(serializeMessage(message));
  }

  async next<T extends SipMessage>(what: string, match: (m: SipMessage) => m is T, ms = 10_000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const at = this.inbox.findIndex(match);
      if (at >= 0) return this.inbox.splice(at, 1)[0] as T;
      if (Date.now() > deadline)
        throw new Error(
          `peer: no ${what} within ${ms} ms; got ${this.inbox.map((m) => (m.kind === "response" ? `${m.status} ${getCSeq(m)?.method}` : m.method)).join(", ")}`,
        );
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }
}

const isRequest =
  (method: string) =>
  (m: SipMessage): m is SipRequest =>
    m.kind === "request" && m.method === method;
const isResponse =
  (method: string, status: number, callId?: string) =>
  (m: SipMessage): m is SipResponse =>
    m.kind === "response" &&
    m.status === status &&
    getCSeq(m)?.method === method &&
    (callId === undefined || m.headers.get("Call-ID") === callId);

let bed: TestBed;
let server: Server;
let telephony: Telephony;
let contactUri: Uri | undefined;
const peer = new RcPeer();
const rtpSink = createSocket("udp4");
const calls: Call[] = [];

before(async () => {
  requireTools(["openssl"]);
  bed = new TestBed("ringagent-rc-quirks-");
  const certs = await bed.certs();
  server = createServer({ key: readFileSync(certs.serverKey), cert: readFileSync(certs.serverPem) }, (s) =>
    peer.attach(s),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  await new Promise<void>((resolve) => rtpSink.bind(0, "127.0.0.1", resolve));
  const rtpPortMin = 47_000 + Math.floor(Math.random() * 10) * 100;
  telephony = createTelephony({
    rtpPortMin,
    rtpPortMax: rtpPortMin + 98,
    codecs: ["PCMU", "PCMA"],
    mediaTimeoutMs: 30_000,
    rtpBindAddress: "127.0.0.1",
    userAgent: "ringagent-test",
    logger: silentLogger(),
  });
  const port = (server.address() as AddressInfo).port;
  // What main.ts builds for a ringcentral line from sip-info.
  await telephony.addLine(
    {
      name: "rc",
      kind: "sip-account",
      maxConcurrentCalls: 4,
      answerDelayMs: 0,
      callers: { allow: [], deny: [] },
      codecs: ["PCMU"],
      srtp: "mandatory",
      registrar: `127.0.0.1:${port}`,
      domain,
      username: userName,
      authUsername: authorizationId,
      password,
      transport: "tls",
      registerExpiresS: 600,
      tls: { verifyCertificate: false },
    },
    async (call) => {
      calls.push(call);
      await call.ended;
    },
  );
});

after(async () => {
  await telephony?.close();
  rtpSink.close();
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await bed?.close();
});

test("REGISTER: the captured no-qop challenge is answered with digest without qop (authorizationId)", async () => {
  const first = await peer.next("REGISTER", isRequest("REGISTER"), 15_000);
  peer.send(
    createResponse(first, 401, {
      toTag: "4f2f1b9e7a3c",
      headers: [["Www-Authenticate", `Digest realm="${domain}", nonce="${nonce}"`]],
    }),
  );
  const second = await peer.next("REGISTER with credentials", isRequest("REGISTER"));
  assert.notEqual(getCSeq(second)?.seq, getCSeq(first)?.seq, "a new CSeq on the retry");
  const authorization = second.headers.get("Authorization");
  assert.ok(authorization, "Authorization on the retry");
  const params = parseDigestParams(authorization)?.params;
  assert.ok(params);
  assert.equal(params.get("username"), authorizationId);
  assert.equal(params.get("realm"), domain);
  assert.equal(params.get("nonce"), nonce);
  assert.equal(params.has("qop"), false, "no qop when the challenge has none");
  assert.equal(params.has("cnonce"), false);
  const uri = params.get("uri") ?? "";
  const expected = digestResponse({
    algorithm: "MD5",
    username: authorizationId,
    realm: domain,
    password,
    nonce,
    method: "REGISTER",
    uri,
  });
  assert.equal(params.get("response"), expected, "the RFC 2069 response (no qop)");
  const contacts = getContacts(second);
  assert.ok(Array.isArray(contacts) && contacts[0], "a Contact");
  contactUri = contacts[0].uri;
  peer.send(
    createResponse(second, 200, {
      toTag: "4f2f1b9e7a3c",
      headers: [["Contact", `<${formatUri(contactUri)}>;expires=600`]],
    }),
  );
});

function peerPort(): number {
  return (server.address() as AddressInfo).port;
}

function freshVia(): Via {
  const via = parseVia(`SIP/2.0/TLS 127.0.0.1:${peerPort()};branch=z9hG4bK${randomUUID()}`);
  assert.ok(via);
  return via;
}

/** An INVITE as RingCentral sends it to an Existing Phone (ringcentral.md 3.4), on our TLS flow. */
function rcInvite(callId: string, body: string | undefined): SipRequest {
  const from = parseNameAddr('"Reception Reception 3" <sip:2030@127.0.0.1>;tag=10.113.128.196-5070-8f30ff08');
  const to = parseNameAddr(`"Reception Reception 3" <sip:${userName}@127.0.0.1>`);
  const contact = parseNameAddr(`<sip:2030@127.0.0.1:${peerPort()};transport=tls>`);
  assert.ok(contactUri && from && to && contact);
  return createRequest({
    method: "INVITE",
    uri: contactUri,
    via: freshVia(),
    from,
    to,
    callId,
    cseq: 18_056,
    maxForwards: 69,
    contact,
    headers: [
      ["User-Agent", "RC_SIPWRP_128.224-TEL"],
      ["Call-Info", "<san14lj3j5s7e3gq33bq>;purpose=info"],
      ["Allow", "SUBSCRIBE, NOTIFY, REFER, INVITE, ACK, BYE, CANCEL, UPDATE, INFO"],
      ["Supported", "replaces, timer, diversion, histinfo"],
      ["Session-Expires", "14400;refresher=uac"],
      ["Min-SE", "90"],
      ["P-Acme-VSA", "200:san14lj3j5s7e3gq33bq"],
    ],
    ...(body === undefined ? {} : { body, contentType: "application/sdp" }),
  });
}

/** A request in the dialog the INVITE and our 200 made (ACK, re-INVITE, BYE) from RingCentral. */
function inDialog(
  invite: SipRequest,
  ok: SipResponse,
  method: string,
  cseq: number,
  body?: string,
): SipRequest {
  const from = getFrom(invite);
  const to = getTo(ok);
  assert.ok(contactUri && from && to);
  return createRequest({
    method,
    uri: contactUri,
    via: freshVia(),
    from,
    to,
    callId: invite.headers.get("Call-ID") ?? "",
    cseq,
    ...(body === undefined ? {} : { body, contentType: "application/sdp" }),
  });
}

async function activeCall(callId: string, state: Call["state"]): Promise<Call> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const call = calls.find((c) => c.signaling.callId === callId);
    if (call?.state === state) return call;
    if (Date.now() > deadline) throw new Error(`the call is not ${state}: ${call?.state ?? "absent"}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The captured offer, its media moved to our loopback sink (never a real RingCentral address). */
function loopbackOffer(direction?: "sendonly"): string {
  const sinkPort = (rtpSink.address() as AddressInfo).port;
  return ringCentralSdesOffer
    .split("\r\n")
    .map((line) => {
      if (line.startsWith("c=")) return "c=IN IP4 127.0.0.1";
      if (line.startsWith("o=")) return "o=- 2610592518286011702 4600226109999676363 IN IP4 127.0.0.1";
      if (line.startsWith("m=audio ")) return `m=audio ${sinkPort} ${line.split(" ").slice(2).join(" ")}`;
      if (line === "a=sendrecv" && direction !== undefined) return `a=${direction}`;
      return line;
    })
    .join("\r\n");
}

test("INVITE over TLS with the captured SDES offer of many codecs; re-INVITE hold; BYE", async () => {
  assert.ok(contactUri, "registered first");
  const callId = randomUUID();
  const invite = rcInvite(callId, loopbackOffer());
  peer.send(invite);
  // STS answers 100 then 200; we send 180 (RFC 3261 allows skipping 100 when answering quickly).
  await peer.next("180 Ringing", isResponse("INVITE", 180, callId));
  const ok = await peer.next("200 OK", isResponse("INVITE", 200, callId));
  const sdp = ok.body.toString("utf8");
  const mLine = sdp.split("\r\n").find((l) => l.startsWith("m=audio "));
  assert.match(mLine ?? "", /^m=audio \d+ RTP\/SAVP 0 101$/, `one codec + telephone-event: ${mLine}`);
  assert.match(sdp, /a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:[A-Za-z0-9+/]{40}/);
  assert.doesNotMatch(sdp, /Jl6MySNYkuEig6tBMT/, "our own key, never the offer's");
  assert.match(sdp, /c=IN IP4 127\.0\.0\.1/);
  peer.send(inDialog(invite, ok, "ACK", 18_056));
  const call = await activeCall(callId, "active");

  // Hold: a re-INVITE with the same SDP and sendonly (ringcentral.md 3.7).
  peer.send(inDialog(invite, ok, "INVITE", 18_057, loopbackOffer("sendonly")));
  const holdOk = await peer.next("200 to the hold re-INVITE", isResponse("INVITE", 200, callId));
  assert.match(holdOk.body.toString("utf8"), /a=recvonly/);
  peer.send(inDialog(invite, ok, "ACK", 18_057));
  await activeCall(callId, "on_hold");

  peer.send(inDialog(invite, ok, "BYE", 18_058));
  await peer.next("200 to BYE", isResponse("BYE", 200, callId));
  assert.deepEqual(await call.ended, { kind: "caller_hung_up" });
});

test("queue INVITE without SDP (late offer): our 200 carries the offer, the ACK the answer", async () => {
  assert.ok(contactUri, "registered first");
  const callId = randomUUID();
  const invite = rcInvite(callId, undefined);
  peer.send(invite);
  const ok = await peer.next("200 OK with our offer", isResponse("INVITE", 200, callId));
  const offer = ok.body.toString("utf8");
  assert.match(offer, /m=audio \d+ RTP\/SAVP /, "an SDES offer (SRTP mandatory on this line)");
  assert.match(offer, /a=crypto:\d+ AES_CM_128_HMAC_SHA1_80 inline:/);
  // The answer in the ACK: PCMU + telephone-event with RingCentral's key, media on our sink.
  const sinkPort = (rtpSink.address() as AddressInfo).port;
  const answer = [
    "v=0",
    "o=- 2610592518286011702 4600226109999676363 IN IP4 127.0.0.1",
    "s=SmcSip",
    "c=IN IP4 127.0.0.1",
    "t=0 0",
    `m=audio ${sinkPort} RTP/SAVP 0 101`,
    "a=rtpmap:0 pcmu/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-15",
    "a=sendrecv",
    "a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:Jl6MySNYkuEig6tBMT/Ilf+Xh+15MIxLOdpCxEfG",
    "",
  ].join("\r\n");
  peer.send(inDialog(invite, ok, "ACK", 18_056, answer));
  const call = await activeCall(callId, "active");
  peer.send(inDialog(invite, ok, "BYE", 18_057));
  await peer.next("200 to BYE", isResponse("BYE", 200, callId));
  assert.deepEqual(await call.ended, { kind: "caller_hung_up" });
});
