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
import type { SttResult, SttStream } from "../../stt-types.js";
import { SherpaOnnxSttProvider } from "./sherpa-onnx-stt.js";

const root = mkdtempSync(join(tmpdir(), "ringagent-sherpa-transducer-"));
after(() => rmSync(root, { recursive: true, force: true }));
const modelDir = writeTinyStreamingTransducer(join(root, "tiny-transducer"));

function frames(sampleRateHz: number, hz: number, ms: number): AudioFrame[] {
  const per = sampleRateHz / 50;
  return Array.from({ length: ms / 20 }, (_, f) => {
    const samples = new Int16Array(per);
    for (let i = 0; i < per; i++) {
      samples[i] =
        hz === 0 ? 0 : Math.round(0.3 * 32767 * Math.sin((2 * Math.PI * hz * (f * per + i)) / sampleRateHz));
    }
    return { samples, sampleRateHz };
  });
}
const low = (rate: number) => frames(rate, tinyCtcWords.lowToneHz, 300);
const high = (rate: number) => frames(rate, tinyCtcWords.highToneHz, 300);
const gap = (rate: number) => frames(rate, 0, 300);

async function collect(stream: SttStream, count: number): Promise<SttResult[]> {
  const out: SttResult[] = [];
  for await (const r of stream.results()) {
    out.push(r);
    if (out.filter((x) => x.final).length === count) break;
  }
  return out;
}

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
      const results = await collect(stream, 2);
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
    const [ra, rb] = await Promise.all([collect(a, 1), collect(b, 1)]);
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
      assert.deepEqual(await collect(stream, 2), [
        { text: "yes no yes", final: true },
        { text: "no", final: true },
      ]);
      stream.close();
    }
  });
});
