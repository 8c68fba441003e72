import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { fakeSpeech } from "../testing/fake-engines.js";
import { type HarnessOptions, PipelineHarness } from "../testing/pipeline-harness.js";
import { heardWords } from "../turn/heard-text.js";

const longReply =
  "Our office is open from nine in the morning until five in the evening on weekdays and until noon on Saturdays.";

/** A harness whose agent answers every turn with `longReply`; the caller asks and the reply starts. */
async function replying(options: HarnessOptions = {}): Promise<PipelineHarness> {
  const h = new PipelineHarness(options);
  h.llm.reply = () => ({ text: longReply });
  h.start();
  h.say("what are your hours", 800).silence(600);
  const started = await h.runUntil(() => h.events("agent_audio_started").length > 0, 3000);
  assert.ok(started, "the reply started playing");
  return h;
}

/** Frames sent for the first reply (speech 1: no greeting in these tests). */
function responseFrames(h: PipelineHarness): number {
  return h.sink.sent.filter((s) => s.utteranceId.startsWith("speech-1-")).length;
}

describe("barge-in", () => {
  test("caller speech flushes our audio within one frame and history keeps only the heard words", async () => {
    const h = await replying();
    await h.run(1200); // part of the reply plays
    const onsetMs = h.clock.nowMs();
    h.say("wait I have a question", 1000).silence(1500);
    const flushed = await h.runUntil(() => h.sink.flushes.length > 0, 500);
    assert.ok(flushed, "sink was flushed");
    const flush = h.sink.flushes[0];
    assert.ok(flush !== undefined);
    const decisionMs = flush.atMs - onsetMs;
    console.log(`barge-in: caller onset -> flush ${decisionMs} ms, played ${flush.position.playedMs} ms`);
    assert.ok(decisionMs <= 140, `flush ${decisionMs} ms after onset (budget 150 ms)`);
    const interruptedId = flush.position.utteranceId;
    await h.run(2500);
    // Not one more frame of the interrupted utterance after the flush.
    assert.equal(h.sink.sentSince(flush.atMs + 1).filter((s) => s.utteranceId === interruptedId).length, 0);
    // The interrupted message holds exactly the words the caller heard.
    const expected = heardWords(fakeSpeech(longReply, 16000).words, flush.position.playedMs).join(" ");
    const assistant = h.pipeline.history.messages().find((m) => m.role === "assistant");
    assert.ok(assistant !== undefined && assistant.role === "assistant");
    assert.equal(assistant.interrupted, true);
    assert.equal(assistant.content, expected);
    assert.ok(expected.split(" ").length >= 3 && expected.length < longReply.length, expected);
    assert.equal(h.events("interrupt").length, 1);
    // The caller's words became the next turn.
    assert.deepEqual(
      h.events("user_turn").map((t) => t.text),
      ["what are your hours", "wait I have a question"],
    );
    assert.ok(h.pipeline.droppedFrames >= 0);
    h.stop();
  });

  test("backchannels do not interrupt: the reply resumes and is complete in the history", async () => {
    const h = await replying();
    await h.run(800);
    h.say("uh-huh", 400).silence(3000);
    await h.runUntil(() => h.pipeline.state === "listening", 12_000);
    assert.equal(h.events("interrupt").length, 0);
    assert.equal(h.events("resumed").length, 1);
    const assistant = h.pipeline.history.messages().find((m) => m.role === "assistant");
    assert.ok(assistant?.role === "assistant");
    assert.equal(assistant.content, longReply);
    assert.notEqual(assistant.interrupted, true);
    assert.equal(h.events("user_turn").length, 1, "the backchannel is not a turn");
    // Everything was played (after resuming from the cut word).
    assert.ok(responseFrames(h) >= fakeSpeech(longReply, 16000).frames.length);
    h.stop();
  });

  test("a short noise never stops the agent", async () => {
    const h = await replying();
    await h.run(600);
    h.say("", 60).silence(2000);
    await h.run(2000);
    assert.equal(h.sink.flushes.length, 0);
    assert.equal(h.events("interrupt").length, 0);
    h.stop();
  });

  test("a false interruption (sound, no words) resumes the agent", async () => {
    const h = await replying();
    await h.run(800);
    h.say("", 400).silence(3000); // a cough: loud enough to pause, but STT hears no words
    await h.runUntil(() => h.pipeline.state === "listening", 12_000);
    assert.equal(h.sink.flushes.length, 1, "paused once");
    assert.equal(h.events("resumed").length, 1);
    assert.equal(h.events("interrupt").length, 0);
    const assistant = h.pipeline.history.messages().find((m) => m.role === "assistant");
    assert.equal(assistant?.content, longReply);
    h.stop();
  });

  test("the echo of our own voice does not interrupt", async () => {
    const h = await replying({ echoGain: 0.1, echoDelayMs: 120 });
    await h.runUntil(() => h.pipeline.state === "listening", 12_000);
    assert.equal(h.sink.flushes.length, 0);
    assert.equal(h.events("caller_speech").length, 0 + 2, "only the caller's own question was heard");
    assert.equal(h.pipeline.history.messages().at(-1)?.content, longReply);
    h.stop();
  });

  test("control: without the echo gate the same echo does interrupt", async () => {
    const h = await replying({ echoGain: 0.1, echoDelayMs: 120, pipeline: { echo: { marginDb: -80 } } });
    await h.runUntil(() => h.sink.flushes.length > 0, 6000);
    assert.ok(h.sink.flushes.length > 0, "echo paused the agent when the gate is off");
    h.stop();
  });
});
