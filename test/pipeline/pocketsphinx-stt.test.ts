import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AudioFrame } from "../../src/media/index.js";
import { PocketsphinxSttProvider } from "../../src/pipeline/stt/providers/pocketsphinx/pocketsphinx-stt.js";
import { FliteTtsProvider } from "../../src/pipeline/tts/providers/flite/flite-tts.js";
import { RingagentError } from "../../src/shared/index.js";

const sentences = [
  "hello this is a test of the phone agent",
  "please call me back tomorrow morning",
  "the weather today is sunny and warm",
  "my account number is one two three four five",
  "thank you for calling goodbye",
];

async function synthesize(text: string, sampleRateHz: number): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  const tts = new FliteTtsProvider({ voice: "slt" });
  for await (const c of tts.synthesize({ text, sampleRateHz, signal: new AbortController().signal }))
    frames.push(c.frame);
  const silence = { samples: new Int16Array(sampleRateHz / 50), sampleRateHz };
  return [...Array(10).fill(silence), ...frames, ...Array(15).fill(silence)];
}

/** Share of the reference words found in the hypothesis (as a multiset). */
function wordOverlap(reference: string, hypothesis: string): number {
  const pool = hypothesis.split(/\s+/).filter((w) => w.length > 0);
  const ref = reference.split(/\s+/);
  let hits = 0;
  for (const w of ref) {
    const i = pool.indexOf(w);
    if (i >= 0) {
      hits++;
      pool.splice(i, 1);
    }
  }
  return hits / ref.length;
}

async function transcribe(stt: PocketsphinxSttProvider, frames: AudioFrame[], rateHz: number) {
  const stream = stt.open({ sampleRateHz: rateHz, language: "en-US", signal: new AbortController().signal });
  let maxWriteMs = 0;
  const started = performance.now();
  for (const f of frames) {
    const t = performance.now();
    stream.write(f);
    maxWriteMs = Math.max(maxWriteMs, performance.now() - t);
  }
  stream.finalize();
  const partials: string[] = [];
  for await (const r of stream.results()) {
    if (!r.final) {
      partials.push(r.text);
      continue;
    }
    stream.close();
    return { text: r.text, partials, maxWriteMs, decodeMs: performance.now() - started };
  }
  throw new Error("no final");
}

describe("pocketsphinx STT (N-API addon)", () => {
  let stt: PocketsphinxSttProvider;
  before(async () => {
    stt = new PocketsphinxSttProvider();
    await stt.warm(1);
  });
  after(() => stt.close());

  async function score(rateHz: number, label: string, provider = stt): Promise<number> {
    let total = 0;
    for (const sentence of sentences) {
      const frames = await synthesize(sentence, rateHz);
      const r = await transcribe(provider, frames, rateHz);
      const overlap = wordOverlap(sentence, r.text);
      total += overlap;
      console.log(
        `${label}: ${(overlap * 100).toFixed(0).padStart(3)}%  "${r.text}"  (${r.partials.length} partials, ` +
          `audio ${frames.length * 20} ms, decoded in ${r.decodeMs.toFixed(0)} ms, longest write ${r.maxWriteMs.toFixed(2)} ms)`,
      );
    }
    const mean = total / sentences.length;
    console.log(`${label}: mean word overlap ${(mean * 100).toFixed(1)}%`);
    return mean;
  }

  test("transcribes flite speech at 16 kHz (word overlap >= 60%)", async () => {
    assert.ok((await score(16000, "16 kHz")) >= 0.6);
  });

  test("transcribes 8 kHz telephone audio through the front end (word overlap >= 60% once adapted)", async () => {
    const narrow = new PocketsphinxSttProvider({ maxIdleDecoders: 1 });
    try {
      const cold = await score(8000, "8 kHz + band fill, cold decoder", narrow);
      const warm = await score(8000, "8 kHz + band fill, adapted decoder", narrow);
      assert.ok(cold >= 0 && warm >= 0.6);
    } finally {
      narrow.close();
    }
  });

  test("measurement: 8 kHz without the band fill", async () => {
    const plain = new PocketsphinxSttProvider({ bandFillDb: null, maxIdleDecoders: 1 });
    try {
      await score(8000, "8 kHz plain, cold decoder", plain);
      const mean = await score(8000, "8 kHz plain, adapted decoder", plain);
      assert.ok(mean >= 0 && mean <= 1);
    } finally {
      plain.close();
    }
  });

  test("an empty utterance gives an empty final, and the stream can continue", async () => {
    const stream = stt.open({ sampleRateHz: 16000, language: "en-US", signal: new AbortController().signal });
    stream.finalize();
    const frames = await synthesize("thank you for calling goodbye", 16000);
    for (const f of frames) stream.write(f);
    stream.finalize();
    const finals: string[] = [];
    for await (const r of stream.results()) {
      if (r.final) finals.push(r.text);
      if (finals.length === 2) break;
    }
    stream.close();
    assert.equal(finals[0], "");
    assert.ok(wordOverlap("thank you for calling goodbye", finals[1] ?? "") >= 0.6, finals[1]);
  });

  test("missing model or addon: typed errors that name the fix", () => {
    assert.throws(
      () =>
        new PocketsphinxSttProvider({
          model: { hmm: "/nope/en-us", lm: "/nope/x.lm.bin", dict: "/nope/x.dict" },
        }),
      (e: unknown) =>
        e instanceof RingagentError &&
        e.code === "stt_pocketsphinx_model_missing" &&
        /apt-get/.test(e.message),
    );
    assert.throws(
      () => new PocketsphinxSttProvider({ addonPath: "/nope/pocketsphinx_addon.node" }),
      (e: unknown) =>
        e instanceof RingagentError &&
        e.code === "stt_pocketsphinx_addon_missing" &&
        /node-gyp rebuild/.test(e.message),
    );
  });
});
