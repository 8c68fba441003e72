import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { RingagentError } from "../../shared/index.js";
import { fakeSpeech } from "../testing/fake-engines.js";
import { PipelineHarness } from "../testing/pipeline-harness.js";

describe("conversation pipeline: turns", () => {
  test("greeting plays, then a caller turn gets a reply after endpointing", async () => {
    const h = new PipelineHarness({ pipeline: { greeting: "Hello there." } });
    h.start();
    await h.run(1500);
    assert.ok(h.sink.sent.length > 0, "greeting audio was sent");
    assert.equal(h.pipeline.state, "listening");
    h.say("what are your hours", 800).silence(2000);
    await h.run(3000);
    const turns = h.events("user_turn");
    assert.equal(turns.length, 1);
    assert.equal(turns[0]?.text, "what are your hours");
    const messages = h.pipeline.history.messages();
    assert.deepEqual(
      messages.map((m) => [m.role, m.content]),
      [
        ["assistant", "Hello there."],
        ["user", "what are your hours"],
        ["assistant", "You said what are your hours."],
      ],
    );
    const metrics = h.events("turn_metrics");
    assert.equal(metrics.length, 1);
    assert.ok((metrics[0]?.endpointingMs ?? 0) >= 500, `endpointing ${metrics[0]?.endpointingMs}`);
    h.stop();
  });
});

describe("conversation pipeline: endings", () => {
  test("ordered end: the goodbye plays to the last frame, even if the caller talks over it", async () => {
    const h = new PipelineHarness();
    h.llm.reply = (_messages, index) =>
      index === 0
        ? { text: "Thanks for calling, goodbye!", toolCalls: [{ id: "c1", name: "end_call", arguments: {} }] }
        : { text: "" };
    h.start();
    h.say("bye", 600).silence(400);
    await h.runUntil(() => h.events("agent_audio_started").length > 0, 3000);
    h.say("ok thanks bye", 700).silence(3000);
    await h.runUntil(() => h.ended !== undefined, 6000);
    assert.deepEqual(h.ended, { reason: "tool", fallbackAction: undefined });
    assert.equal(h.sink.flushes.length, 0, "never cut off");
    const goodbyeFrames = fakeSpeech("Thanks for calling, goodbye!", 16000).frames.length;
    assert.equal(h.sink.sent.length, goodbyeFrames);
    assert.equal(h.llm.requests.length, 1, "no LLM round after end_call");
    assert.deepEqual(
      h.pipeline.history.messages().map((m) => m.role),
      ["user", "assistant", "tool"],
    );
    h.stop();
  });

  test("end(goodbye) from the agent layer waits for playout; cancel stops at once", async () => {
    const h = new PipelineHarness({ pipeline: { greeting: "Hello, this is a long greeting for you." } });
    h.start();
    await h.run(200);
    h.pipeline.end("agent_ended", "Goodbye now.");
    await h.runUntil(() => h.ended !== undefined, 8000);
    assert.equal(h.ended?.reason, "agent_ended");
    const frames =
      fakeSpeech("Hello, this is a long greeting for you.", 16000).frames.length +
      fakeSpeech("Goodbye now.", 16000).frames.length;
    assert.equal(h.sink.sent.length, frames);

    const c = new PipelineHarness({ pipeline: { greeting: "Hello, this is a long greeting for you." } });
    c.start();
    await c.run(400);
    c.callAudio.hangUp();
    await c.run(40);
    assert.equal(c.ended?.reason, "caller_hangup");
    const sentAtHangup = c.sink.sent.length;
    await c.run(1000);
    assert.equal(c.sink.sent.length, sentAtHangup, "nothing more is sent after the hang-up");
    h.stop();
    c.stop();
  });
});

