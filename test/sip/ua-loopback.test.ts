/**
 * Two of our user agents talking over real UDP sockets on 127.0.0.1: calls, re-INVITE (hold),
 * glare, INFO, BYE both ways, CANCEL, busy, REFER with sipfrag progress, inbound policy, trunk
 * digest challenge, malformed requests.
 */
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, describe, test } from "node:test";
import {
  CallFailedError,
  type SipSession,
  type SipUserAgent,
  type TransferProgress,
} from "../../src/sip/index.js";
import { nextEvent, staticSdp, udpAgent } from "./ua-helpers.js";

const agents: SipUserAgent[] = [];
async function agent(user: string, options: Parameters<typeof udpAgent>[1] = {}) {
  const created = await udpAgent(user, options);
  agents.push(created.ua);
  return created;
}

async function callUp(caller: SipUserAgent, calleeUa: SipUserAgent, calleeUri: string) {
  const incoming = nextEvent<[SipSession]>(calleeUa, "incomingCall");
  const outgoing = caller.invite(calleeUri, { body: staticSdp(4000) });
  const [inbound] = await incoming;
  const confirmed = nextEvent(inbound, "confirmed");
  inbound.accept(staticSdp(5000));
  const session = await outgoing;
  await confirmed;
  return { outbound: session, inbound };
}

