import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { configSchema } from "../../config/index.js";
import {
  FakeLlmProvider,
  FakeSttProvider,
  FakeTtsProvider,
  type LlmEvent,
  type LlmProvider,
  voicedFrame,
} from "../../pipeline/index.js";
import { silentLogger, systemClock } from "../../shared/index.js";
import type { ConversationAgentConfig, ProviderFactory } from "../conversation/agent-ports.js";
import { EngineActivity } from "./engine-activity.js";
import { ScriptedSttProvider } from "./scripted-stt.js";
import { runSimulation } from "./simulation-runner.js";

function agentConfig(extra: Record<string, unknown> = {}): ConversationAgentConfig {
  const config = configSchema.parse({
    lines: [{ name: "dev", kind: "local", agent: "reception" }],
    agents: {
      reception: {
        kind: "conversation",
        greeting: "Hi there.",
        tools: ["transfer", "end_call"],
        transferTargets: { operator: "sip:operator@pbx.example" },
        ...extra,
      },
    },
  });
  const agent = config.agents.reception;
  assert.ok(agent?.kind === "conversation");
  return agent;
}

function fakeProviders(llm: FakeLlmProvider): ProviderFactory {
  const tts = new FakeTtsProvider(systemClock);
  const stt = new FakeSttProvider(systemClock);
  return { shared: () => ({ stt, tts }), llm: () => llm };
}

describe("runSimulation (fake engines, virtual clock)", () => {
  test("text mode: each line is one caller turn; replies, latency and time-aligned agent audio", async () => {
    const llm = new FakeLlmProvider(systemClock);
    const result = await runSimulation({
      agentName: "reception",
      config: agentConfig(),
      providers: fakeProviders(llm),
      input: { kind: "text", lines: ["what are your hours", "thanks"] },
      pacing: "virtual",
      logger: silentLogger(),
    });
    assert.deepEqual(result.greeting, ["Hi there."]);
    assert.deepEqual(
      result.turns.map((t) => [t.callerText, t.agentText.join(" ")]),
      [
        ["what are your hours", "You said what are your hours."],
        ["thanks", "You said thanks."],
      ],
    );
    for (const turn of result.turns) {
      assert.ok(
        turn.voiceToVoiceMs !== undefined && turn.voiceToVoiceMs >= 500,
        `v2v ${turn.voiceToVoiceMs}`,
      );
      assert.ok(turn.metrics !== undefined);
    }
    assert.equal(result.end.reason, "caller_hangup", "the input ran out");
    assert.equal(result.agentAudio.length, result.callerAudio.length);
    assert.equal(result.agentAudio.length, (result.durationMs * result.sampleRateHz) / 1000);
    // The greeting plays at once; no agent audio while the caller speaks (text mode waits for idle).
    const voicedAt = (track: Int16Array, ms: number): boolean => {
      const at = (ms * 16_000) / 1000;
      return track.subarray(at, at + 320).some((s) => Math.abs(s) > 1000);
    };
    const callerSpeechMs: number[] = [];
    for (let ms = 0; ms < result.durationMs; ms += 20)
      if (voicedAt(result.callerAudio, ms)) callerSpeechMs.push(ms);
    assert.ok(callerSpeechMs.length > 0);
    for (const ms of callerSpeechMs) assert.ok(!voicedAt(result.agentAudio, ms), `both speak at ${ms} ms`);
    const firstCaller = callerSpeechMs[0] ?? 0;
    const agentBefore = [...Array(firstCaller / 20).keys()].some((i) => voicedAt(result.agentAudio, i * 20));
    assert.ok(agentBefore, "the greeting is in the agent track before the caller speaks");
  });

  test("text mode with a silero agent: the stand-in tone is heard (energy VAD, the agent's windows)", async () => {
    const result = await runSimulation({
      agentName: "reception",
      config: agentConfig({ vad: { kind: "silero", startWindowMs: 40 } }),
      providers: fakeProviders(new FakeLlmProvider(systemClock)),
      input: { kind: "text", lines: ["what are your hours"] },
      pacing: "virtual",
      logger: silentLogger(),
    });
    assert.deepEqual(
      result.turns.map((t) => t.callerText),
      ["what are your hours"],
    );
  });

  test("a transfer tool call is simulated and ends the conversation after the reply", async () => {
    const llm = new FakeLlmProvider(systemClock);
    llm.reply = (_messages, index) =>
      index === 0
        ? {
            text: "Transferring you.",
            toolCalls: [{ id: "t1", name: "transfer", arguments: { to: "operator" } }],
          }
        : { text: "" };
    const result = await runSimulation({
      agentName: "reception",
      config: agentConfig(),
      providers: fakeProviders(llm),
      input: { kind: "text", lines: ["operator please", "never said"] },
      pacing: "virtual",
      logger: silentLogger(),
    });
    assert.deepEqual(result.tools, [
      {
        name: "transfer",
        arguments: { to: "operator" },
        outcome: "transferred to sip:operator@pbx.example (simulated)",
      },
    ]);
    assert.equal(result.end.reason, "tool");
    assert.equal(result.turns.length, 1, "the second line is never said");
  });

  test("audio mode: caller frames at the pipeline rate drive the real STT path", async () => {
    const llm = new FakeLlmProvider(systemClock);
    const providers = fakeProviders(llm);
    const stt = providers.shared(agentConfig()).stt;
    assert.ok(stt instanceof FakeSttProvider);
    stt.expect("hello");
    const frames = [];
    for (let i = 0; i < 150; i++) frames.push(voicedFrame(16_000, i, i < 50 ? -90 : i < 100 ? -18 : -90));
    const result = await runSimulation({
      agentName: "reception",
      config: agentConfig(),
      providers,
      input: { kind: "audio", frames },
      pacing: "virtual",
      logger: silentLogger(),
    });
    assert.deepEqual(
      result.turns.map((t) => [t.callerText, t.agentText.join(" ")]),
      [["hello", "You said hello."]],
    );
    assert.ok(result.durationMs > 3000, "silence is fed after the WAV until the agent is done");
  });
});

describe("ScriptedSttProvider", () => {
  test("a segment is recognized as the next line; a click (< 100 ms) as nothing", async () => {
    const stt = new ScriptedSttProvider();
    stt.expect("first");
    const abort = new AbortController();
    const stream = stt.open({ sampleRateHz: 16_000, language: "en-US", signal: abort.signal });
    stream.write(voicedFrame(16_000, 0));
    stream.finalize(); // 20 ms: a click
    for (let i = 0; i < 10; i++) stream.write(voicedFrame(16_000, i));
    stream.finalize();
    stream.close();
    const results = [];
    for await (const r of stream.results()) results.push(r);
    assert.deepEqual(results, [
      { text: "", final: true },
      { text: "first", final: true },
    ]);
  });
});

describe("EngineActivity", () => {
  test("busy while the pipeline waits on an engine's next item, idle otherwise", async () => {
    const activity = new EngineActivity();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const inner: LlmProvider = {
      name: "slow",
      async *stream(): AsyncIterable<LlmEvent> {
        await gate;
        yield { kind: "text", text: "ok" };
      },
    };
    const wrapped = activity.llm(inner);
    const iterator = wrapped
      .stream({ messages: [], tools: [], signal: new AbortController().signal })
      [Symbol.asyncIterator]();
    assert.equal(activity.busy, false);
    const first = iterator.next();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(activity.busy, true);
    release();
    assert.deepEqual((await first).value, { kind: "text", text: "ok" });
    assert.equal(activity.busy, false);
    assert.equal((await iterator.next()).done, true);
    assert.equal(activity.busy, false);
  });
});
