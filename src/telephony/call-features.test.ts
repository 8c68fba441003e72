import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseSdp } from "../media/index.js";
import { FakeClock, silentLogger } from "../shared/index.js";
import type { Call, CallDigit } from "./call.js";
import { CallManager, defaultLinePolicy } from "./call-manager.js";
import type { HoldParty } from "./call-state.js";
import type { SessionTimerRequest } from "./session-timer.js";
import type { TransferProgress } from "./signaling-port.js";
import { FakeMediaFactory } from "./testing/fake-media.js";
import { FakeIncoming, FakeLine, peerOffer, SipStatusError } from "./testing/fake-signaling.js";

async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

async function activeCall(options: { sessionTimer?: SessionTimerRequest; mediaTimeoutMs?: number } = {}) {
  const clock = new FakeClock();
  const media = new FakeMediaFactory();
  const manager = new CallManager({
    media,
    clock,
    logger: silentLogger(),
    mediaTimeoutMs: options.mediaTimeoutMs ?? 5000,
  });
  const line = new FakeLine("main");
  manager.addLine(line, defaultLinePolicy, async (call) => void (await call.ended));
  let call: Call | undefined;
  manager.on("call", (c) => {
    call = c;
  });
  const incoming = line.deliver(
    new FakeIncoming({
      offer: peerOffer(),
      ...(options.sessionTimer ? { sessionTimer: options.sessionTimer } : {}),
    }),
  );
  await settle();
  incoming.ack();
  await settle();
  assert.ok(call);
  assert.equal(call.state, "active");
  const session = media.sessions[0];
  assert.ok(session);
  return { clock, media, manager, incoming, call, session };
}

function directionOf(sdpText: string): string | undefined {
  const parsed = parseSdp(sdpText);
  assert.ok(parsed.ok);
  return parsed.sdp.media[0]?.direction;
}

