/**
 * pocketsphinx micro-measures (issue 6): CPU time per second of audio, time from finalize() to the
 * final result, and word accuracy, on flite speech of the default receptionist script's phrases
 * (plus a few free-form sentences), at 8 kHz (telephone, through the narrowband front end) and 16 kHz.
 * CPU is process.cpuUsage() (all threads, so the libuv pool's decoding counts), one stream at a time;
 * then `concurrency` streams at once to see the throughput on this machine.
 *   npx tsx bench/pipeline/pocketsphinx-bench.ts [lm=both|full|script] [rates=8000,16000] [concurrency=20]
 */
import { readFileSync } from "node:fs";
import type { AudioFrame } from "../../src/media/index.js";
import { loadConversationScript } from "../../src/pipeline/llm/providers/script/script-schema.js";
import { scriptVocabulary } from "../../src/pipeline/llm/providers/script/script-vocabulary.js";
import {
  type PocketsphinxOptions,
  PocketsphinxSttProvider,
} from "../../src/pipeline/stt/providers/pocketsphinx/pocketsphinx-stt.js";
import { FliteTtsProvider } from "../../src/pipeline/tts/providers/flite/flite-tts.js";

const which = process.argv[2] ?? "both";
const rates = (process.argv[3] ?? "8000,16000").split(",").map(Number);
const concurrency = Number(process.argv[4] ?? 20);

const script = loadConversationScript();
const scriptPhrases = [
  "what are your hours",
  "where are you located",
  "can I talk to a person",
  "I want to leave a message",
  "are you open on saturday",
  "my name is john smith",
  "five five five one two three four",
  "that's all thank you goodbye",
];
const freeForm = ["please call me back tomorrow morning", "the weather today is sunny and warm"];

async function speak(text: string, sampleRateHz: number): Promise<AudioFrame[]> {
  const frames: AudioFrame[] = [];
  const tts = new FliteTtsProvider({ voice: "slt" });
  for await (const c of tts.synthesize({ text, sampleRateHz, signal: new AbortController().signal }))
    frames.push(c.frame);
  const silence = { samples: new Int16Array(sampleRateHz / 50), sampleRateHz };
  return [...Array(10).fill(silence), ...frames, ...Array(10).fill(silence)];
}

function normalize(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9' ]+/g, " ")
    .split(/\s+/)
    .filter((w) => w.length > 0);
}

function overlap(expected: string, heard: string): number {
  const have = new Map<string, number>();
  for (const w of normalize(heard)) have.set(w, (have.get(w) ?? 0) + 1);
  const want = normalize(expected);
  let found = 0;
  for (const w of want) {
    const n = have.get(w) ?? 0;
    if (n > 0) {
      found++;
      have.set(w, n - 1);
    }
  }
  return found / want.length;
}

/** Writes the frames in real time order (no pacing: as fast as the decoder takes them), finalizes. */
async function decode(
  stt: PocketsphinxSttProvider,
  frames: readonly AudioFrame[],
  rateHz: number,
): Promise<{ text: string; finalMs: number }> {
  const stream = stt.open({ sampleRateHz: rateHz, language: "en-US", signal: new AbortController().signal });
  for (const f of frames) stream.write(f);
  const finalizedAt = performance.now();
  stream.finalize();
  for await (const r of stream.results()) {
    if (!r.final) continue;
    stream.close();
    return { text: r.text, finalMs: performance.now() - finalizedAt };
  }
  throw new Error("no final");
}

/** Like decode, but paced at 20 ms per frame, as a caller speaks; the final's delay is what matters. */
async function decodePaced(
  stt: PocketsphinxSttProvider,
  frames: readonly AudioFrame[],
  rateHz: number,
): Promise<{ text: string; finalMs: number }> {
  const stream = stt.open({ sampleRateHz: rateHz, language: "en-US", signal: new AbortController().signal });
  const start = performance.now();
  for (let i = 0; i < frames.length; i++) {
    const due = start + i * 20 - performance.now();
    if (due > 0) await new Promise((r) => setTimeout(r, due));
    stream.write(frames[i] as AudioFrame);
  }
  const finalizedAt = performance.now();
  stream.finalize();
  for await (const r of stream.results()) {
    if (!r.final) continue;
    stream.close();
    return { text: r.text, finalMs: performance.now() - finalizedAt };
  }
  throw new Error("no final");
}

