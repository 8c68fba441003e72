/**
 * Telephony over the real SIP user agent on UDP loopback (media faked), for what needs headers:
 *  - 488 to an INVITE (and to a re-INVITE) that media cannot accept carries `Warning: 30x`;
 *  - RFC 4028: a caller asking `Session-Expires: 90;refresher=uas` gets it in the 200 with
 *    `Require: timer`, and our refresh re-INVITE (Session-Expires ...;refresher=uac) arrives at half
 *    the interval; with refresher=uac and no refresh we BYE before expiry; a too-small interval
 *    gets 422 with Min-SE;
 *  - an outbound call asking for timers reads the interval from the callee's 2xx.
 * The CallManager runs on a FakeClock (session timers), the SIP user agents on the real clock.
 */
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { FakeClock, silentLogger } from "../../src/shared/index.js";
import {
  type IncomingOffer,
  parseMessage,
  type SipMessage,
  type SipSession,
  SipUserAgent,
} from "../../src/sip/index.js";
import {
  type Call,
  CallManager,
  createTelephony,
  defaultLinePolicy,
  defaultSessionExpiresS,
  FakeMediaFactory,
  peerAnswer,
  peerOffer,
} from "../../src/telephony/index.js";
import { SipLineAdapter } from "../../src/telephony/sip-signaling-adapter.js";

async function udpAgent(user: string): Promise<{ ua: SipUserAgent; uri: string }> {
  const ua = new SipUserAgent({
    listen: [{ protocol: "udp", host: "127.0.0.1", port: 0 }],
    account: { aor: `sip:${user}@127.0.0.1` },
    inbound: { allowAny: true },
    userAgent: "ringagent-test",
  });
  const [local] = await ua.start();
  assert.ok(local);
  return { ua, uri: `sip:${user}@127.0.0.1:${local.port}` };
}

/** Every SIP message the UA receives, parsed (to look at headers the UA API does not surface). */
function captureMessages(ua: SipUserAgent): SipMessage[] {
  const seen: SipMessage[] = [];
  ua.transport.on("message", (m) => {
    const parsed = parseMessage(m.data);
    if (parsed.ok) seen.push(parsed.message);
  });
  return seen;
}