describe("established calls", () => {
  test("the caller holds (sendonly) and resumes: same call, media updated, hold events", async () => {
    const env = await activeCall();
    const holds: (HoldParty | undefined)[] = [];
    env.call.on("hold", (h) => holds.push(h));
    const held = await env.incoming.peerReoffer(peerOffer({ direction: "sendonly" }));
    assert.equal(held.status, 200);
    assert.equal(directionOf(held.sdp ?? ""), "recvonly");
    assert.equal(env.call.state, "on_hold");
    assert.equal(env.call.hold, "remote");
    const resumed = await env.incoming.peerReoffer(peerOffer({ direction: "sendrecv" }));
    assert.equal(resumed.status, 200);
    assert.equal(directionOf(resumed.sdp ?? ""), "sendrecv");
    assert.equal(env.call.state, "active");
    assert.deepEqual(holds, ["remote", undefined]);
    assert.equal(env.session.configured.length, 3);
    assert.equal(env.media.sessions.length, 1, "no new media session");
  });

  test("a re-INVITE with a new address and codec updates media; a bad one gets 488 and changes nothing", async () => {
    const env = await activeCall();
    const moved = await env.incoming.peerReoffer(peerOffer({ port: 31_000, codecs: ["PCMA/8000"] }));
    assert.equal(moved.status, 200);
    assert.equal(env.session.configured.at(-1)?.remoteRtp.port, 31_000);
    assert.equal(env.session.configured.at(-1)?.codec.name, "PCMA");
    const bad = await env.incoming.peerReoffer(peerOffer({ codecs: ["G729/8000"] }));
    assert.equal(bad.status, 488);
    assert.equal(bad.warning?.code, 305);
    assert.equal(env.session.configured.length, 2);
    assert.equal(env.call.state, "active");
  });

  test("an offerless re-INVITE gets our current description as the offer", async () => {
    const env = await activeCall();
    const response = await env.incoming.peerReoffer(undefined);
    assert.equal(response.status, 200);
    assert.equal(directionOf(response.sdp ?? ""), "sendrecv");
  });

  test("we hold with sendonly and resume with sendrecv", async () => {
    const env = await activeCall();
    await env.call.putOnHold();
    assert.equal(directionOf(env.incoming.reoffers[0]?.sdp ?? ""), "sendonly");
    assert.equal(env.call.state, "on_hold");
    assert.equal(env.call.hold, "local");
    await env.call.resume();
    assert.equal(directionOf(env.incoming.reoffers[1]?.sdp ?? ""), "sendrecv");
    assert.equal(env.call.state, "active");
  });

  test("a refused hold re-INVITE leaves the call active and reports the status", async () => {
    const env = await activeCall();
    env.incoming.answerReoffer = async () => {
      throw new SipStatusError(491);
    };
    await assert.rejects(
      env.call.putOnHold(),
      (e: unknown) => e instanceof SipStatusError && e.status === 491,
    );
    assert.equal(env.call.state, "active");
    assert.equal(env.call.hold, undefined);
  });

  test("blind transfer success: progress events, BYE, ended as transferred", async () => {
    const env = await activeCall();
    const progress: TransferProgress[] = [];
    env.call.on("transfer", (p) => progress.push(p));
    const result = await env.call.transfer("sip:support@example.com");
    assert.deepEqual(result, { outcome: "success", status: 200 });
    assert.deepEqual(
      progress.map((p) => p.state),
      ["trying", "success"],
    );
    assert.deepEqual(await env.call.ended, { kind: "transferred" });
    assert.equal(env.incoming.byeCount, 1);
    assert.equal(env.incoming.refers[0]?.target, "sip:support@example.com");
  });

  test("blind transfer failure: the caller stays connected, typed failure", async () => {
    const env = await activeCall();
    env.incoming.referScript = {
      progress: [
        { state: "trying", status: 100 },
        { state: "failure", status: 404 },
      ],
      result: { outcome: "failure", status: 404 },
    };
    const states: string[] = [];
    env.call.on("state", (s) => states.push(s));
    const progress: string[] = [];
    env.call.on("transfer", (p) => progress.push(`${p.state}:${p.status}`));
    const result = await env.call.transfer("sip:nobody@example.com");
    assert.deepEqual(result, { outcome: "failure", status: 404 });
    assert.deepEqual(progress, ["trying:100", "failure:404"], "the failure is reported once");
    assert.equal(env.call.state, "active");
    assert.deepEqual(states, ["transferring", "active"]);
    assert.equal(env.incoming.byeCount, 0);
  });

  test("a REFER refused outright (e.g. 403) is a failure and the call continues", async () => {
    const env = await activeCall();
    env.incoming.refer = async () => {
      throw new SipStatusError(403);
    };
    assert.deepEqual(await env.call.transfer("sip:x@y"), { outcome: "failure", status: 403 });
    assert.equal(env.call.state, "active");
  });

  test("DTMF in (RFC 4733 and SIP INFO) and out", async () => {
    const env = await activeCall();
    const digits: CallDigit[] = [];
    env.call.on("dtmf", (d) => digits.push(d));
    env.session.emit("dtmf", { digit: "5", durationMs: 120 });
    env.incoming.peerInfo("application/dtmf-relay", "Signal=#\r\nDuration=160\r\n");
    env.incoming.peerInfo("application/dtmf-relay", "garbage");
    assert.deepEqual(digits, [
      { digit: "5", durationMs: 120, via: "rfc4733" },
      { digit: "#", durationMs: 160, via: "sip-info" },
    ]);
    await env.call.sendDigits("12#");
    assert.deepEqual(env.session.digitsSent, ["1", "2", "#"]);
    await assert.rejects(env.call.sendDigits("x"), { code: "call_bad_digit" });
  });

  test("media timeout: no RTP for N ms hangs up with media_timeout; not while held", async () => {
    const env = await activeCall({ mediaTimeoutMs: 5000 });
    await env.incoming.peerReoffer(peerOffer({ direction: "inactive" }));
    assert.equal(env.call.state, "on_hold");
    env.session.idleMs = 60_000;
    env.clock.advance(10_000);
    await settle();
    assert.equal(env.call.state, "on_hold", "held calls may be silent");
    await env.incoming.peerReoffer(peerOffer({ direction: "sendrecv" }));
    env.clock.advance(1000);
    await settle();
    assert.deepEqual(await env.call.ended, { kind: "media_timeout", idleMs: 60_000 });
    assert.equal(env.incoming.byeCount, 1);
    assert.equal(env.clock.pendingTimers, 0);
  });

  test("session timer, we refresh (refresher=uas): re-INVITE at half the interval", async () => {
    const env = await activeCall({
      sessionTimer: { intervalS: 90, refresher: "uas", uacSupportsTimer: true },
    });
    assert.deepEqual(env.incoming.accepted?.sessionTimer, { intervalS: 90, refresher: "uas" });
    env.clock.advance(44_999);
    await settle();
    assert.equal(env.incoming.reoffers.length, 0);
    env.clock.advance(1);
    await settle();
    assert.equal(env.incoming.reoffers.length, 1);
    env.clock.advance(45_000);
    await settle();
    assert.equal(env.incoming.reoffers.length, 2);
    assert.equal(env.call.state, "active");
  });

  test("session timer, the peer refreshes: BYE before expiry unless it does", async () => {
    const env = await activeCall({ sessionTimer: { intervalS: 90, uacSupportsTimer: true } });
    env.clock.advance(50_000);
    await settle();
    await env.incoming.peerReoffer(peerOffer());
    env.clock.advance(50_000);
    await settle();
    assert.equal(env.call.state, "active", "the refresh restarted the interval");
    env.clock.advance(10_000);
    await settle();
    assert.deepEqual(await env.call.ended, { kind: "session_expired" });
  });

  test("audio API: frames from the caller, play/flush with the playout position", async () => {
    const env = await activeCall();
    const frame = { samples: new Int16Array(320), sampleRateHz: 16_000 };
    env.session.pushFrame(frame);
    const iterator = env.call.audio.frames()[Symbol.asyncIterator]();
    assert.equal((await iterator.next()).value, frame);
    const handle = env.call.audio.play([frame, frame, frame]);
    const result = await handle.finished;
    assert.equal(result.reason, "completed");
    assert.equal(env.call.audio.positionMs(), 60);
    await env.call.hangup();
    assert.equal((await iterator.next()).done, true, "frames end with the call");
  });
});
