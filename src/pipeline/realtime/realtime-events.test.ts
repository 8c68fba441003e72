import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parseRealtimeEvent, sessionUpdate, truncateItem } from "./realtime-events.js";

const delta = JSON.stringify({
  type: "response.output_audio.delta",
  event_id: "e1",
  response_id: "r1",
  item_id: "i1",
  output_index: 0,
  content_index: 0,
  delta: Buffer.from([1, 0, 2, 0]).toString("base64"),
});

describe("Realtime event model", () => {
  test("GA and beta names of the audio and transcript deltas", () => {
    const ga = parseRealtimeEvent(delta);
    assert.equal(ga?.type, "audio_delta");
    assert.deepEqual(ga?.type === "audio_delta" ? [...ga.audio] : [], [1, 0, 2, 0]);
    assert.equal(parseRealtimeEvent(delta.replace("output_audio", "audio"))?.type, "audio_delta");
    assert.deepEqual(
      parseRealtimeEvent('{"type":"response.audio_transcript.delta","item_id":"i","delta":"hi"}'),
      {
        type: "transcript_delta",
        itemId: "i",
        delta: "hi",
      },
    );
    assert.deepEqual(
      parseRealtimeEvent(
        '{"type":"error","error":{"type":"invalid_request_error","code":"x","message":"m","param":null}}',
      ),
      { type: "error", errorType: "invalid_request_error", code: "x", message: "m" },
    );
    assert.equal(parseRealtimeEvent('{"type":"rate_limits.updated"}')?.type, "ignored");
    assert.equal(parseRealtimeEvent('{"type":"something.new"}'), undefined);
  });

  test("client events", () => {
    assert.deepEqual(truncateItem("i1", 340), {
      type: "conversation.item.truncate",
      item_id: "i1",
      content_index: 0,
      audio_end_ms: 340,
    });
    const beta = sessionUpdate({
      protocol: "beta",
      model: "m",
      instructions: "x",
      voice: "alloy",
      tools: [],
      language: "en",
      transcriptionModel: "whisper-1",
      turnDetection: "server_vad",
    }) as { session: Record<string, unknown> };
    assert.equal(beta.session.input_audio_format, "pcm16");
  });

  test("fuzz: 20k mutated events, zero escaped exceptions", () => {
    let seed = 11;
    const rand = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const corpus = [
      delta,
      '{"type":"response.done","response":{"id":"r","status":"cancelled"}}',
      '{"type":"response.function_call_arguments.done","call_id":"c","name":"n","arguments":"{}"}',
    ];
    let parsed = 0;
    for (let i = 0; i < 20_000; i++) {
      const chars = [...(corpus[rand(corpus.length)] ?? "")];
      for (let m = 0; m < 1 + rand(4); m++) {
        const at = rand(chars.length);
        if (rand(2) === 0) chars.splice(at, 1);
        else chars[at] = '{}[]":,0n'[rand(9)] ?? "";
      }
      if (parseRealtimeEvent(chars.join("")) !== undefined) parsed++;
    }
    assert.ok(parsed > 0 && parsed < 20_000, `parsed ${parsed}`);
  });
});