describe("conversation pipeline: agent behaviour", () => {
  test("idle re-prompt after caller silence, then a goodbye", async () => {
    const h = new PipelineHarness({ pipeline: { turn: { idleRepromptMs: 2000, maxReprompts: 1 } } });
    h.start();
    await h.runUntil(() => h.ended !== undefined, 10_000);
    const said = h.events("agent_text").map((e) => [e.kind, e.text]);
    assert.deepEqual(said, [
      ["prompt", "Are you still there?"],
      ["goodbye", "I'll let you go now. Goodbye."],
    ]);
    assert.equal(h.ended?.reason, "caller_idle");
    h.stop();
  });

  test("a slow LLM gets a filler, so dead air stays under 3 s", async () => {
    const h = new PipelineHarness({ pipeline: { behaviour: { fillerAfterMs: 1000 } } });
    h.llm.reply = () => ({ text: "Here is the answer.", firstTokenDelayMs: 3500 });
    h.start();
    h.say("a hard question", 800).silence(6000);
    await h.runUntil(() => h.pipeline.state === "listening" && h.events("user_turn").length === 1, 10_000);
    await h.runUntil(() => h.pipeline.state === "listening" && h.sink.sent.length > 100, 10_000);
    const kinds = h.events("agent_text").map((e) => e.kind);
    assert.ok(kinds.filter((k) => k === "filler").length >= 1, `said: ${kinds.join(",")}`);
    assert.equal(kinds.at(-1), "response");
    // Dead air between end of turn and the answer, measured on what left the sink.
    const endOfTurnAt = h.log.find((e) => e.name === "user_turn")?.atMs ?? 0;
    let last = endOfTurnAt;
    let maxGap = 0;
    for (const s of h.sink.sent) {
      if (s.atMs < endOfTurnAt) continue;
      maxGap = Math.max(maxGap, s.atMs - last);
      last = s.atMs;
    }
    console.log(`slow LLM: longest dead air ${maxGap} ms`);
    assert.ok(maxGap < 3000, `dead air ${maxGap} ms`);
    assert.equal(h.pipeline.history.messages().at(-1)?.content, "Here is the answer.");
    h.stop();
  });

  test("an LLM failure: apology, fallback action, ordered end", async () => {
    const h = new PipelineHarness({ pipeline: { behaviour: { fallbackAction: "transfer" } } });
    h.llm.reply = () => ({ error: new RingagentError("llm_down", "down", { retryable: false }) });
    h.start();
    h.say("hello", 600).silence(3000);
    await h.runUntil(() => h.ended !== undefined, 8000);
    assert.deepEqual(h.ended, { reason: "engine_failure", fallbackAction: "transfer" });
    assert.deepEqual(h.events("engine_error"), [{ engine: "llm", code: "llm_down" }]);
    const apology = fakeSpeech("I'm sorry, I'm having trouble right now.", 16000).frames.length;
    assert.equal(h.sink.sent.length, apology, "the apology played in full");
    h.stop();
  });

  test("a retryable LLM error is retried once and the reply plays", async () => {
    const h = new PipelineHarness();
    h.llm.reply = (_m, index) =>
      index === 0
        ? { error: new RingagentError("llm_busy", "busy", { retryable: true }) }
        : { text: "Fine." };
    h.start();
    h.say("hello", 600).silence(2000);
    await h.runUntil(() => h.events("turn_metrics").length > 0, 4000);
    assert.equal(h.llm.requests.length, 2);
    assert.equal(h.events("engine_error").length, 0);
    assert.equal(h.pipeline.history.messages().at(-1)?.content, "Fine.");
    h.stop();
  });

  test("a TTS failure mid-call: the prepared apology still plays", async () => {
    const h = new PipelineHarness();
    h.tts.failWhen = (text) => text.startsWith("You said");
    h.start();
    h.say("hello", 600).silence(3000);
    await h.runUntil(() => h.ended !== undefined, 8000);
    assert.equal(h.ended?.reason, "engine_failure");
    assert.deepEqual(h.events("engine_error"), [{ engine: "tts", code: "fake_tts_failed" }]);
    assert.ok(h.sink.sent.length > 0, "apology audio");
    h.stop();
  });

  test("an STT failure ends the call politely", async () => {
    const h = new PipelineHarness();
    h.start();
    await h.run(200);
    h.stt.failWith = new RingagentError("stt_down", "down", { retryable: false });
    h.say("hello", 600).silence(3000);
    await h.runUntil(() => h.ended !== undefined, 8000);
    assert.equal(h.ended?.reason, "engine_failure");
    assert.equal(h.ended?.fallbackAction, "take_message");
    h.stop();
  });

  test("the caller may speak only so long before the agent acknowledges", async () => {
    const h = new PipelineHarness({ pipeline: { turn: { maxCallerSpeechMs: 3000 } } });
    h.start();
    h.say("and another thing and another thing", 8000);
    await h.runUntil(() => h.events("user_turn").length > 0, 5000);
    const turn = h.events("user_turn")[0];
    assert.equal(turn?.reason, "max_speech");
    assert.equal(turn?.text, "and another thing and another thing");
    h.stop();
  });

  test("tool calls run through the handler after the words before them have played", async () => {
    const order: string[] = [];
    const h = new PipelineHarness({
      pipeline: {
        toolHandler: async (call, context) => {
          order.push(`tool ${call.name} called`);
          await context.afterPlayout();
          order.push(`tool ${call.name} after playout`);
          return { content: "transferred", endCall: true };
        },
      },
    });
    h.llm.reply = () => ({
      text: "Let me transfer you.",
      toolCalls: [{ id: "t1", name: "transfer", arguments: { to: "operator" } }],
    });
    h.pipeline.events.on("agent_audio_started", () => order.push("audio started"));
    h.start();
    h.say("operator please", 700).silence(3000);
    await h.runUntil(() => h.ended !== undefined, 8000);
    assert.deepEqual(order, ["tool transfer called", "audio started", "tool transfer after playout"]);
    assert.equal(h.ended?.reason, "tool");
    const toolMessage = h.pipeline.history.messages().find((m) => m.role === "tool");
    assert.deepEqual(toolMessage, {
      role: "tool",
      toolCallId: "t1",
      name: "transfer",
      content: "transferred",
    });
    h.stop();
  });
});
