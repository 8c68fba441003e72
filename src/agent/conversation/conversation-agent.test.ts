import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { configSchema } from "../../config/index.js";
import type { AudioFrame } from "../../media/index.js";
import { FakeLlmProvider, FakeSttProvider, FakeTtsProvider } from "../../pipeline/index.js";
import { createLogger, FakeClock, silentLogger } from "../../shared/index.js";
import { readWavFile, SqliteCallStore } from "../../store/index.js";
import {
  type Call,
  CallManager,
  defaultLinePolicy,
  FakeIncoming,
  FakeLine,
  FakeMediaFactory,
  type FakeMediaSession,
  peerOffer,
} from "../../telephony/index.js";
import { CallJournal } from "../call-journal.js";
import { type AgentMetrics, type ConversationAgentConfig, noMetrics } from "./agent-ports.js";
import { transferFailedText } from "./call-tools.js";
import { type ConversationCallSummary, createConversationAgent } from "./conversation-agent.js";

function tone(amplitude: number): AudioFrame {
  const samples = new Int16Array(320);
  for (let i = 0; i < samples.length; i++)
    samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 200 * i) / 16000));
  return { samples, sampleRateHz: 16000 };
}

function agentConfig(extra: Record<string, unknown> = {}): ConversationAgentConfig {
  const config = configSchema.parse({
    lines: [{ name: "main", kind: "local", agent: "reception" }],
    agents: {
      reception: { greeting: "Hello there.", tools: ["transfer", "end_call", "take_message"], ...extra },
    },
  });
  const agent = config.agents.reception;
  assert.ok(agent?.kind === "conversation");
  return agent;
}

interface Env {
  clock: FakeClock;
  stt: FakeSttProvider;
  llm: FakeLlmProvider;
  tts: FakeTtsProvider;
  call: Call;
  session: FakeMediaSession;
  incoming: FakeIncoming;
  manager: CallManager;
  journal: CallJournal;
  done: Promise<ConversationCallSummary>;
  metrics: string[];
}

async function settle(clock: FakeClock, ms = 20): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  await clock.advanceAsync(ms, 20);
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Advances fake time 20 ms at a time (with a real pause for file I/O), the caller silent (a real
 * media session delivers a frame every 20 ms), until `done()` or 200 rounds.
 */
async function until(
  env: { clock: FakeClock; session: FakeMediaSession },
  done: () => boolean,
): Promise<void> {
  for (let i = 0; i < 200 && !done(); i++) {
    await new Promise<void>((resolve) => setTimeout(resolve, 2));
    env.session.pushFrame(tone(0));
    await settle(env.clock, 20);
  }
}