describe("SipUserAgent over UDP loopback", { timeout: 60_000 }, () => {
  after(async () => {
    await Promise.all(agents.map((a) => a.stop({ unregisterTimeoutMs: 100 })));
  });

  test("call, INFO, re-INVITE hold, then the callee hangs up", async () => {
    const a = await agent("alice");
    const b = await agent("bob");
    const { outbound, inbound } = await callUp(a.ua, b.ua, b.uri);
    assert.equal(inbound.state, "established");
    assert.equal(outbound.state, "established");
    assert.match(inbound.remoteOffer?.body.toString() ?? "", /m=audio 4000/);
    assert.match(outbound.remoteBody?.body.toString() ?? "", /m=audio 5000/);
    assert.notEqual(inbound.dialog.localSeq, outbound.dialog.localSeq, "CSeq spaces are per dialog");

    const info = nextEvent<[{ method: string; body?: { contentType: string; body: Buffer } }]>(
      inbound,
      "info",
    );
    await outbound.info({ contentType: "application/dtmf-relay", body: "Signal=5\r\nDuration=160\r\n" });
    const [got] = await info;
    assert.equal(got.body?.contentType, "application/dtmf-relay");
    assert.match(got.body?.body.toString() ?? "", /Signal=5/);

    inbound.on("reinvite", (offer) => {
      assert.match(offer.offer?.body.toString() ?? "", /a=sendonly/);
      offer.accept(staticSdp(5000, "recvonly"));
    });
    const answer = await outbound.reinvite(staticSdp(4000, "sendonly"));
    assert.match(answer?.body.toString() ?? "", /a=recvonly/);

    const updated = await inbound.update(staticSdp(5002));
    assert.match(
      updated?.body.toString() ?? "",
      /a=recvonly|m=audio 4000/,
      "UPDATE answered with the last local body",
    );

    const ended = nextEvent<[{ kind: string }]>(outbound, "ended");
    await inbound.bye();
    const [reason] = await ended;
    assert.equal(reason.kind, "remote_bye");
    assert.equal(inbound.endReason?.kind, "local_bye");
    assert.equal(a.ua.sessions().length, 0);
    assert.equal(b.ua.sessions().length, 0);
  });

  test("re-INVITE glare: both sides get 491 and retry after the RFC 3261 14.1 timers", async () => {
    const a = await agent("glare-a");
    const b = await agent("glare-b");
    const { outbound, inbound } = await callUp(a.ua, b.ua, b.uri);
    const [ra, rb] = await Promise.all([
      outbound.reinvite(staticSdp(4000, "sendonly")),
      inbound.reinvite(staticSdp(5000, "sendonly")),
    ]);
    assert.ok(ra !== undefined && rb !== undefined, "both re-INVITEs finally succeed");
    await outbound.bye();
  });

  test("busy, CANCEL before answer and no-answer give typed failures", async () => {
    const a = await agent("caller");
    const b = await agent("callee");
    b.ua.once("incomingCall", (s) => s.reject(486));
    await assert.rejects(a.ua.invite(b.uri, { body: staticSdp(1) }), (e: unknown) => {
      return e instanceof CallFailedError && e.reason === "busy" && e.status === 486;
    });

    const controller = new AbortController();
    const incoming = nextEvent<[SipSession]>(b.ua, "incomingCall");
    const call = a.ua.invite(b.uri, { body: staticSdp(1), signal: controller.signal });
    const [ringing] = await incoming;
    const ended = nextEvent<[{ kind: string }]>(ringing, "ended");
    controller.abort();
    await assert.rejects(call, (e: unknown) => e instanceof CallFailedError && e.reason === "cancelled");
    assert.equal((await ended)[0].kind, "cancelled");
    assert.equal(b.ua.sessions().length, 0);

    b.ua.once("incomingCall", () => undefined);
    await assert.rejects(
      a.ua.invite(b.uri, { body: staticSdp(1), noAnswerTimeoutMs: 300 }),
      (e: unknown) => e instanceof CallFailedError && e.reason === "no_answer",
    );
  });

  test("REFER: the transferee reports progress with NOTIFY sipfrag; the transferor gets typed results", async () => {
    const a = await agent("transferor");
    const b = await agent("transferee");
    const { outbound, inbound } = await callUp(a.ua, b.ua, b.uri);
    inbound.on("refer", (refer) => {
      assert.equal(refer.target, "sip:carol@127.0.0.1:5999");
      refer.notify(180);
      refer.notify(200);
    });
    const progress: TransferProgress[] = [];
    outbound.on("transferProgress", (p) => progress.push(p));
    const result = await outbound.refer("sip:carol@127.0.0.1:5999");
    assert.deepEqual(result, { outcome: "success", status: 200 });
    assert.deepEqual(
      progress.map((p) => `${p.state}:${p.status}`),
      ["trying:100", "ringing:180", "success:200"],
    );
    await outbound.bye();
  });

  test("inbound policy: a source outside the allow-list gets 403 and is counted", async () => {
    const a = await agent("stranger");
    const b = await agent("guarded", { inbound: { allowedCidrs: ["10.0.0.0/8"] } });
    let offered = 0;
    b.ua.on("incomingCall", () => offered++);
    await assert.rejects(
      a.ua.invite(b.uri, { body: staticSdp(1) }),
      (e: unknown) => e instanceof CallFailedError && e.status === 403,
    );
    assert.equal(offered, 0);
    assert.equal(b.ua.counters.forbiddenSources, 1);
  });

  test("trunk mode: INVITEs are digest-challenged; right credentials connect, wrong ones fail typed", async () => {
    const trunk = {
      inbound: {
        allowAny: true,
        challenge: {
          realm: "trunk.test",
          secret: Buffer.from("0123456789abcdef0123456789abcdef"),
          passwordOf: (u: string) => (u === "peer" ? "peerpw" : undefined),
        },
      },
    };
    const b = await agent("trunk", trunk);
    const good = await agent("peer", { account: { aor: "sip:peer@127.0.0.1", password: "peerpw" } });
    b.ua.once("incomingCall", (s) => s.accept(staticSdp(7000)));
    const session = await good.ua.invite(b.uri, { body: staticSdp(1) });
    assert.equal(b.ua.counters.challengedInvites, 1);
    await session.bye();
    const bad = await agent("peer", { account: { aor: "sip:peer@127.0.0.1", password: "nope" } });
    await assert.rejects(
      bad.ua.invite(b.uri, { body: staticSdp(1) }),
      (e: unknown) => e instanceof CallFailedError && (e.reason === "auth_failed" || e.status === 403),
    );
  });

  test("a malformed request gets 400 with a reason; garbage is dropped and counted", async () => {
    const b = await agent("strict");
    const socket = createSocket("udp4");
    try {
      const reply = new Promise<string>((resolve) => socket.once("message", (m) => resolve(m.toString())));
      const bad = [
        `OPTIONS sip:strict@127.0.0.1:${b.port} SIP/2.0`,
        "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbad1;rport",
        "From: <sip:x@127.0.0.1>;tag=1",
        "To: <sip:strict@127.0.0.1>",
        "CSeq: 1 OPTIONS",
        "Content-Length: 0",
        "",
        "",
      ].join("\r\n");
      socket.send(bad, b.port, "127.0.0.1");
      const text = await reply;
      assert.match(text, /^SIP\/2\.0 400 Missing Call-ID/);
      const before = b.ua.transactionCounters.unparsable;
      socket.send(Buffer.from("\x00\x01garbage that is not SIP at all"), b.port, "127.0.0.1");
      for (let i = 0; i < 50 && b.ua.transactionCounters.unparsable === before; i++) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      assert.equal(b.ua.transactionCounters.unparsable, before + 1);
    } finally {
      socket.close();
    }
  });
});
