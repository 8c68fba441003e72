/**
 * The 2:1 / 1:2 resampler per 20 ms frame: the JavaScript loops against the WebAssembly SIMD kernel,
 * both directions, 16 <-> 8 and 48 <-> 24 kHz, through Resampler.processTransient (what the media
 * path calls). Prints CPU microseconds per frame (best of several rounds: the machine is shared),
 * the speed-up, and heap bytes allocated per frame (heapUsed growth over the last round, exact when no
 * garbage collection ran in it: the GC count is printed beside it).
 *   npx tsx bench/media/resampler-bench.ts [--frames N] [--rounds R]
 */
import { PerformanceObserver } from "node:perf_hooks";
import type { AudioFrame } from "../../src/media/audio/audio-frame.js";
import { Resampler, type ResamplerRateHz } from "../../src/media/audio/resampler.js";
import { speechLike } from "../../src/media/codecs/codec-test-signals.js";

function argument(name: string, fallback: number): number {
  const at = process.argv.indexOf(name);
  return at > 0 ? Number(process.argv[at + 1]) : fallback;
}
const frameCount = argument("--frames", 20000);
const rounds = argument("--rounds", 5);

function framesOf(sampleRateHz: number): AudioFrame[] {
  const n = sampleRateHz / 50;
  const signal = speechLike(sampleRateHz, n * 250);
  return Array.from({ length: 250 }, (_, i) => ({ samples: signal.slice(i * n, (i + 1) * n), sampleRateHz }));
}

let gcCount = 0;
new PerformanceObserver((list) => {
  gcCount += list.getEntries().length;
}).observe({ entryTypes: ["gc"] });
const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 20));

/** Best CPU microseconds per frame over the rounds, and heap bytes allocated per frame (last round). */
async function measure(
  resampler: Resampler,
  frames: AudioFrame[],
): Promise<{ us: number; bytesPerFrame: number; gcs: number }> {
  for (let i = 0; i < 2000; i++) resampler.processTransient(frames[i % frames.length] as AudioFrame);
  let best = Number.POSITIVE_INFINITY;
  let bytesPerFrame = 0;
  let gcs = 0;
  for (let r = 0; r < rounds; r++) {
    await settle();
    const gcBefore = gcCount;
    const heapBefore = process.memoryUsage().heapUsed;
    const start = process.cpuUsage();
    for (let i = 0; i < frameCount; i++) resampler.processTransient(frames[i % frames.length] as AudioFrame);
    const used = process.cpuUsage(start);
    // processTransient itself allocates the small { samples, sampleRateHz } result object per call.
    bytesPerFrame = Math.max(0, process.memoryUsage().heapUsed - heapBefore) / frameCount;
    best = Math.min(best, (used.user + used.system) / frameCount);
    await settle();
    gcs = gcCount - gcBefore;
  }
  return { us: best, bytesPerFrame, gcs };
}

const pairs: [ResamplerRateHz, ResamplerRateHz][] = [
  [16000, 8000],
  [8000, 16000],
  [48000, 24000],
  [24000, 48000],
];
console.log(
  `resampler 2:1 / 1:2, ${frameCount} frames x ${rounds} rounds, CPU us per 20 ms frame (best round)`,
);
console.log("path            js us   wasm us  speed-up  js B/frame (GCs)  wasm B/frame (GCs)");
let jsNarrowband = 0;
let wasmNarrowband = 0;
for (const [fromHz, toHz] of pairs) {
  const frames = framesOf(fromHz);
  const js = await measure(new Resampler(fromHz, toHz, { engine: "js" }), frames);
  const wasmResampler = new Resampler(fromHz, toHz);
  if (wasmResampler.factorTwoEngine !== "wasm-simd")
    console.log("(no WebAssembly SIMD here: both rows are JS)");
  const wasm = await measure(wasmResampler, frames);
  wasmResampler.close();
  if (Math.min(fromHz, toHz) === 8000) {
    jsNarrowband += js.us;
    wasmNarrowband += wasm.us;
  }
  console.log(
    `${`${fromHz / 1000} -> ${toHz / 1000} kHz`.padEnd(14)} ${js.us.toFixed(2).padStart(7)} ${wasm.us
      .toFixed(2)
      .padStart(
        9,
      )} ${(js.us / wasm.us).toFixed(1).padStart(8)}x ${js.bytesPerFrame.toFixed(1).padStart(11)} (${js.gcs}) ${wasm.bytesPerFrame
      .toFixed(1)
      .padStart(13)} (${wasm.gcs})`,
  );
}
console.log(
  `narrowband call (16->8 + 8->16 per 20 ms): js ${jsNarrowband.toFixed(2)} us, wasm ${wasmNarrowband.toFixed(2)} us`,
);
