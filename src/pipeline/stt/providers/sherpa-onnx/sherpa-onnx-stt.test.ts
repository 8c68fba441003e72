import assert from "node:assert/strict";
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { AudioFrame } from "../../../../media/index.js";
import { RingagentError } from "../../../../shared/index.js";
import { tinyCtcWords, writeTinyCtcModel } from "../../../testing/tiny-sherpa-model.js";
import { resultsUntilFinal, toneFrames } from "../../../testing/tone-frames.js";
import { SherpaOnnxSttProvider, sharedSherpaOnnxSttProvider } from "./sherpa-onnx-stt.js";

const root = mkdtempSync(join(tmpdir(), "ringagent-sherpa-"));
after(() => rmSync(root, { recursive: true, force: true }));
const modelDir = writeTinyCtcModel(join(root, "tiny"));

const low = (rate: number, ms = 300) => toneFrames(rate, tinyCtcWords.lowToneHz, ms);
const high = (rate: number, ms = 300) => toneFrames(rate, tinyCtcWords.highToneHz, ms);
const gap = (rate: number, ms = 200) => toneFrames(rate, 0, ms);

function open(provider: SherpaOnnxSttProvider, sampleRateHz = 16_000, signal = new AbortController().signal) {
  return provider.open({ sampleRateHz, language: "en-US", signal });
}

describe("sherpa-onnx STT with a model made by the test", () => {
  const provider = new SherpaOnnxSttProvider({ modelDir });
  after(() => provider.close());

  test("detects an offline NeMo CTC model and loads it", () => {
    assert.equal(provider.model.type, "offline-nemo-ctc");
    assert.equal(provider.model.streaming, false);
  });

  test("16 kHz: tones in, words out as one final result per utterance", async () => {
    const stream = open(provider);
    for (const f of [
      ...gap(16_000),
      ...low(16_000),
      ...gap(16_000),
      ...high(16_000),
      ...gap(16_000),
      ...low(16_000),
    ])
      stream.write(f);
    stream.finalize();
    for (const f of [...high(16_000), ...gap(16_000)]) stream.write(f);
    stream.finalize();
    stream.finalize(); // nothing said: an empty final
    const results = await resultsUntilFinal(stream, 3);
    stream.close();
    assert.deepEqual(results, [
      { text: "yes no yes", final: true },
      { text: "no", final: true },
      { text: "", final: true },
    ]);
  });

  test("8 kHz telephone audio is resampled to the model's 16 kHz", async () => {
    const stream = open(provider, 8000);
    for (const f of [...low(8000), ...gap(8000), ...high(8000)]) stream.write(f);
    stream.finalize();
    const results = await resultsUntilFinal(stream, 1);
    stream.close();
    assert.deepEqual(results, [{ text: "yes no", final: true }]);
  });

  test("silence and faint sound give an empty final", async () => {
    const stream = open(provider);
    for (const f of [...gap(16_000, 400), ...toneFrames(16_000, 440, 300, 0.0005)]) stream.write(f);
    stream.finalize();
    assert.deepEqual(await resultsUntilFinal(stream, 1), [{ text: "", final: true }]);
    stream.close();
  });

  test("partialEveryMs re-decodes the utterance so far: partials, then the final", async () => {
    const partial = new SherpaOnnxSttProvider({ modelDir, partialEveryMs: 200, probe: false });
    const stream = open(partial);
    for (const f of [...low(16_000), ...gap(16_000)]) stream.write(f);
    // Let the queued partial decode finish before more audio arrives.
    const first = await stream.results()[Symbol.asyncIterator]().next();
    assert.deepEqual(first.value, { text: "yes", final: false });
    for (const f of [...high(16_000), ...gap(16_000)]) stream.write(f);
    stream.finalize();
    const rest = await resultsUntilFinal(stream, 1);
    stream.close();
    partial.close();
    assert.deepEqual(rest.at(-1), { text: "yes no", final: true });
    for (const r of rest.slice(0, -1)) assert.equal(r.final, false);
  });

  test("calls decode at the same time on the one shared recognizer", async () => {
    const a = open(provider);
    const b = open(provider, 8000);
    for (const f of low(16_000)) a.write(f);
    for (const f of high(8000)) b.write(f);
    a.finalize();
    b.finalize();
    const [ra, rb] = await Promise.all([resultsUntilFinal(a, 1), resultsUntilFinal(b, 1)]);
    a.close();
    b.close();
    assert.deepEqual([ra, rb], [[{ text: "yes", final: true }], [{ text: "no", final: true }]]);
  });

  test("close() ends results at once and drops a pending decode; later calls are ignored", async () => {
    const stream = open(provider);
    for (const f of low(16_000)) stream.write(f);
    stream.finalize();
    stream.close();
    stream.write(low(16_000)[0] as AudioFrame);
    stream.finalize();
    stream.close();
    assert.deepEqual(await resultsUntilFinal(stream, 1), []);
  });

  test("an aborted call closes its stream", async () => {
    const controller = new AbortController();
    const stream = open(provider, 16_000, controller.signal);
    for (const f of low(16_000)) stream.write(f);
    const results = resultsUntilFinal(stream, 1);
    controller.abort();
    assert.deepEqual(await results, []);
    const already = open(provider, 16_000, AbortSignal.abort());
    assert.deepEqual(await resultsUntilFinal(already, 1), []);
  });

  test("a rate the resampler does not serve is a typed error at open()", () => {
    assert.throws(
      () => open(provider, 44_100),
      (e: unknown) => e instanceof RingagentError && e.code === "stt_sherpa_rate_unsupported",
    );
  });

  test("one loaded model per distinct options", () => {
    const a = sharedSherpaOnnxSttProvider({ modelDir, probe: false });
    assert.equal(sharedSherpaOnnxSttProvider({ modelDir, probe: false }), a);
    const b = sharedSherpaOnnxSttProvider({ modelDir, numThreads: 2, probe: false });
    assert.notEqual(b, a);
    a.close();
    b.close();
  });
});

