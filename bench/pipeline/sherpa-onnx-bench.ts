/**
 * sherpa-onnx STT: what a call costs the event loop, on the tiny models the tests make (the model's
 * own decode cost is not representative; real models decode for milliseconds per chunk, which is
 * why decoding runs off the event loop). For `calls` concurrent calls of 8 kHz audio (tones and
 * gaps, 20 ms frames written as fast as possible), prints per model type:
 *   main-thread CPU µs per written 20 ms frame (resample 8->16 kHz, float conversion, batching,
 *   posting to the worker / buffering), the longest event-loop delay while the calls ran, and the
 *   wall time from finalize() to the final result.
 * Numbers under load are noisy (see /proc/loadavg); asserts nothing.
 *   npx tsx bench/pipeline/sherpa-onnx-bench.ts [calls] [seconds-of-audio-per-call]
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import type { AudioFrame } from "../../src/media/index.js";
import { SherpaOnnxSttProvider } from "../../src/pipeline/stt/providers/sherpa-onnx/sherpa-onnx-stt.js";
import type { SttStream } from "../../src/pipeline/stt/stt-types.js";
import {
  writeTinyCtcModel,
  writeTinyStreamingCtcModel,
} from "../../src/pipeline/testing/tiny-sherpa-model.js";
import {
  writeTinyOfflineTransducer,
  writeTinyStreamingTransducer,
} from "../../src/pipeline/testing/tiny-sherpa-transducer.js";

const calls = Number(process.argv[2] ?? 8);
const seconds = Number(process.argv[3] ?? 10);
const rateHz = 8000;

function callAudio(): AudioFrame[] {
  const per = rateHz / 50;
  return Array.from({ length: seconds * 50 }, (_, f) => {
    const hz = [440, 0, 3000, 0][Math.floor(f / 15) % 4] ?? 0;
    const samples = new Int16Array(per);
    for (let i = 0; i < per; i++) {
      samples[i] = hz === 0 ? 0 : Math.round(9000 * Math.sin((2 * Math.PI * hz * (f * per + i)) / rateHz));
    }
    return { samples, sampleRateHz: rateHz };
  });
}

async function finalOf(stream: SttStream): Promise<string> {
  for await (const r of stream.results()) if (r.final) return r.text;
  return "";
}

async function run(name: string, modelDir: string): Promise<void> {
  const provider = new SherpaOnnxSttProvider({ modelDir, probe: false });
  const frames = callAudio();
  const signal = new AbortController().signal;
  const streams = Array.from({ length: calls }, () =>
    provider.open({ sampleRateHz: rateHz, language: "en-US", signal }),
  );
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  const cpu0 = process.cpuUsage();
  // Write in 20 ms rounds, one frame per call, yielding between rounds like a real media loop.
  for (const frame of frames) {
    for (const s of streams) s.write(frame);
    await new Promise((resolve) => setImmediate(resolve));
  }
  const cpu = process.cpuUsage(cpu0);
  const t0 = performance.now();
  const finals = streams.map((s) => finalOf(s));
  for (const s of streams) s.finalize();
  const texts = await Promise.all(finals);
  const finalMs = performance.now() - t0;
  delay.disable();
  for (const s of streams) s.close();
  provider.close();
  const perFrameUs = ((cpu.user + cpu.system) / (frames.length * calls)).toFixed(1);
  console.log(
    `${name.padEnd(22)} calls=${calls}  main CPU ${perFrameUs} µs/frame  max loop delay ${(delay.max / 1e6).toFixed(1)} ms  finalize->final ${finalMs.toFixed(1)} ms  words=${texts[0]?.split(" ").length ?? 0}`,
  );
}

const root = mkdtempSync(join(tmpdir(), "ringagent-sherpa-bench-"));
try {
  await run("offline-nemo-ctc", writeTinyCtcModel(join(root, "ctc")));
  await run("offline-transducer", writeTinyOfflineTransducer(join(root, "offline-transducer")));
  await run("online-zipformer2-ctc", writeTinyStreamingCtcModel(join(root, "streaming-ctc")));
  await run("online-transducer", writeTinyStreamingTransducer(join(root, "streaming-transducer")));
  console.log(`loadavg ${(await import("node:fs")).readFileSync("/proc/loadavg", "utf8").trim()}`);
} finally {
  rmSync(root, { recursive: true, force: true });
}
