import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import type { AudioFrame } from "../../../../media/index.js";
import { RingagentError } from "../../../../shared/index.js";
import { tinyCtcWords, writeTinyStreamingCtcModel } from "../../../testing/tiny-sherpa-model.js";
import { resultsUntilFinal, toneFrames } from "../../../testing/tone-frames.js";
import { SherpaOnnxSttProvider } from "./sherpa-onnx-stt.js";

const root = mkdtempSync(join(tmpdir(), "ringagent-sherpa-streaming-"));
after(() => rmSync(root, { recursive: true, force: true }));
const modelDir = writeTinyStreamingCtcModel(join(root, "tiny-streaming"));

const low = (rate: number) => toneFrames(rate, tinyCtcWords.lowToneHz, 300);
const high = (rate: number) => toneFrames(rate, tinyCtcWords.highToneHz, 300);
const gap = (rate: number) => toneFrames(rate, 0, 300);

describe("sherpa-onnx STT with a streaming model made by the test", () => {
  const provider = new SherpaOnnxSttProvider({ modelDir });
  after(() => provider.close());
  const open = (sampleRateHz = 16_000, signal = new AbortController().signal) =>
    provider.open({ sampleRateHz, language: "en-US", signal });

  test("detects a streaming zipformer2 CTC model", () => {
    assert.equal(provider.model.type, "online-zipformer2-ctc");
    assert.equal(provider.model.streaming, true);
  });

  test("partials while the caller speaks, the final at finalize(), a fresh stream for the next utterance", async () => {
    const stream = open();
    for (const f of [...low(16_000), ...gap(16_000)]) stream.write(f);
    const iterator = stream.results()[Symbol.asyncIterator]();
    assert.deepEqual((await iterator.next()).value, { text: "yes", final: false }); // before finalize()
    for (const f of [...high(16_000), ...gap(16_000), ...low(16_000)]) stream.write(f);
    stream.finalize();
    for (const f of high(16_000)) stream.write(f);
    stream.finalize();
    stream.finalize();
    const rest = await resultsUntilFinal(stream, 3);
    stream.close();
    assert.deepEqual(
      rest.filter((r) => r.final),
      [
        { text: "yes no yes", final: true },
        { text: "no", final: true },
        { text: "", final: true },
      ],
    );
    const partials = rest.filter((r) => !r.final).map((r) => r.text);
    assert.ok(partials.includes("yes no"), `partials: ${partials.join(" | ")}`);
    for (const p of partials) assert.ok("yes no yes".startsWith(p) || p === "no", p);
  });

  test("8 kHz telephone audio", async () => {
    const stream = open(8000);
    for (const f of [...low(8000), ...gap(8000), ...high(8000)]) stream.write(f);
    stream.finalize();
    const results = await resultsUntilFinal(stream, 1);
    stream.close();
    assert.deepEqual(results.at(-1), { text: "yes no", final: true });
  });

  test("partialEveryMs paces decoding: 0 decodes every frame, a long pace gives fewer partials", async () => {
    const count = async (partialEveryMs: number): Promise<number> => {
      const p = new SherpaOnnxSttProvider({ modelDir, partialEveryMs, probe: false });
      const stream = p.open({
        sampleRateHz: 16_000,
        language: "en-US",
        signal: new AbortController().signal,
      });
      for (const f of [...low(16_000), ...gap(16_000), ...high(16_000), ...gap(16_000)]) stream.write(f);
      stream.finalize();
      const results = await resultsUntilFinal(stream, 1);
      stream.close();
      p.close();
      assert.deepEqual(results.at(-1), { text: "yes no", final: true });
      return results.length - 1;
    };
    assert.equal(await count(0), 2); // "yes", then "yes no"
    assert.equal(await count(5000), 0); // never decoded before finalize()
  });

  test("close() and abort end the results; later writes are ignored", async () => {
    const stream = open();
    for (const f of low(16_000)) stream.write(f);
    stream.close();
    for (const f of [...gap(16_000), ...high(16_000)]) stream.write(f);
    stream.finalize();
    assert.deepEqual(await resultsUntilFinal(stream, 1), []);
    const controller = new AbortController();
    const aborted = open(16_000, controller.signal);
    const results = resultsUntilFinal(aborted, 1);
    controller.abort();
    for (const f of low(16_000)) aborted.write(f);
    assert.deepEqual(await results, []);
  });

  test("calls stream at the same time through the model's one worker", async () => {
    const a = open();
    const b = open(8000);
    const la = low(16_000);
    const hb = high(8000);
    for (let i = 0; i < la.length; i++) {
      a.write(la[i] as AudioFrame);
      b.write(hb[i] as AudioFrame);
    }
    a.finalize();
    b.finalize();
    const [ra, rb] = await Promise.all([resultsUntilFinal(a, 1), resultsUntilFinal(b, 1)]);
    a.close();
    b.close();
    assert.deepEqual(
      [ra.at(-1), rb.at(-1)],
      [
        { text: "yes", final: true },
        { text: "no", final: true },
      ],
    );
  });

  test("closing the provider fails open calls (retryable: no); the next call starts a new worker", async () => {
    const p = new SherpaOnnxSttProvider({ modelDir, probe: false });
    const signal = new AbortController().signal;
    const first = p.open({ sampleRateHz: 16_000, language: "en-US", signal });
    for (const f of low(16_000)) first.write(f);
    p.close();
    await assert.rejects(
      resultsUntilFinal(first, 1),
      (e: unknown) => e instanceof RingagentError && e.code === "stt_sherpa_closed",
    );
    const next = p.open({ sampleRateHz: 16_000, language: "en-US", signal });
    for (const f of high(16_000)) next.write(f);
    next.finalize();
    assert.deepEqual((await resultsUntilFinal(next, 1)).at(-1), { text: "no", final: true });
    next.close();
    p.close();
  });
});