describe("sherpa-onnx model folder errors (at construction, with the fix)", () => {
  function rejects(
    modelDirPath: string,
    pattern: RegExp,
    extra: { modelType?: "online-zipformer2-ctc" } = {},
  ) {
    assert.throws(
      () => new SherpaOnnxSttProvider({ modelDir: modelDirPath, ...extra }),
      (error: unknown) => {
        assert.ok(error instanceof RingagentError);
        assert.equal(error.code, "stt_sherpa_model_invalid");
        assert.equal(error.retryable, false);
        assert.match(error.message, pattern);
        assert.match(error.message, /stt\.model(Dir|Type)/);
        return true;
      },
    );
  }

  test("missing folder", () => rejects(join(root, "nope"), /not found/));

  test("no tokens.txt", () => {
    const dir = writeTinyCtcModel(join(root, "no-tokens"));
    unlinkSync(join(dir, "tokens.txt"));
    rejects(dir, /tokens\.txt is missing/);
  });

  test("no model file", () => {
    const dir = join(root, "no-model");
    writeTinyCtcModel(dir);
    unlinkSync(join(dir, "model.onnx"));
    rejects(dir, /no \.onnx model file/);
  });

  test("an incomplete transducer", () => {
    const dir = writeTinyCtcModel(join(root, "half-transducer"));
    writeFileSync(join(dir, "encoder.onnx"), "");
    rejects(dir, /encoder\*\.onnx, decoder\*\.onnx and joiner\*\.onnx/);
  });

  test("a file that is not ONNX", () => {
    const dir = writeTinyCtcModel(join(root, "garbage"));
    writeFileSync(join(dir, "model.onnx"), Buffer.from([0x0a, 0xff, 0xff, 0x03, 0x01]));
    rejects(dir, /not a valid ONNX model/);
  });

  test("metadata sherpa-onnx needs is missing (it would end the process)", () => {
    rejects(
      writeTinyCtcModel(join(root, "no-subsampling"), { omitMetadata: "subsampling_factor" }),
      /model type/,
    );
  });

  test("the wrong model type: the child check reports sherpa-onnx's own error, this process lives", () => {
    rejects(modelDir, /could not load the online-zipformer2-ctc model.*does not exist in the metadata/, {
      modelType: "online-zipformer2-ctc",
    });
  });
});
