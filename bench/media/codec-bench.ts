/**
 * Codec, resampler and jitter-buffer cost per 20 ms frame (one call's worth of work per frame).
 *   npx tsx bench/media/codec-bench.ts [--frames N]
 * Prints microseconds per 20 ms frame; the budget for all per-frame media work is 20 000 us per call.
 */
import { performance } from "node:perf_hooks";
import type { AudioFrame } from "../../src/media/audio/audio-frame.js";
import { Resampler, type ResamplerRateHz } from "../../src/media/audio/resampler.js";
import { createCodec } from "../../src/media/codecs/codec-registry.js";
import { speechLike } from "../../src/media/codecs/codec-test-signals.js";
import type { AudioCodec } from "../../src/media/codecs/codec-types.js";
import { JitterBuffer } from "../../src/media/jitter/jitter-buffer.js";

const framesArg = process.argv.indexOf("--frames");
const frameCount = framesArg > 0 ? Number(process.argv[framesArg + 1]) : 3000;

function framesOf(sampleRateHz: number, count: number): AudioFrame[] {
  const n = sampleRateHz / 50;
  const signal = speechLike(sampleRateHz, n * 250);
  return Array.from({ length: count }, (_, i) => {
    const at = (i % 250) * n;
    return { samples: signal.slice(at, at + n), sampleRateHz };
  });
}

function time(run: () => void): number {
  const start = performance.now();
  run();
  return ((performance.now() - start) * 1000) / frameCount;
}

function benchCodec(label: string, make: () => AudioCodec): void {
  const codec = make();
  const frames = framesOf(codec.sampleRateHz, frameCount);
  // Warm-up
  for (const f of frames.slice(0, 200)) codec.decode(codec.encode(f));
  const payloads: Uint8Array[] = [];
  const encodeUs = time(() => {
    for (const f of frames) payloads.push(codec.encode(f));
  });
  const decoder = make();
  const decodeUs = time(() => {
    for (const p of payloads) decoder.decode(p);
  });
  const plcUs = time(() => {
    for (let i = 0; i < frameCount; i++) decoder.plc();
  });
  const bytes = payloads.reduce((a, p) => a + p.length, 0) / payloads.length;
  console.log(
    `${label.padEnd(18)} encode ${encodeUs.toFixed(1).padStart(7)} us  decode ${decodeUs.toFixed(1).padStart(7)} us  plc ${plcUs.toFixed(1).padStart(7)} us  ${bytes.toFixed(0)} B/frame`,
  );
}

function benchResampler(from: ResamplerRateHz, to: ResamplerRateHz): void {
  const r = new Resampler(from, to);
  const frames = framesOf(from, frameCount);
  for (const f of frames.slice(0, 200)) r.process(f);
  const us = time(() => {
    for (const f of frames) r.process(f);
  });
  console.log(
    `resample ${`${from / 1000}k -> ${to / 1000}k`.padEnd(10)} ${us.toFixed(1).padStart(7)} us/frame`,
  );
}

function benchJitter(): void {
  const codec = createCodec("PCMU", 8000) ?? process.exit(1);
  const payload = codec.encode(framesOf(8000, 1)[0] ?? process.exit(1));
  const jb = new JitterBuffer(codec);
  const us = time(() => {
    for (let i = 0; i < frameCount; i++) {
      jb.push(
        { seq: i & 0xffff, timestamp: i * 160, marker: false, payloadType: 0, payload },
        i * 20 + (i % 3) * 7,
      );
      jb.pull();
    }
  });
  console.log(`jitter push+pull (PCMU)   ${us.toFixed(1).padStart(7)} us/frame`);
}

console.log(`node ${process.version}, ${frameCount} frames of 20 ms each`);
benchCodec("PCMU", () => createCodec("PCMU", 8000) ?? process.exit(1));
benchCodec("PCMA", () => createCodec("PCMA", 8000) ?? process.exit(1));
benchCodec("G722", () => createCodec("G722", 8000) ?? process.exit(1));
for (const rate of [8000, 16000, 48000] as const) {
  benchCodec(
    `opus @${rate / 1000}k 24kbps`,
    () => createCodec("opus", 48000, { opusSampleRateHz: rate }) ?? process.exit(1),
  );
}
for (const [from, to] of [
  [8000, 16000],
  [16000, 8000],
  [16000, 24000],
  [24000, 16000],
  [16000, 48000],
  [48000, 16000],
  [8000, 48000],
  [48000, 8000],
] as const) {
  benchResampler(from, to);
}
benchJitter();