describe("conversation agent (fake call, fake engines)", () => {
  let dir: string;
  let store: SqliteCallStore;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), "ringagent-conv-"));
    store = await SqliteCallStore.open({ path: join(dir, "calls.db") });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function start(config: ConversationAgentConfig): Promise<Env> {
    const clock = new FakeClock({ epochMs: 1_700_000_000_000 });
    const stt = new FakeSttProvider(clock);
    const llm = new FakeLlmProvider(clock);
    const tts = new FakeTtsProvider(clock);
    const metrics: string[] = [];
    const recorder: AgentMetrics = {
      ...noMetrics,
      callStarted: (line) => metrics.push(`started ${line}`),
      callEnded: (line, outcome) => metrics.push(`ended ${line} ${outcome}`),
      turnLatency: () => metrics.push("turn"),
      bargeIn: () => metrics.push("barge-in"),
    };
    const journal = new CallJournal({
      store,
      metrics: recorder,
      instance: "test",
      clock,
      logger: silentLogger(),
      agentOfLine: () => "reception",
    });
    let resolveDone!: (s: ConversationCallSummary) => void;
    const done = new Promise<ConversationCallSummary>((resolve) => {
      resolveDone = resolve;
    });
    const agent = createConversationAgent({
      name: "reception",
      config,
      providers: { shared: () => ({ stt, tts }), llm: () => llm },
      journal,
      metrics: recorder,
      clock,
      logger: process.env.AGENT_TEST_DEBUG === "1" ? createLogger({ level: "debug" }) : silentLogger(),
      recordings: { enabled: true, dir: join(dir, "rec") },
      onCallDone: resolveDone,
    });
    const media = new FakeMediaFactory();
    const manager = new CallManager({ media, clock, logger: silentLogger() });
    journal.attach(manager);
    const line = new FakeLine("main");
    manager.addLine(line, defaultLinePolicy, agent.handler);
    let call: Call | undefined;
    manager.on("call", (c) => {
      call = c;
    });
    const incoming = line.deliver(new FakeIncoming({ offer: peerOffer() }));
    await settle(clock, 0);
    incoming.ack();
    await settle(clock, 0);
    assert.ok(call);
    const session = media.sessions[0];
    assert.ok(session);
    return { clock, stt, llm, tts, call, session, incoming, manager, journal, done, metrics };
  }

  /** The caller speaks for `speechMs` then is silent for `silenceMs`, one frame per 20 ms. */
  async function say(env: Env, text: string, speechMs = 600, silenceMs = 1500): Promise<void> {
    env.stt.expect(text);
    for (let t = 0; t < speechMs; t += 20) {
      env.session.pushFrame(tone(6000));
      await settle(env.clock);
    }
    for (let t = 0; t < silenceMs; t += 20) {
      env.session.pushFrame(tone(0));
      await settle(env.clock);
    }
  }

  test("greets, answers a turn, persists the call, the turn with latency and the recording", async () => {
    const env = await start(agentConfig());
    await until(env, () => env.session.playouts.length > 0);
    assert.ok(env.tts.requests.includes("Hello there."), "the greeting is synthesized");
    assert.ok(env.session.playouts.length >= 1, "the greeting is played");
    await say(env, "what are your hours");
    assert.ok(env.tts.requests.some((t) => t.includes("You said what are your hours")));
    env.incoming.peerEnds();
    const summary = await env.done;
    await env.journal.flush();
    const detail = await store.getCall(env.call.id);
    assert.ok(detail);
    assert.equal(detail.call.status, "ended");
    assert.equal(detail.call.outcome, "completed");
    assert.equal(detail.call.endReason, "caller_hung_up");
    assert.equal(detail.call.line, "main");
    assert.ok(detail.call.answeredAtMs !== null);
    assert.equal(detail.turns.length, 1);
    const turn = detail.turns[0];
    assert.ok(turn);
    assert.equal(turn.callerText, "what are your hours");
    assert.match(turn.agentText, /You said what are your hours/);
    assert.ok(turn.latency.endpointingMs !== null && turn.latency.endpointingMs >= 400);
    assert.ok(turn.latency.wireToWireMs !== null, "wire-to-wire measured");
    assert.deepEqual(summary.wireToWireMs, [turn.latency.wireToWireMs]);
    assert.ok(summary.recordingPath);
    const wav = await readWavFile(summary.recordingPath);
    assert.equal(wav.channels, 2);
    assert.equal(detail.call.recordingPath, summary.recordingPath);
    assert.deepEqual(
      env.metrics.filter((m) => m !== "turn"),
      ["started main", "ended main completed"],
    );
    assert.ok(env.metrics.includes("turn"));
  });

  test("end_call: the goodbye plays out, then BYE", async () => {
    const env = await start(agentConfig());
    env.llm.reply = () => ({
      text: "Goodbye then.",
      toolCalls: [{ id: "t1", name: "end_call", arguments: {} }],
    });
    await until(env, () => env.session.playouts.length > 0);
    await say(env, "bye");
    await until(env, () => env.call.state === "ended");
    assert.equal(env.call.state, "ended");
    assert.equal(env.incoming.byeCount, 1);
    const goodbye = env.session.playouts.at(-1);
    assert.ok(goodbye);
    const result = await goodbye.finished;
    assert.equal(result.reason, "completed", "the goodbye was not cut");
    await env.done;
    await env.journal.flush();
    const detail = await store.getCall(env.call.id);
    assert.equal(detail?.call.endReason, "agent_hung_up");
    assert.ok(detail?.events.some((e) => e.type === "tool"));
  });

  test("transfer failure: the agent says so and stays; success ends the call as transferred", async () => {
    const env = await start(agentConfig({ transferTargets: { operator: "sip:op@127.0.0.1:5099" } }));
    env.incoming.referScript = {
      progress: [{ state: "failure", status: 486 }],
      result: { outcome: "failure", status: 486 },
    };
    env.llm.reply = (messages) =>
      messages.at(-1)?.role === "tool"
        ? {}
        : {
            text: "Transferring.",
            toolCalls: [{ id: `x${messages.length}`, name: "transfer", arguments: { to: "operator" } }],
          };
    await until(env, () => env.session.playouts.length > 0);
    await say(env, "operator");
    await until(env, () => env.tts.requests.join(" ").includes(transferFailedText));
    assert.equal(env.incoming.refers[0]?.target, "sip:op@127.0.0.1:5099");
    assert.ok(env.tts.requests.join(" ").includes(transferFailedText), "the failure is announced");
    assert.notEqual(env.call.state, "ended");
    env.incoming.referScript = {
      progress: [{ state: "success", status: 200 }],
      result: { outcome: "success", status: 200 },
    };
    await say(env, "operator please");
    await until(env, () => env.call.state === "ended");
    assert.equal(env.call.state, "ended");
    await env.done;
    await env.journal.flush();
    const detail = await store.getCall(env.call.id);
    assert.equal(detail?.call.outcome, "transferred");
    assert.ok(detail?.events.some((e) => e.type === "transfer"));
  });

  test("take_message stores the message with the caller's audio", async () => {
    const env = await start(agentConfig());
    env.llm.reply = (messages) =>
      messages.at(-1)?.role === "tool"
        ? {}
        : {
            text: "Saved.",
            toolCalls: [
              {
                id: "m1",
                name: "take_message",
                arguments: { name: "Ann", number: "5551234", message: "call me" },
              },
            ],
          };
    await until(env, () => env.session.playouts.length > 0);
    await say(env, "please call me");
    await until(env, () => env.tts.requests.includes("Saved."));
    await settle(env.clock, 200);
    env.incoming.peerEnds();
    await env.done;
    await env.journal.flush();
    const detail = await store.getCall(env.call.id);
    assert.equal(detail?.call.outcome, "message_taken");
    const message = detail?.messages[0];
    assert.equal(message?.text, "call me");
    assert.equal(message?.callerName, "Ann");
    assert.ok(message?.recordingPath);
    const wav = await readWavFile(message.recordingPath);
    assert.ok(wav.durationMs >= 500, `message audio ${wav.durationMs} ms`);
  });

  test("the agent's turn and vad config reach the pipeline", async () => {
    // turn.endpointSilenceMs: the caller's turn ends after 1200 ms of silence (default 500).
    const slow = await start(agentConfig({ turn: { endpointSilenceMs: 1200 } }));
    await until(slow, () => slow.session.playouts.length > 0);
    await say(slow, "what are your hours", 600, 2500);
    slow.incoming.peerEnds();
    await slow.done;
    await slow.journal.flush();
    const endpointingMs = (await store.getCall(slow.call.id))?.turns[0]?.latency.endpointingMs;
    assert.ok(
      endpointingMs !== null && endpointingMs !== undefined && endpointingMs >= 1200,
      `${endpointingMs}`,
    );

    // vad.minEnergyDb above the caller's level (about -18 dBFS): the caller is never heard.
    const deaf = await start(agentConfig({ vad: { kind: "energy", minEnergyDb: -10 } }));
    await until(deaf, () => deaf.session.playouts.length > 0);
    await say(deaf, "what are your hours", 600, 1500);
    assert.ok(!deaf.tts.requests.some((t) => t.includes("what are your hours")), "no turn was heard");
    deaf.incoming.peerEnds();
    await deaf.done;
    await deaf.journal.flush();
    assert.equal((await store.getCall(deaf.call.id))?.turns.length, 0);
  });
});