function responses(seen: readonly SipMessage[], status: number): SipMessage[] {
  return seen.filter((m) => m.kind === "response" && m.status === status);
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

function nextCall(manager: CallManager): Promise<Call> {
  return new Promise((resolve) => manager.once("call", resolve));
}

/** An offer with only a codec we do not support (G.729): media answers 488. */
const g729Offer = [
  "v=0",
  "o=- 1 1 IN IP4 127.0.0.1",
  "s=-",
  "c=IN IP4 127.0.0.1",
  "t=0 0",
  "m=audio 30000 RTP/AVP 18",
  "a=rtpmap:18 G729/8000",
  "",
].join("\r\n");

describe("SIP headers telephony needs (UDP loopback)", { timeout: 60_000 }, () => {
  let agent: { ua: SipUserAgent; uri: string };
  let caller: { ua: SipUserAgent; uri: string };
  let clock: FakeClock;
  let media: FakeMediaFactory;
  let manager: CallManager;
  let seenByCaller: SipMessage[];

  before(async () => {
    agent = await udpAgent("agent");
    caller = await udpAgent("alice");
    seenByCaller = captureMessages(caller.ua);
    clock = new FakeClock();
    media = new FakeMediaFactory();
    manager = new CallManager({ media, clock, logger: silentLogger(), sessionExpiresS: 120 });
    manager.addLine(new SipLineAdapter("main", agent.ua), defaultLinePolicy, (call) =>
      call.ended.then(() => undefined),
    );
  });

  after(async () => {
    await manager?.close();
    await caller?.ua.stop();
    await agent?.ua.stop();
  });

  test("488 to an INVITE media cannot accept carries a Warning", async () => {
    await assert.rejects(caller.ua.invite(agent.uri, { body: g729Offer }), { status: 488 });
    const warning = responses(seenByCaller, 488).at(-1)?.headers.get("Warning") ?? "";
    assert.match(warning, /^30[45] ringagent ".+"$/, `Warning: ${warning}`);
  });

  test("488 to a re-INVITE media cannot accept carries a Warning; the call stays up", async () => {
    const callP = nextCall(manager);
    const session = await caller.ua.invite(agent.uri, { body: peerOffer() });
    const call = await callP;
    await waitFor(() => call.state === "active");
    await assert.rejects(session.reinvite(g729Offer), { status: 488 });
    const warning = responses(seenByCaller, 488).at(-1)?.headers.get("Warning") ?? "";
    assert.match(warning, /^30[45] ringagent ".+"$/, `Warning: ${warning}`);
    assert.equal(call.state, "active");
    await session.bye();
    assert.deepEqual(await call.ended, { kind: "caller_hung_up" });
  });

  test("Session-Expires 90;refresher=uas: granted in the 200, our refresh arrives at half the interval", async () => {
    const callP = nextCall(manager);
    const before200 = responses(seenByCaller, 200).length;
    const session = await caller.ua.invite(agent.uri, {
      body: peerOffer(),
      headers: [
        ["Session-Expires", "90;refresher=uas"],
        ["Supported", "timer"],
      ],
    });
    const call = await callP;
    await waitFor(() => call.state === "active");
    const ok = responses(seenByCaller, 200)
      .slice(before200)
      .find((m) => m.headers.has("Session-Expires"));
    assert.equal(ok?.headers.get("Session-Expires"), "90;refresher=uas");
    assert.match(ok?.headers.getAll("Require").join(",") ?? "", /\btimer\b/);

    const refreshes: IncomingOffer[] = [];
    session.on("reinvite", (offer) => {
      refreshes.push(offer);
      offer.accept(peerAnswer(offer.offer?.body.toString() ?? ""));
    });
    clock.advance(44_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(refreshes.length, 0, "no refresh before half the interval");
    clock.advance(1_000);
    await waitFor(() => refreshes.length === 1);
    assert.equal(refreshes[0]?.method, "INVITE");
    assert.equal(refreshes[0]?.headers.get("Session-Expires"), "90;refresher=uac");
    // The refresh restarted the interval: the next one comes 45 s after it, not before.
    await waitFor(() => media.sessions.at(-1)?.configured.length === 2);
    clock.advance(44_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(refreshes.length, 1);
    clock.advance(1_000);
    await waitFor(() => refreshes.length === 2);
    assert.equal(call.state, "active");
    await session.bye();
    assert.deepEqual(await call.ended, { kind: "caller_hung_up" });
  });

  test("refresher=uac without refreshes: we hang up before the session expires", async () => {
    const callP = nextCall(manager);
    const session = await caller.ua.invite(agent.uri, {
      body: peerOffer(),
      headers: [
        ["Session-Expires", "90;refresher=uac"],
        ["Supported", "timer"],
      ],
    });
    const call = await callP;
    await waitFor(() => call.state === "active");
    const ended = new Promise<string>((resolve) => session.once("ended", (r) => resolve(r.kind)));
    // RFC 4028 10: BYE at interval - min(32 s, interval / 3) = 60 s.
    clock.advance(59_000);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(call.state, "active");
    clock.advance(1_000);
    assert.equal(await ended, "remote_bye");
    assert.deepEqual(await call.ended, { kind: "session_expired" });
  });

  test("Session-Expires below 90 s: 422 with Min-SE", async () => {
    await assert.rejects(
      caller.ua.invite(agent.uri, {
        body: peerOffer(),
        headers: [
          ["Session-Expires", "30"],
          ["Supported", "timer"],
        ],
      }),
      { status: 422 },
    );
    assert.equal(responses(seenByCaller, 422).at(-1)?.headers.get("Min-SE"), "90");
  });

  test("outbound call asking for timers: interval and refresher from the callee's 2xx", async () => {
    let asked: string | undefined;
    caller.ua.once("incomingCall", (s: SipSession) => {
      asked = s.request?.headers.get("Session-Expires");
      s.accept(peerAnswer(s.remoteOffer?.body.toString() ?? ""), {
        headers: [
          ["Session-Expires", "120;refresher=uac"],
          ["Require", "timer"],
        ],
      });
    });
    const outcome = await manager.call("main", caller.uri);
    assert.equal(outcome.kind, "answered");
    if (outcome.kind !== "answered") return;
    assert.equal(asked, "120");
    const session = caller.ua.sessions()[0];
    assert.ok(session);
    const refreshes: string[] = [];
    session.on("reinvite", (offer) => {
      refreshes.push(offer.headers.get("Session-Expires") ?? "");
      offer.accept(peerAnswer(offer.offer?.body.toString() ?? ""));
    });
    clock.advance(60_000);
    await waitFor(() => refreshes.length === 1);
    assert.equal(refreshes[0], "120;refresher=uac");
    await outcome.call.hangup();
  });
});

describe("createTelephony turns session timers on for outbound calls", { timeout: 30_000 }, () => {
  test("the INVITE asks for Session-Expires 1800 with Supported: timer", async () => {
    const telephony = createTelephony({
      rtpPortMin: 47_200,
      rtpPortMax: 47_298,
      codecs: ["PCMU"],
      mediaTimeoutMs: 10_000,
      rtpBindAddress: "127.0.0.1",
      logger: silentLogger(),
    });
    const callee = await udpAgent("bob");
    try {
      await telephony.addLine({
        name: "dev",
        kind: "local",
        listen: ["udp:127.0.0.1:0"],
        maxConcurrentCalls: 2,
        answerDelayMs: 0,
        callers: { allow: [], deny: [] },
        srtp: "off",
      });
      const asked = new Promise<{ expires: string | undefined; supported: string }>((resolve) => {
        callee.ua.once("incomingCall", (s: SipSession) => {
          const headers = s.request?.headers;
          resolve({
            expires: headers?.get("Session-Expires"),
            supported: headers?.getAll("Supported").join(",") ?? "",
          });
          s.reject(486);
        });
      });
      const outcome = await telephony.manager.call("dev", callee.uri);
      assert.equal(outcome.kind, "busy");
      const seen = await asked;
      assert.equal(seen.expires, String(defaultSessionExpiresS));
      assert.match(seen.supported, /\btimer\b/);
    } finally {
      await telephony.close();
      await callee.ua.stop();
    }
  });
});