const pct = (v: number): string => `${(v * 100).toFixed(0)}%`;
const q = (xs: number[], p: number): number =>
  [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))] ?? Number.NaN;

async function run(label: string, options: PocketsphinxOptions): Promise<void> {
  const stt = new PocketsphinxSttProvider(options);
  try {
    for (const rateHz of rates) {
      const band = rateHz === 8000 ? "narrow" : "wide";
      await stt.warm(1, band);
      const all = [...scriptPhrases, ...freeForm];
      const audio = await Promise.all(all.map((s) => speak(s, rateHz)));
      // Adapt the decoder's cepstral mean once (the pool keeps adapted decoders).
      await decode(stt, audio[0] as AudioFrame[], rateHz);
      let cpuUs = 0;
      let audioMs = 0;
      let scriptAcc = 0;
      let freeAcc = 0;
      const finals: number[] = [];
      for (const [i, sentence] of all.entries()) {
        const frames = audio[i] as AudioFrame[];
        const before = process.cpuUsage();
        const r = await decode(stt, frames, rateHz);
        const used = process.cpuUsage(before);
        cpuUs += used.user + used.system;
        audioMs += frames.length * 20;
        finals.push(r.finalMs);
        const acc = overlap(sentence, r.text);
        if (i < scriptPhrases.length) scriptAcc += acc;
        else freeAcc += acc;
        console.log(`  ${label} ${rateHz} Hz ${pct(acc).padStart(4)}  "${sentence}" -> "${r.text}"`);
      }
      console.log(
        `${label} ${rateHz} Hz: CPU ${(cpuUs / 1000 / (audioMs / 1000)).toFixed(0)} ms per audio second, ` +
          `script phrases ${pct(scriptAcc / scriptPhrases.length)}, free-form ${pct(freeAcc / freeForm.length)}, ` +
          `finalize->final (unpaced) p50 ${q(finals, 50).toFixed(0)} ms`,
      );
      // `concurrency` callers at once, each speaking one phrase in real time.
      await stt.warm(Math.min(concurrency, 4), band);
      const before = process.cpuUsage();
      const startedAt = performance.now();
      const results = await Promise.all(
        Array.from({ length: concurrency }, (_, i) =>
          decodePaced(stt, audio[i % scriptPhrases.length] as AudioFrame[], rateHz).then((r) => ({
            ...r,
            acc: overlap(all[i % scriptPhrases.length] as string, r.text),
          })),
        ),
      );
      const used = process.cpuUsage(before);
      const wall = performance.now() - startedAt;
      const fm = results.map((r) => r.finalMs);
      console.log(
        `${label} ${rateHz} Hz x${concurrency} paced: finalize->final p50 ${q(fm, 50).toFixed(0)} p95 ${q(fm, 95).toFixed(0)} ` +
          `max ${Math.max(...fm).toFixed(0)} ms, accuracy ${pct(results.reduce((s, r) => s + r.acc, 0) / results.length)}, ` +
          `CPU ${((used.user + used.system) / 1000).toFixed(0)} ms in ${wall.toFixed(0)} ms wall; loadavg ${readFileSync("/proc/loadavg", "utf8").trim()}`,
      );
    }
  } finally {
    stt.close();
  }
}

if (which === "full" || which === "both") await run("full LM", {});
const extraArgs = (process.env.PS_ARGS ?? "").split(" ").filter((a) => a.length > 0);
if (which === "script" || which === "both")
  await run("script LM", { phrases: scriptVocabulary(script), decoderArgs: extraArgs });
