import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseSdp } from "../media/index.js";
import { FakeClock, silentLogger } from "../shared/index.js";
import type { Call } from "./call.js";
import { CallManager, defaultLinePolicy, type LinePolicy } from "./call-manager.js";
import type { CallEndReason } from "./call-state.js";
import { FakeMediaFactory } from "./testing/fake-media.js";
import { FakeIncoming, FakeLine, peerOffer } from "./testing/fake-signaling.js";

async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

function setup(policy: Partial<LinePolicy> = {}, handler?: (call: Call) => Promise<void>) {
  const clock = new FakeClock();
  const media = new FakeMediaFactory();
  const manager = new CallManager({ media, clock, logger: silentLogger(), mediaTimeoutMs: 5000 });
  const line = new FakeLine("main");
  const calls: Call[] = [];
  manager.on("call", (c) => calls.push(c));
  manager.addLine(
    line,
    { ...defaultLinePolicy, ...policy },
    handler ?? (async (call) => void (await call.ended)),
  );
  return { clock, media, manager, line, calls };
}

async function answered(env: ReturnType<typeof setup>, incoming = new FakeIncoming({ offer: peerOffer() })) {
  env.line.deliver(incoming);
  await settle();
  incoming.ack();
  await settle();
  const call = env.calls.at(-1);
  assert.ok(call, "a call was created");
  return { incoming, call };
}

describe("inbound calls", () => {
  test("answered at once; media starts on ACK; the caller's BYE ends it and frees everything", async () => {
    const env = setup();
    const incoming = env.line.deliver(new FakeIncoming({ offer: peerOffer() }));
    await settle();
    assert.equal(incoming.rang, 1);
    assert.ok(incoming.accepted, "200 OK sent");
    const session = env.media.sessions[0];
    assert.ok(session);
    const answer = parseSdp(incoming.accepted.sdp);
    assert.ok(answer.ok);
    assert.equal(answer.sdp.media[0]?.port, session.localPort, "our SDP names the bound port");
    assert.equal(session.configured.length, 0, "no media before the ACK");
    assert.equal(env.calls[0]?.state, "answering");

    incoming.ack();
    await settle();
    const call = env.calls[0];
    assert.ok(call);
    assert.equal(call.state, "active");
    assert.equal(session.configured.length, 1);
    assert.equal(session.configured[0]?.codec.name, "PCMU");

    incoming.peerEnds({ kind: "remote_bye" });
    const reason = await call.ended;
    assert.deepEqual(reason, { kind: "caller_hung_up" });
    assert.equal(call.state, "ended");
    assert.equal(session.closed, true);
    assert.equal(env.manager.activeCalls, 0);
    assert.equal(env.media.openSessions, 0);
    assert.equal(env.clock.pendingTimers, 0, "no timer left behind");
  });

  test("answer delay keeps it ringing; a CANCEL meanwhile ends it without a 200", async () => {
    const env = setup({ answerDelayMs: 3000 });
    const incoming = env.line.deliver(new FakeIncoming({ offer: peerOffer() }));
    await settle();
    assert.equal(incoming.rang, 1);
    assert.equal(incoming.accepted, undefined);
    env.clock.advance(2000);
    await settle();
    assert.equal(incoming.accepted, undefined);
    incoming.cancel();
    env.clock.advance(1000);
    await settle();
    assert.equal(incoming.accepted, undefined);
    assert.deepEqual(env.calls[0]?.endReason, { kind: "caller_hung_up" });
    assert.equal(env.media.openSessions, 0);
    assert.equal(env.manager.counters.abandoned, 1);
  });

  test("answer delay then answer", async () => {
    const env = setup({ answerDelayMs: 1000 });
    const incoming = env.line.deliver(new FakeIncoming({ offer: peerOffer() }));
    await settle();
    env.clock.advance(999);
    await settle();
    assert.equal(incoming.accepted, undefined);
    env.clock.advance(1);
    await settle();
    assert.ok(incoming.accepted);
  });

  test("deny list -> 603, max concurrent -> 486 Busy Here", async () => {
    const env = setup({ maxConcurrentCalls: 1, callers: { allow: [], deny: ["666*"] } });
    const denied = env.line.deliver(new FakeIncoming({ offer: peerOffer(), user: "6661" }));
    await settle();
    assert.equal(denied.rejected?.status, 603);
    await answered(env);
    const busy = env.line.deliver(new FakeIncoming({ offer: peerOffer() }));
    await settle();
    assert.equal(busy.rejected?.status, 486);
    assert.equal(env.manager.counters.busy, 1);
    assert.equal(env.media.sessions.length, 1, "declined calls never opened media");
  });

  test("an offer media cannot take -> 488 with a Warning; media released", async () => {
    const env = setup({ codecs: ["PCMU"] });
    const incoming = env.line.deliver(new FakeIncoming({ offer: peerOffer({ codecs: ["PCMA/8000"] }) }));
    await settle();
    assert.equal(incoming.rejected?.status, 488);
    assert.equal(incoming.rejected?.warning?.code, 305);
    assert.equal(env.media.openSessions, 0);
    assert.equal(env.calls.length, 0);
  });

  test("SRTP mandatory refuses a plain RTP offer with 488", async () => {
    const env = setup({ srtp: "mandatory" });
    const incoming = env.line.deliver(new FakeIncoming({ offer: peerOffer({ srtp: "off" }) }));
    await settle();
    assert.equal(incoming.rejected?.status, 488);
  });

  test("a merged duplicate INVITE (same Call-ID and From tag) gets 482 and no second call", async () => {
    const env = setup({ answerDelayMs: 1000 });
    const first = env.line.deliver(new FakeIncoming({ offer: peerOffer(), callId: "dup", fromTag: "t1" }));
    const second = env.line.deliver(new FakeIncoming({ offer: peerOffer(), callId: "dup", fromTag: "t1" }));
    await settle();
    assert.equal(second.rejected?.status, 482);
    assert.equal(first.rejected, undefined);
    assert.equal(env.calls.length, 1);
  });

  test("late offer: we offer in the 200 and apply the ACK's answer", async () => {
    const env = setup();
    const incoming = env.line.deliver(new FakeIncoming({ offer: undefined }));
    await settle();
    assert.ok(incoming.accepted);
    const { peerAnswer } = await import("./testing/fake-signaling.js");
    incoming.ack(peerAnswer(incoming.accepted.sdp));
    await settle();
    assert.equal(env.calls[0]?.state, "active");
    assert.equal(env.media.sessions[0]?.configured.length, 1);
  });

  test("no media ports -> 503", async () => {
    const env = setup();
    env.media.failNext = true;
    const incoming = env.line.deliver(new FakeIncoming({ offer: peerOffer() }));
    await settle();
    assert.equal(incoming.rejected?.status, 503);
  });

  test("the agent returning hangs up (BYE) with agent_hung_up", async () => {
    const env = setup({}, async () => {});
    const { incoming, call } = await answered(env);
    const reason: CallEndReason = await call.ended;
    assert.deepEqual(reason, { kind: "agent_hung_up" });
    assert.equal(incoming.byeCount, 1);
    assert.equal(env.manager.activeCalls, 0);
  });

  test("ACK never comes -> the call ends with an error and releases media", async () => {
    const env = setup();
    const incoming = env.line.deliver(new FakeIncoming({ offer: peerOffer() }));
    await settle();
    incoming.ackTimeout();
    await settle();
    assert.equal(env.calls[0]?.endReason?.kind, "error");
    assert.equal(env.media.openSessions, 0);
  });
});
