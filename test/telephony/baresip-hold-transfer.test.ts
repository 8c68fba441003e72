/**
 * Issue 5 acceptance, real peers through Kamailio over UDP, `echo` agent on a `sip-account` line:
 *  - baresip puts the call on hold mid-call and resumes: the call stays up (on_hold, then active)
 *    and audio flows again both ways;
 *  - blind transfer of the baresip caller to a second baresip: typed success (NOTIFY 200), the
 *    call ends as `transferred`, the target answers;
 *  - transfer to a user not registered at Kamailio: typed failure with the status, the caller
 *    stays connected to the agent (call active, RTP still flowing both ways).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { runEchoAgent } from "../../src/agent/diagnostic/echo-agent.js";
import type { Call, CallState, TransferProgress } from "../../src/telephony/index.js";
import {
  type BaresipInstance,
  bedSentences,
  type KamailioInstance,
  requireTools,
  silenceWav,
  speechWav,
  TestBed,
} from "../bed/index.js";
import {
  type AgentLine,
  delay,
  dialFrom,
  kamailioAccount,
  mediaPackets,
  nextCall,
  startAgentLine,
  waitFor,
} from "./peer-helpers.js";

describe("hold and transfer with baresip through Kamailio (UDP), echo agent", { timeout: 240_000 }, () => {
  let bed: TestBed;
  let kamailio: KamailioInstance;
  let line: AgentLine;
  let alice: BaresipInstance;
  let bob: BaresipInstance;
  let domain: string;

  before(async () => {
    requireTools(["kamailio", "baresip", "sox", "flite"]);
    bed = new TestBed();
    kamailio = await bed.kamailio();
    domain = `127.0.0.1:${kamailio.sipPort}`;
    const media = await bed.path("media");
    line = await startAgentLine({
      kamailio,
      transport: "udp",
      srtp: "off",
      rtpPortMin: 46_800,
      handler: (call) => runEchoAgent(call, { delayMs: 200 }),
    });
    const sentence = (await bedSentences())[4] ?? "";
    const speech = await speechWav(sentence, join(media, "alice-8k.wav"), {
      rateHz: 8000,
      padBeforeS: 0.5,
      padAfterS: 110,
    });
    const silence = await silenceWav(join(media, "silence-8k.wav"), 120, 8000);
    const common = { audioCodecs: ["PCMU"], wideband: false } as const;
    [alice, bob] = await Promise.all([
      bed.baresip({
        ...common,
        name: "alice",
        sourceWav: speech,
        account: kamailioAccount(kamailio, "alice", "udp"),
      }),
      bed.baresip({
        ...common,
        name: "bob",
        sourceWav: silence,
        account: kamailioAccount(kamailio, "bob", "udp"),
      }),
    ]);
    await Promise.all([alice.waitRegistered(20_000), bob.waitRegistered(20_000)]);
  });

  after(async () => {
    await line?.telephony.close();
    await bed?.close();
  });

  async function callFromAlice(): Promise<{ call: Call; from: number; states: CallState[] }> {
    const callP = nextCall(line.telephony);
    const from = await dialFrom(alice, `sip:agent@${domain}`);
    const call = await callP;
    const states: CallState[] = [];
    call.on("state", (s) => states.push(s));
    await alice.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000, fromIndex: from });
    await waitFor(() => call.state === "active", 5_000, "the call is active");
    return { call, from, states };
  }

  /** Packets in and out grow over `ms` (audio flows both ways). */
  async function flowsBothWays(call: Call, ms = 1_000): Promise<{ in: number; out: number }> {
    const before = mediaPackets(call);
    await delay(ms);
    const after = mediaPackets(call);
    return { in: after.in - before.in, out: after.out - before.out };
  }

  test("baresip holds and resumes: on_hold then active, audio resumes", async () => {
    const { call, from, states } = await callFromAlice();
    const flowing = await flowsBothWays(call);
    assert.ok(flowing.in > 30 && flowing.out > 30, `before hold ${JSON.stringify(flowing)}`);

    const fromState = states.length;
    await alice.ctrl.hold();
    await waitFor(() => call.state === "on_hold", 10_000, "our call goes on hold");
    assert.equal(call.hold, "remote");
    const held = await flowsBothWays(call);
    await alice.ctrl.resume();
    await waitFor(() => call.state === "active", 10_000, "our call is active again");
    assert.equal(call.hold, undefined);
    const resumed = await flowsBothWays(call);
    console.log(
      `hold: states ${states.join(">")}; packets/s before ${JSON.stringify(flowing)} held ` +
        `${JSON.stringify(held)} resumed ${JSON.stringify(resumed)}`,
    );
    // RFC 3264 8.4: the peer holding (sendonly) gets a recvonly answer: we stop sending to it.
    assert.ok(held.out < 10, `we stopped sending while held: ${held.out}`);
    assert.ok(resumed.in > 30 && resumed.out > 30, `after resume ${JSON.stringify(resumed)}`);
    assert.deepEqual(states.slice(fromState), ["on_hold", "active"]);

    await alice.ctrl.hangup();
    assert.deepEqual(await call.ended, { kind: "caller_hung_up" });
    await alice.ctrl.waitForEvent("CALL_CLOSED", { timeoutMs: 10_000, fromIndex: from });
  });

  test("blind transfer to a second baresip: typed success, the call ends as transferred", async () => {
    const fromBob = bob.ctrl.events().length;
    const { call, from } = await callFromAlice();
    const progress: TransferProgress[] = [];
    call.on("transfer", (p) => progress.push(p));
    const result = await call.transfer(`sip:bob@${domain}`);
    console.log(
      `transfer ok: ${progress.map((p) => `${p.state}:${p.status}`).join(" ")} -> ${JSON.stringify(result)}`,
    );
    assert.deepEqual(result, { outcome: "success", status: 200 });
    assert.deepEqual(await call.ended, { kind: "transferred" });
    await bob.ctrl.waitForEvent("CALL_ESTABLISHED", { timeoutMs: 20_000, fromIndex: fromBob });
    assert.ok(progress.some((p) => p.state === "success"));
    await alice.ctrl.hangup();
    await alice.ctrl.waitForEvent("CALL_CLOSED", { timeoutMs: 10_000, fromIndex: from });
    await bob.ctrl.waitForEvent("CALL_CLOSED", { timeoutMs: 10_000, fromIndex: fromBob });
  });

  test("transfer to a user not registered at Kamailio: typed failure, the caller stays connected", async () => {
    const { call, from } = await callFromAlice();
    const progress: TransferProgress[] = [];
    call.on("transfer", (p) => progress.push(p));
    const result = await call.transfer(`sip:carol@${domain}`);
    await delay(500);
    const flowing = await flowsBothWays(call);
    console.log(
      `transfer failed: ${progress.map((p) => `${p.state}:${p.status}`).join(" ")} -> ${JSON.stringify(result)}; ` +
        `call ${call.state}, packets/s after ${JSON.stringify(flowing)}; baresip events ` +
        alice.ctrl
          .events()
          .slice(from)
          .map((e) => e.type)
          .join(","),
    );
    assert.equal(result.outcome, "failure");
    assert.ok(result.status === 404 || result.status === 480, `status ${result.status}`);
    assert.deepEqual(
      progress.filter((p) => p.state === "failure"),
      [{ state: "failure", status: result.status }],
      "one failure event",
    );
    assert.equal(call.state, "active", "the caller stays with the agent");
    assert.ok(flowing.in > 30 && flowing.out > 30, `audio still flows ${JSON.stringify(flowing)}`);
    await alice.ctrl.hangup();
    assert.deepEqual(await call.ended, { kind: "caller_hung_up" });
  });
});
