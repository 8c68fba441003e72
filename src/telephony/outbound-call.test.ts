import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseSdp } from "../media/index.js";
import { FakeClock, silentLogger } from "../shared/index.js";
import { CallManager, defaultLinePolicy } from "./call-manager.js";
import { outcomeForStatus } from "./outbound-call.js";
import { FakeMediaFactory } from "./testing/fake-media.js";
import { FakeLine, peerAnswer } from "./testing/fake-signaling.js";

function setup() {
  const clock = new FakeClock();
  const media = new FakeMediaFactory();
  const manager = new CallManager({ media, clock, logger: silentLogger() });
  const line = new FakeLine("main");
  manager.addLine(line, { ...defaultLinePolicy, codecs: ["PCMU"] });
  return { clock, media, manager, line };
}

describe("outbound calls", () => {
  test("answered with early media: our offer names our port; media configured from 183 then 200", async () => {
    const env = setup();
    env.line.nextInvite = { kind: "answer", answerSdp: (o) => peerAnswer(o), early: (o) => peerAnswer(o) };
    const outcome = await env.manager.call("main", "sip:2002@127.0.0.2");
    assert.equal(outcome.kind, "answered");
    if (outcome.kind !== "answered") return;
    assert.equal(outcome.earlyMedia, true);
    assert.equal(outcome.call.state, "active");
    assert.equal(outcome.call.direction, "outbound");
    const session = env.media.sessions[0];
    assert.ok(session);
    assert.equal(session.configured.length, 2);
    const offer = parseSdp(env.line.invites[0]?.sdp ?? "");
    assert.ok(offer.ok);
    assert.equal(offer.sdp.media[0]?.port, session.localPort);
    await outcome.call.hangup();
    assert.deepEqual(outcome.call.endReason, { kind: "agent_hung_up" });
    assert.equal(env.line.sessions[0]?.byeCount, 1);
    assert.equal(env.media.openSessions, 0);
  });

  test("busy, rejected and failed outcomes release media", async () => {
    const env = setup();
    env.line.nextInvite = { kind: "fail", status: 486 };
    assert.deepEqual(await env.manager.call("main", "sip:x@y"), { kind: "busy", status: 486 });
    env.line.nextInvite = { kind: "fail", status: 603 };
    assert.deepEqual(await env.manager.call("main", "sip:x@y"), { kind: "rejected", status: 603 });
    env.line.nextInvite = { kind: "fail", status: 480 };
    assert.deepEqual(await env.manager.call("main", "sip:x@y"), { kind: "no_answer", status: 480 });
    assert.equal(env.media.openSessions, 0);
    assert.equal((await env.manager.call("nope", "sip:x@y")).kind, "failed");
  });

  test("ring timeout cancels and reports no_answer", async () => {
    const env = setup();
    env.line.nextInvite = { kind: "ring_forever" };
    const pending = env.manager.call("main", "sip:x@y", { ringTimeoutMs: 30_000 });
    await new Promise<void>((resolve) => setImmediate(resolve));
    env.clock.advance(30_000);
    assert.deepEqual(await pending, { kind: "no_answer", status: 487 });
    assert.equal(env.media.openSessions, 0);
  });

  test("a 2xx whose SDP we cannot use: BYE and failed", async () => {
    const env = setup();
    env.line.nextInvite = { kind: "answer", answerSdp: () => "v=0\r\nbroken" };
    const outcome = await env.manager.call("main", "sip:x@y");
    assert.equal(outcome.kind, "failed");
    assert.equal(env.line.sessions[0]?.byeCount, 1);
    assert.equal(env.media.openSessions, 0);
    assert.equal(env.manager.activeCalls, 0);
  });

  test("status mapping", () => {
    assert.equal(outcomeForStatus(600, false).kind, "busy");
    assert.equal(outcomeForStatus(408, false).kind, "no_answer");
    assert.equal(outcomeForStatus(487, true).kind, "no_answer");
    assert.equal(outcomeForStatus(404, false).kind, "rejected");
    assert.equal(outcomeForStatus(0, false).kind, "failed");
  });
});
