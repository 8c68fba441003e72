/**
 * VAD cost: CPU µs per 20 ms caller frame for the energy VAD and the Silero VAD (onnxruntime-node,
 * one shared session, one thread), at 8 and 16 kHz, on speech (every Silero chunk goes through the
 * model) and on digital silence (chunks under minEnergyDb skip the model), and with many calls
 * interleaved frame by frame on one session. Prints calls per core (20 000 µs of CPU per 20 ms)
 * for the VAD alone; asserts nothing. CPU time is process.cpuUsage (user + system, all threads), so
 * the numbers hold up while other work runs on the machine (the load average is printed).
 *   npx tsx bench/pipeline/vad-bench.ts [seconds of audio per run, default 30]
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { promisify } from "node:util";
import { type AudioFrame, silentFrame } from "../../src/media/index.js";
import { frameEnergyDb } from "../../src/pipeline/audio/frame-energy.js";
import { toFrames } from "../../src/pipeline/audio/pcm-convert.js";
import { parseWav } from "../../src/pipeline/audio/wav-parse.js";
import { EnergyVad } from "../../src/pipeline/vad/energy-vad.js";
import { loadSileroModel, type SileroModel } from "../../src/pipeline/vad/silero-model.js";
import { SileroVad } from "../../src/pipeline/vad/silero-vad.js";
import type { Vad } from "../../src/pipeline/vad/vad-types.js";

const seconds = Number(process.argv[2] ?? 30);
const framesPerRun = seconds * 50;
const frameBudgetUs = 20_000;

let gcCount = 0;
let gcPauseMs = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcCount++;
    gcPauseMs += entry.duration;
  }
}).observe({ entryTypes: ["gc"] });

async function speechFrames(rateHz: number): Promise<AudioFrame[]> {
  const dir = await mkdtemp(join(tmpdir(), "vad-bench-"));
  try {
    const wav = join(dir, "speech.wav");
    const text =
      "Hello, I would like to book an appointment for next Tuesday morning. My name is Alex and I am calling about the invoice you sent last week.";
    await promisify(execFile)("flite", ["-voice", "slt", "-t", text, "-o", wav]);
    // Only the voiced part: leading and trailing silence would make the speech case look cheaper.
    const frames = toFrames(parseWav(await readFile(wav)), rateHz);
    const loud = (f: AudioFrame): boolean => frameEnergyDb(f.samples) > -50;
    return frames.slice(frames.findIndex(loud), frames.findLastIndex(loud) + 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Measure {
  readonly cpuUsPerFrame: number;
  readonly wallUsPerFrame: number;
  readonly gcs: number;
  readonly gcPauseMs: number;
  /** Silero only: chunks run through the model, and chunks skipped as silence. */
  readonly inferences: number;
  readonly skipped: number;
}

/** The best of three runs (the least disturbed by other work on the machine). */
async function measure(make: () => readonly Vad[], source: readonly AudioFrame[]): Promise<Measure> {
  const runs: Measure[] = [];
  for (let i = 0; i < 3; i++) runs.push(await measureOnce(make(), source));
  return runs.reduce((best, m) => (m.cpuUsPerFrame < best.cpuUsPerFrame ? m : best));
}

/** Runs `framesPerRun` frames through each VAD in turn (calls interleaved), settling after each round. */
async function measureOnce(vads: readonly Vad[], source: readonly AudioFrame[]): Promise<Measure> {
  const settle = async (): Promise<void> => {
    for (const vad of vads) if (vad instanceof SileroVad) await vad.settled();
  };
  // Warm-up (JIT, ORT's first runs).
  for (let i = 0; i < 100; i++) {
    for (const vad of vads) vad.process(source[i % source.length] as AudioFrame);
    await settle();
  }
  const gc0 = gcCount;
  const pause0 = gcPauseMs;
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  for (let i = 0; i < framesPerRun; i++) {
    const frame = source[i % source.length] as AudioFrame;
    for (const vad of vads) vad.process(frame);
    await settle();
  }
  const cpu = process.cpuUsage(cpu0);
  const wallMs = performance.now() - wall0;
  const frames = framesPerRun * vads.length;
  return {
    cpuUsPerFrame: (cpu.user + cpu.system) / frames,
    wallUsPerFrame: (wallMs * 1000) / frames,
    gcs: gcCount - gc0,
    gcPauseMs: gcPauseMs - pause0,
    inferences: vads.reduce((n, v) => n + (v instanceof SileroVad ? v.inferences : 0), 0),
    skipped: vads.reduce((n, v) => n + (v instanceof SileroVad ? v.skippedChunks : 0), 0),
  };
}

function row(name: string, m: Measure, extra = ""): void {
  const perCore = Math.floor(frameBudgetUs / m.cpuUsPerFrame);
  console.log(
    `${name.padEnd(44)} ${m.cpuUsPerFrame.toFixed(1).padStart(8)} µs cpu ${m.wallUsPerFrame.toFixed(1).padStart(8)} µs wall  ${String(perCore).padStart(7)} calls/core  gc ${m.gcs} (${m.gcPauseMs.toFixed(1)} ms)${extra}`,
  );
}

async function main(): Promise<void> {
  console.log(
    `vad-bench: ${seconds} s of audio per run; ${cpus().length} cores; loadavg ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
  const model: SileroModel = await loadSileroModel();
  // Warm-up (JIT tiers), discarded: the first measured rows were otherwise several times slower.
  const warm = await speechFrames(16000);
  await measureOnce([new EnergyVad(), new SileroVad(model)], warm);
  await measureOnce(
    [new EnergyVad()],
    Array.from({ length: 50 }, () => silentFrame(16000)),
  );
  for (const rateHz of [16000, 8000]) {
    const speech = await speechFrames(rateHz);
    const silence = Array.from({ length: 50 }, () => silentFrame(rateHz));
    console.log(`\n${rateHz} Hz (per 20 ms frame, per call):`);
    row("energy, speech", await measure(() => [new EnergyVad()], speech));
    row("energy, silence", await measure(() => [new EnergyVad()], silence));
    const silero = await measure(() => [new SileroVad(model)], speech);
    row("silero, speech", silero, `  (${silero.inferences} inferences, ${silero.skipped} chunks skipped)`);
    row("silero, digital silence (model skipped)", await measure(() => [new SileroVad(model)], silence));
    const many = () => Array.from({ length: 50 }, () => new SileroVad(model));
    row("silero, 50 calls on one session, speech", await measure(many, speech));
  }
  await model.close();
  console.log(
    `\nloadavg after: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}  (calls/core = 20 000 µs / cpu µs per frame, VAD only)`,
  );
}

await main();
