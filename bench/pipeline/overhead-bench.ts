/**
 * Pipeline overhead per turn with zero-latency fake engines: from the end-of-turn decision (VAD
 * silence window + STT final) to the first reply frame handed to the sink, at 1 and 20 concurrent
 * pipelines in real time (system clock, 20 ms caller frames). Prints p50/p95/p99; asserts nothing.
 *   npx tsx bench/pipeline/overhead-bench.ts [turnsPerPipeline]
 */
import { ConversationPipeline } from "../../src/pipeline/conversation/conversation-pipeline.js";
import { FakeCallAudio } from "../../src/pipeline/testing/fake-call-audio.js";
import {
  FakeLlmProvider,
  FakeSttProvider,
  FakeTtsProvider,
} from "../../src/pipeline/testing/fake-engines.js";
import { FakePlayoutSink } from "../../src/pipeline/testing/fake-playout-sink.js";
import { noiseFrame, voicedFrame } from "../../src/pipeline/testing/test-signals.js";
import { silentLogger, systemClock } from "../../src/shared/index.js";

const turnsPerPipeline = Number(process.argv[2] ?? 12);
const rateHz = 16000;

async function runPipeline(samples: number[], loopLag: number[]): Promise<void> {
  const clock = systemClock;
  const sink = new FakePlayoutSink(clock, rateHz);
  const callAudio = new FakeCallAudio(rateHz);
  const stt = new FakeSttProvider(clock);
  const llm = new FakeLlmProvider(clock);
  llm.reply = () => ({ text: "Okay." });
  const pipeline = new ConversationPipeline({
    callAudio,
    sink,
    stt,
    llm,
    tts: new FakeTtsProvider(clock),
    clock,
    logger: silentLogger(),
    turn: { idleRepromptMs: 60_000 },
  });
  let turns = 0;
  pipeline.events.on("turn_metrics", (m) => {
    if (m.endOfTurnToFirstAudioMs !== undefined) samples.push(m.endOfTurnToFirstAudioMs);
    turns++;
  });
  void pipeline.start();
  let frameIndex = 0;
  let speechLeftMs = 0;
  let started = turns;
  let next = performance.now();
  while (turns < turnsPerPipeline) {
    if (pipeline.state === "listening" && speechLeftMs === 0 && started === turns) {
      stt.expect("hello there");
      speechLeftMs = 600;
      started = turns + 1;
    }
    const frame =
      speechLeftMs > 0 ? voicedFrame(rateHz, frameIndex, -18) : noiseFrame(rateHz, frameIndex, -70);
    speechLeftMs = Math.max(0, speechLeftMs - 20);
    frameIndex++;
    callAudio.push(frame);
    next += 20;
    const delay = next - performance.now();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, delay)));
    loopLag.push(Math.max(0, performance.now() - next));
  }
  pipeline.cancel("cancelled");
  sink.stop();
  await pipeline.done;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

console.log(`node ${process.version}, ${turnsPerPipeline} turns per pipeline, zero-latency fake engines`);
for (const concurrency of [1, 20]) {
  const samples: number[] = [];
  const lag: number[] = [];
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, () => runPipeline(samples, lag)));
  const f = (v: number) => `${v.toFixed(2)} ms`;
  console.log(
    `${String(concurrency).padStart(2)} pipelines: ${samples.length} turns in ${((performance.now() - started) / 1000).toFixed(1)} s; ` +
      `end-of-turn -> first reply frame to sink p50 ${f(percentile(samples, 50))} p95 ${f(percentile(samples, 95))} ` +
      `p99 ${f(percentile(samples, 99))} max ${f(Math.max(...samples))}; caller-frame timer lag p99 ${f(percentile(lag, 99))}`,
  );
}
