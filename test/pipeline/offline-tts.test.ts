import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { frameEnergyDb } from "../../src/pipeline/audio/frame-energy.js";
import { EspeakTtsProvider } from "../../src/pipeline/tts/providers/espeak/espeak-tts.js";
import { FliteTtsProvider } from "../../src/pipeline/tts/providers/flite/flite-tts.js";
import type { TtsProvider } from "../../src/pipeline/tts/tts-types.js";
import { RingagentError } from "../../src/shared/index.js";

async function collect(tts: TtsProvider, text: string, sampleRateHz: number) {
  const frames = [];
  for await (const chunk of tts.synthesize({ text, sampleRateHz, signal: new AbortController().signal })) {
    frames.push(chunk.frame);
  }
  return frames;
}

describe("flite TTS", () => {
  for (const rateHz of [8000, 16000, 48000]) {
    test(`produces 20 ms frames at ${rateHz} Hz`, async () => {
      const frames = await collect(new FliteTtsProvider({ voice: "slt" }), "Thanks for calling.", rateHz);
      assert.ok(frames.length > 20 && frames.length < 200, `${frames.length} frames`);
      for (const f of frames) {
        assert.equal(f.sampleRateHz, rateHz);
        assert.equal(f.samples.length, rateHz / 50);
      }
      const loud = frames.filter((f) => frameEnergyDb(f.samples) > -40).length;
      assert.ok(loud > frames.length / 3, `${loud} voiced frames of ${frames.length}`);
    });
  }

  test("kal16 voice and a leading dash", async () => {
    const frames = await collect(new FliteTtsProvider({ voice: "kal16" }), "-5 degrees today.", 16000);
    assert.ok(frames.length > 10);
  });

  test("a missing binary is a typed error naming the fix", async () => {
    const tts = new FliteTtsProvider({ command: "/nonexistent/flite" });
    await assert.rejects(collect(tts, "hello", 16000), (error: unknown) => {
      assert.ok(error instanceof RingagentError);
      assert.equal(error.code, "tts_engine_missing");
      assert.match(error.message, /apt-get install flite/);
      return true;
    });
  });

  test("abort kills the synthesis", async () => {
    const abort = new AbortController();
    const tts = new FliteTtsProvider();
    const pending = (async () => {
      for await (const _ of tts.synthesize({
        text: "a long sentence ".repeat(40),
        sampleRateHz: 16000,
        signal: abort.signal,
      })) {
        // drain
      }
    })();
    abort.abort(new RingagentError("aborted", "stop"));
    await assert.rejects(pending, (e: unknown) => e instanceof RingagentError && e.code === "aborted");
  });
});

describe("espeak-ng TTS", () => {
  test("Russian at 16 kHz (espeak writes 22 050 Hz)", async () => {
    const frames = await collect(
      new EspeakTtsProvider({ voice: "ru" }),
      "Здравствуйте, чем могу помочь?",
      16000,
    );
    assert.ok(frames.length > 30, `${frames.length} frames`);
    for (const f of frames) assert.equal(f.samples.length, 320);
    const loud = frames.filter((f) => frameEnergyDb(f.samples) > -40).length;
    assert.ok(loud > frames.length / 3);
  });
});
