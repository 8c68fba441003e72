/**
 * Telephony over the real SIP user agent on UDP loopback (media faked): a second SipUserAgent plays
 * the caller. Checks that the adapter carries answer-on-ACK, hold re-INVITEs, 486, BYE both ways,
 * outbound calls and REFER progress.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { silentLogger } from "../../src/shared/index.js";
import { type SipSession, SipUserAgent } from "../../src/sip/index.js";
import {
  type Call,
  CallManager,
  defaultLinePolicy,
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

function nextCall(manager: CallManager): Promise<Call> {
  return new Promise((resolve) => manager.once("call", resolve));
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe("telephony over the SIP user agent (UDP loopback)", { timeout: 60_000 }, () => {
  let agent: { ua: SipUserAgent; uri: string };
  let caller: { ua: SipUserAgent; uri: string };
  let media: FakeMediaFactory;
  let manager: CallManager;

  before(async () => {
    agent = await udpAgent("agent");
    caller = await udpAgent("alice");
    media = new FakeMediaFactory();
    manager = new CallManager({ media, logger: silentLogger() });
    manager.addLine(
      new SipLineAdapter("main", agent.ua),
      { ...defaultLinePolicy, maxConcurrentCalls: 1 },
      (call) => call.ended.then(() => undefined),
    );
  });

  after(async () => {
    await manager?.close();
    await caller?.ua.stop();
    await agent?.ua.stop();
  });

  test("answer on ACK, hold by re-INVITE, 486 when full, caller hangs up", async () => {
    const callP = nextCall(manager);
    const session = await caller.ua.invite(agent.uri, { body: peerOffer() });
    const call = await callP;
    await waitFor(() => call.state === "active");
    assert.equal(media.sessions.at(-1)?.configured.length, 1);
    assert.match(session.remoteBody?.body.toString() ?? "", /m=audio \d+ RTP\/AVP 0/);

    const answer = await session.reinvite(peerOffer({ direction: "sendonly" }));
    assert.match(answer?.body.toString() ?? "", /a=recvonly/);
    assert.equal(call.state, "on_hold");
    await session.reinvite(peerOffer());
    assert.equal(call.state, "active");

    await assert.rejects(caller.ua.invite(agent.uri, { body: peerOffer() }), (e: unknown) => {
      return typeof e === "object" && e !== null && "status" in e && e.status === 486;
    });

    await session.bye();
    assert.deepEqual(await call.ended, { kind: "caller_hung_up" });
    assert.equal(manager.activeCalls, 0);
    assert.equal(media.openSessions, 0);
  });

  test("we hang up: the caller sees BYE", async () => {
    const callP = nextCall(manager);
    const session = await caller.ua.invite(agent.uri, { body: peerOffer() });
    const call = await callP;
    await waitFor(() => call.state === "active");
    const ended = once(session, "ended");
    await call.hangup();
    const [reason] = (await ended) as [{ kind: string }];
    assert.equal(reason.kind, "remote_bye");
    assert.deepEqual(call.endReason, { kind: "agent_hung_up" });
  });

  test("outbound call answered, then REFER with NOTIFY progress: transferred", async () => {
    caller.ua.once("incomingCall", (s: SipSession) => {
      s.accept(peerAnswer(s.remoteOffer?.body.toString() ?? ""));
      s.on("refer", (refer) => {
        setTimeout(() => refer.notify(180), 20);
        setTimeout(() => refer.notify(200), 40);
      });
    });
    const outcome = await manager.call("main", caller.uri);
    assert.equal(outcome.kind, "answered");
    if (outcome.kind !== "answered") return;
    const progress: string[] = [];
    outcome.call.on("transfer", (p) => progress.push(p.state));
    const result = await outcome.call.transfer("sip:bob@127.0.0.1");
    assert.equal(result.outcome, "success");
    assert.ok(progress.includes("success"), progress.join(","));
    assert.deepEqual(await outcome.call.ended, { kind: "transferred" });
  });

  test("outbound call declined with 603 -> rejected", async () => {
    caller.ua.once("incomingCall", (s: SipSession) => s.reject(603));
    const outcome = await manager.call("main", caller.uri);
    assert.deepEqual(outcome, { kind: "rejected", status: 603 });
    assert.equal(media.openSessions, 0);
  });
});
