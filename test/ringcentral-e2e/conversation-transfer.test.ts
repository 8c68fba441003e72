/**
 * The conversation agent's `transfer` tool on a ringcentral line, against the RingCentral emulator:
 * a fake LLM calls `transfer` to extension 101. While no telephony event has bound the call's party
 * the tool falls back to SIP REFER (here refused: the caller stays and hears the apology); once the
 * party is known it transfers through Call Control (the emulator's transfer endpoint), the call ends
 * as `transferred` and the `transfer` event says `via: call_control`. Engines are the pipeline's
 * fakes on a fake clock; the call is the telephony layer's fake signaling.
 */
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  CallJournal,
  createConversationAgent,
  noMetrics,
  RingCentralCallLink,
} from "../../src/agent/index.js";
import { configSchema } from "../../src/config/index.js";
import type { AudioFrame } from "../../src/media/index.js";
import { FakeLlmProvider, FakeSttProvider, FakeTtsProvider } from "../../src/pipeline/index.js";
import { FakeClock, silentLogger } from "../../src/shared/index.js";
import { SqliteCallStore } from "../../src/store/index.js";
import {
  type Call,
  CallManager,
  defaultLinePolicy,
  FakeIncoming,
  FakeLine,
  FakeMediaFactory,
  peerOffer,
} from "../../src/telephony/index.js";
import { cleanup, lineFor, startEmulator } from "../ringcentral/rc-fixture.js";

after(cleanup);

function tone(amplitude: number): AudioFrame {
  const samples = new Int16Array(320);
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 200 * i) / 16000));
  return { samples, sampleRateHz: 16000 };
}

async function settle(clock: FakeClock, ms = 20): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  await clock.advanceAsync(ms, 20);
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

test("transfer tool on a ringcentral line: REFER while the party is unknown, then Call Control", async () => {
  const dir = await mkdtemp(join(tmpdir(), "ringagent-rc-transfer-"));
  const store = await SqliteCallStore.open({ path: join(dir, "calls.db") });
  const emu = await startEmulator();
  const line = lineFor(emu);
  await line.start();
  const clock = new FakeClock({ epochMs: 1_700_000_000_000 });
  const journal = new CallJournal({
    store,
    metrics: noMetrics,
    instance: "test",
    clock,
    logger: silentLogger(),
    agentOfLine: () => "reception",
  });
  const link = new RingCentralCallLink({
    lineName: "rc",
    line,
    journal,
    clock,
    logger: silentLogger(),
    syncCallLog: false,
  });
  try {
    const parsed = configSchema.parse({
      lines: [{ name: "rc", kind: "local", agent: "reception" }],
      agents: { reception: { greeting: "Hello.", tools: ["transfer", "end_call"] } },
    });
    const config = parsed.agents.reception;
    assert.ok(config?.kind === "conversation");
    const stt = new FakeSttProvider(clock);
    const llm = new FakeLlmProvider(clock);
    const tts = new FakeTtsProvider(clock);
    llm.reply = (messages) =>
      messages.at(-1)?.role === "tool"
        ? {}
        : {
            text: "Transferring you.",
            toolCalls: [{ id: `t${messages.length}`, name: "transfer", arguments: { to: "101" } }],
          };
    const agent = createConversationAgent({
      name: "reception",
      config,
      providers: { shared: () => ({ stt, tts }), llm: () => llm },
      journal,
      metrics: noMetrics,
      clock,
      logger: silentLogger(),
      recordings: { enabled: false, dir },
      transferRoute: (call) => (call.lineName === "rc" ? link : undefined),
    });
    const media = new FakeMediaFactory();
    const manager = new CallManager({ media, clock, logger: silentLogger() });
    journal.attach(manager);
    link.attach(manager);
    const fakeLine = new FakeLine("rc");
    manager.addLine(fakeLine, defaultLinePolicy, agent.handler);
    let call: Call | undefined;
    manager.on("call", (c) => {
      call = c;
    });
    const sipCallId = "rc-transfer-tool@127.0.0.1";
    const incoming = fakeLine.deliver(new FakeIncoming({ offer: peerOffer(), callId: sipCallId }));
    await settle(clock, 0);
    incoming.ack();
    await settle(clock, 0);
    assert.ok(call);
    const live = call;
    const session = media.sessions[0];
    assert.ok(session);
    /** Fake time in 20 ms steps, with a real pause so REST round trips complete; bounded. */
    const until = async (done: () => boolean): Promise<void> => {
      for (let i = 0; i < 300 && !done(); i++) {
        await new Promise<void>((resolve) => setTimeout(resolve, 2));
        session.pushFrame(tone(0));
        await settle(clock, 20);
      }
    };
    const say = async (text: string): Promise<void> => {
      stt.expect(text);
      for (let t = 0; t < 600; t += 20) {
        session.pushFrame(tone(6000));
        await settle(clock);
      }
      for (let t = 0; t < 1500; t += 20) {
        session.pushFrame(tone(0));
        await settle(clock);
      }
    };
    await until(() => session.playouts.length > 0);

    // 1. No event has bound the party yet: REFER (refused here), the caller stays.
    incoming.referScript = {
      progress: [{ state: "failure", status: 486 }],
      result: { outcome: "failure", status: 486 },
    };
    await say("extension one oh one please");
    await until(() => incoming.refers.length > 0 && tts.requests.join(" ").includes("couldn't transfer"));
    assert.match(incoming.refers[0]?.target ?? "", /^sip:101@/, "fell back to REFER");
    assert.notEqual(live.state, "ended");
    assert.equal(link.counters.transfers + link.counters.transferFailures, 0, "Call Control not tried");

    // 2. RingCentral's events bind the party: the next transfer goes through Call Control.
    const simulated = emu.simulateInboundCall({ sipCallId, from: "+16505550111", to: "+16505550100" });
    simulated.proceed();
    simulated.answer();
    await link.correlatedCall(live.id)?.waitFor("Answered", { timeoutMs: 5000 });
    assert.ok(link.partyOf(live.id), "the party is known");
    await say("one oh one");
    await until(() => live.state === "ended");
    assert.equal(live.state, "ended");
    assert.equal(incoming.refers.length, 1, "no second REFER");
    assert.equal(link.counters.transfers, 1);
    const transferRequest = emu.requests.find(
      (r) => r.method === "POST" && r.path.endsWith(`/parties/${simulated.partyId}/transfer`),
    );
    assert.equal(transferRequest?.status, 200, "Call Control transfer on the emulator");
    await journal.flush();
    const detail = await store.getCall(live.id);
    assert.equal(detail?.call.outcome, "transferred");
    const transfers = (detail?.events ?? []).filter((e) => e.type === "transfer").map((e) => e.data);
    assert.ok(
      transfers.some((d) => (d as { via?: string; outcome?: string }).via === "call_control"),
      `a call_control transfer event: ${JSON.stringify(transfers)}`,
    );
  } finally {
    link.close();
    await line.stop();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  }
});
