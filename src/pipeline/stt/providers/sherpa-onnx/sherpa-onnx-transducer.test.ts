import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { AudioFrame } from "../../../../media/index.js";
import { tinyCtcWords } from "../../../testing/tiny-sherpa-model.js";
import {
  writeTinyOfflineTransducer,
  writeTinyStreamingTransducer,
} from "../../../testing/tiny-sherpa-transducer.js";
import { resultsUntilFinal, toneFrames } from "../../../testing/tone-frames.js";
import { SherpaOnnxSttProvider } from "./sherpa-onnx-stt.js";

const root = mkdtempSync(join(tmpdir(), "ringagent-sherpa-transducer-"));
after(() => rmSync(root, { recursive: true, force: true }));
const modelDir = writeTinyStreamingTransducer(join(root, "tiny-transducer"));

const low = (rate: number) => toneFrames(rate, tinyCtcWords.lowToneHz, 300);
const high = (rate: number) => toneFrames(rate, tinyCtcWords.highToneHz, 300);
const gap = (rate: number) => toneFrames(rate, 0, 300);

describe("sherpa-onnx STT with a streaming transducer made by the test", () => {
  const provider = new SherpaOnnxSttProvider({ modelDir });
  after(() => provider.close());
  const open = (sampleRateHz: number) =>
    provider.open({ sampleRateHz, language: "en-US", signal: new AbortController().signal });

  test("detects a streaming transducer (encoder/decoder/joiner, streaming metadata)", () => {
    assert.equal(provider.model.type, "online-transducer");
    assert.equal(provider.model.streaming, true);
  });

  for (const rate of [16_000, 8000]) {
    test(`${rate} Hz: partials while speaking, one final per utterance`, async () => {
      const stream = open(rate);
      for (const f of [...low(rate), ...gap(rate), ...high(rate), ...gap(rate), ...low(rate)])
        stream.write(f);
      stream.finalize();
      for (const f of [...gap(rate), ...high(rate)]) stream.write(f);
      stream.finalize();
      const results = await resultsUntilFinal(stream, 2);
      stream.close();
      assert.deepEqual(
        results.filter((r) => r.final),
        [
          { text: "yes no yes", final: true },
          { text: "no", final: true },
        ],
      );
      const partials = results.filter((r) => !r.final).map((r) => r.text);
      assert.ok(partials.includes("yes no"), `partials: ${partials.join(" | ")}`);
    });
  }

  test("two calls at once keep their own decoder state", async () => {
    const a = open(16_000);
    const b = open(8000);
    const [la, hb] = [
      [...low(16_000), ...high(16_000)],
      [...high(8000), ...low(8000)],
    ];
    for (let i = 0; i < la.length; i++) {
      a.write(la[i] as AudioFrame);
      b.write(hb[i] as AudioFrame);
    }
    a.finalize();
    b.finalize();
    const [ra, rb] = await Promise.all([resultsUntilFinal(a, 1), resultsUntilFinal(b, 1)]);
    a.close();
    b.close();
    assert.deepEqual([ra.at(-1)?.text, rb.at(-1)?.text], ["yes no", "no yes"]);
  });
});

describe("sherpa-onnx STT with an offline transducer made by the test", () => {
  const provider = new SherpaOnnxSttProvider({ modelDir: writeTinyOfflineTransducer(join(root, "offline")) });
  after(() => provider.close());

  test("detected as offline; each utterance decoded at finalize(), 8 and 16 kHz", async () => {
    assert.equal(provider.model.type, "offline-transducer");
    for (const rate of [8000, 16_000]) {
      const stream = provider.open({
        sampleRateHz: rate,
        language: "en-US",
        signal: new AbortController().signal,
      });
      for (const f of [...low(rate), ...gap(rate), ...high(rate), ...gap(rate), ...low(rate)])
        stream.write(f);
      stream.finalize();
      for (const f of high(rate)) stream.write(f);
      stream.finalize();
      assert.deepEqual(await resultsUntilFinal(stream, 2), [
        { text: "yes no yes", final: true },
        { text: "no", final: true },
      ]);
      stream.close();
    }
  });
});
