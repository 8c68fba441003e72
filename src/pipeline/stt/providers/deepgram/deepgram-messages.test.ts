import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { deepgramLanguage, deepgramListenUrl, parseDeepgramMessage } from "./deepgram-messages.js";

const results = JSON.stringify({
  type: "Results",
  channel_index: [0, 1],
  duration: 1.2,
  start: 0,
  is_final: true,
  speech_final: false,
  from_finalize: true,
  channel: { alternatives: [{ transcript: "hello there", confidence: 0.99, words: [] }] },
  metadata: { request_id: "r1" },
});

describe("Deepgram message model", () => {
  test("parses Results, Metadata, UtteranceEnd and Error", () => {
    assert.deepEqual(parseDeepgramMessage(results), {
      type: "Results",
      transcript: "hello there",
      isFinal: true,
      speechFinal: false,
      fromFinalize: true,
    });
    assert.deepEqual(parseDeepgramMessage('{"type":"Metadata","request_id":"abc"}'), {
      type: "Metadata",
      requestId: "abc",
    });
    assert.deepEqual(parseDeepgramMessage('{"type":"UtteranceEnd","channel":[0,1],"last_word_end":2.1}'), {
      type: "UtteranceEnd",
    });
    assert.deepEqual(parseDeepgramMessage('{"type":"Error","description":"bad"}'), {
      type: "Error",
      description: "bad",
    });
    assert.equal(parseDeepgramMessage('{"type":"Results","channel":{}}'), undefined);
    assert.equal(parseDeepgramMessage("not json"), undefined);
  });

  test("fuzz: 20k mutated messages, zero escaped exceptions", () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed % n;
    };
    const corpus = [results, '{"type":"Metadata","request_id":"abc"}', '{"type":"UtteranceEnd"}'];
    let parsed = 0;
    for (let i = 0; i < 20_000; i++) {
      const chars = [...(corpus[rand(corpus.length)] ?? "")];
      for (let m = 0; m < 1 + rand(4); m++) {
        const at = rand(chars.length);
        const op = rand(3);
        if (op === 0) chars.splice(at, 1);
        else if (op === 1) chars.splice(at, 0, String.fromCharCode(rand(128)));
        else chars[at] = '{}[]":,0n'[rand(9)] ?? "";
      }
      if (parseDeepgramMessage(chars.join("")) !== undefined) parsed++;
    }
    assert.ok(parsed > 0 && parsed < 20_000);
  });

  test("language codes and the listen URL", () => {
    assert.equal(deepgramLanguage("ru-RU"), "ru");
    assert.equal(deepgramLanguage("en-GB"), "en-GB");
    const url = deepgramListenUrl("wss://api.deepgram.com", {
      model: "nova-3",
      language: "ru",
      sampleRateHz: 8000,
      interimResults: false,
      endpointingMs: false,
      utteranceEndMs: 1000,
      smartFormat: false,
    });
    assert.equal(
      url.toString(),
      "wss://api.deepgram.com/v1/listen?model=nova-3&language=ru&encoding=linear16&sample_rate=8000&channels=1&interim_results=false&endpointing=false&smart_format=false",
    );
  });
});
