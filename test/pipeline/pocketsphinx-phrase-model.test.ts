import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AudioFrame } from "../../src/media/index.js";
import {
  loadConversationScript,
  parseConversationScript,
} from "../../src/pipeline/llm/providers/script/script-schema.js";
import { scriptVocabulary } from "../../src/pipeline/llm/providers/script/script-vocabulary.js";
import { PocketsphinxSttProvider } from "../../src/pipeline/stt/providers/pocketsphinx/pocketsphinx-stt.js";
import { FliteTtsProvider } from "../../src/pipeline/tts/providers/flite/flite-tts.js";
import { normalizeWords, wordOverlap } from "../bed/speech.js";

/** Things a caller of the default receptionist says (its examples, a slot answer, a variation). */
const scriptPhrases = [
  "what are your hours",
  "where are you located",
  "I want to leave a message",
  "are you open on saturday",
  "five five five one two three four",
  "that's all thank you goodbye",
];

async function speak(text: string, sampleRateHz: number): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  const tts = new FliteTtsProvider({ voice: "slt" });
  for await (const c of tts.synthesize({ text, sampleRateHz, signal: new AbortController().signal }))
    frames.push(c.frame);
  const silence = { samples: new Int16Array(sampleRateHz / 50), sampleRateHz };
  return [...Array(10).fill(silence), ...frames, ...Array(10).fill(silence)];
}

async function transcribe(
  stt: PocketsphinxSttProvider,
  frames: AudioFrame[],
  rateHz: number,
): Promise<string> {
  const stream = stt.open({ sampleRateHz: rateHz, language: "en-US", signal: new AbortController().signal });
  for (const f of frames) stream.write(f);
  stream.finalize();
  for await (const r of stream.results()) {
    if (!r.final) continue;
    stream.close();
    return r.text;
  }
  throw new Error("no final result");
}

/** Words of the phrases recognised (multiset overlap), summed; one adapted decoder per provider. */
async function wordsRecognised(stt: PocketsphinxSttProvider, audio: AudioFrame[][]): Promise<number> {
  await transcribe(stt, audio[0] as AudioFrame[], 8000); // adapt the decoder's cepstral mean
  let found = 0;
  for (const [i, phrase] of scriptPhrases.entries()) {
    const text = await transcribe(stt, audio[i] as AudioFrame[], 8000);
    const got = Math.round(wordOverlap(phrase, text) * normalizeWords(phrase).length);
    console.log(`  ${stt.phraseModel === undefined ? "full" : "phrase"} model: "${phrase}" -> "${text}"`);
    found += got;
  }
  return found;
}

describe("pocketsphinx with the script's phrase model (8 kHz)", () => {
  const script = loadConversationScript();
  let audio: AudioFrame[][];
  let phrase: PocketsphinxSttProvider;
  before(async () => {
    audio = await Promise.all(scriptPhrases.map((p) => speak(p, 8000)));
    phrase = new PocketsphinxSttProvider({ phrases: scriptVocabulary(script), maxIdleDecoders: 1 });
  });
  after(() => phrase.close());

  test("the phrase model covers the script's words and is in use", () => {
    const model = phrase.phraseModel;
    assert.ok(model !== undefined);
    for (const w of ["hours", "located", "message", "operator", "goodbye", "five", "monday"])
      assert.ok(model.vocabulary.includes(w), w);
    assert.deepEqual(model.outOfVocabulary, []);
  });

  test("recognises at least as many of the script's words as the full model", async () => {
    const full = new PocketsphinxSttProvider({ maxIdleDecoders: 1 });
    try {
      const withFull = await wordsRecognised(full, audio);
      const withPhrases = await wordsRecognised(phrase, audio);
      const total = scriptPhrases.reduce((n, p) => n + normalizeWords(p).length, 0);
      console.log(`words recognised of ${total}: full model ${withFull}, phrase model ${withPhrases}`);
      assert.ok(withPhrases >= withFull, `${withPhrases} < ${withFull}`);
      assert.ok(withPhrases >= total * 0.75, `${withPhrases} of ${total}`);
    } finally {
      full.close();
    }
  });

  test("a fresh decoder starts from the band's adapted cepstral mean (first utterance recognised)", async () => {
    const fresh = new PocketsphinxSttProvider({ phrases: scriptVocabulary(script), maxIdleDecoders: 1 });
    try {
      const text = await transcribe(fresh, audio[1] as AudioFrame[], 8000);
      assert.ok(wordOverlap("where are you located", text) >= 0.75, text);
    } finally {
      fresh.close();
    }
  });

  test("fullModelBelowConfidence: a low-confidence final is decoded again with the full model", async () => {
    const sentence = "the weather today is sunny and warm";
    const frames = await speak(sentence, 16000);
    const phrasesOnly = new PocketsphinxSttProvider({ phrases: scriptVocabulary(script) });
    const withFallback = new PocketsphinxSttProvider({
      phrases: scriptVocabulary(script),
      fullModelBelowConfidence: 1, // every final: always the full model's
    });
    try {
      const small = await transcribe(phrasesOnly, frames, 16000);
      const full = await transcribe(withFallback, frames, 16000);
      console.log(`  off-script: phrase model "${small}", with the full-model fallback "${full}"`);
      assert.ok(wordOverlap(sentence, full) >= 0.6, full);
      assert.ok(wordOverlap(sentence, full) > wordOverlap(sentence, small), `${full} vs ${small}`);
    } finally {
      phrasesOnly.close();
      withFallback.close();
    }
  });

  test("a script in another language than the model keeps the full model", () => {
    const russian = parseConversationScript(
      [
        "fallback: Извините",
        "intents:",
        "  - name: hours",
        '    examples: ["какие у вас часы работы", "когда вы работаете"]',
        "    keywords: [часы, работаете]",
        '    reply: "С девяти до пяти."',
      ].join("\n"),
    );
    const stt = new PocketsphinxSttProvider({ phrases: scriptVocabulary(russian) });
    try {
      assert.equal(stt.phraseModel, undefined);
    } finally {
      stt.close();
    }
  });
});
