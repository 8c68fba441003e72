/**
 * Client overhead of each remote provider against its local fake (same process, loopback): the
 * time from the fake writing its first byte (first SSE chunk, first audio chunk, first interim
 * result, first audio delta, the transcription JSON) to our first token / 20 ms frame / result.
 * Prints p50/p95/p99 in ms; asserts nothing.
 *   npx tsx bench/providers/provider-overhead-bench.ts [iterations]
 */
import type { AudioFrame } from "../../src/media/index.js";
import { OpenAiLlmProvider } from "../../src/pipeline/llm/providers/openai/openai-llm.js";
import { RealtimeSession } from "../../src/pipeline/realtime/realtime-session.js";
import { DeepgramSttProvider } from "../../src/pipeline/stt/providers/deepgram/deepgram-stt.js";
import { OpenAiSttProvider } from "../../src/pipeline/stt/providers/openai/openai-stt.js";
import { FakeDeepgramServer } from "../../src/pipeline/testing/fake-servers/fake-deepgram-server.js";
import { FakeElevenLabsServer } from "../../src/pipeline/testing/fake-servers/fake-elevenlabs-server.js";
import { FakeOpenAiRealtimeServer } from "../../src/pipeline/testing/fake-servers/fake-openai-realtime-server.js";
import { FakeOpenAiServer } from "../../src/pipeline/testing/fake-servers/fake-openai-server.js";
import { ElevenLabsTtsProvider } from "../../src/pipeline/tts/providers/elevenlabs/elevenlabs-tts.js";
import { OpenAiTtsProvider } from "../../src/pipeline/tts/providers/openai/openai-tts.js";
import type { TtsProvider } from "../../src/pipeline/tts/tts-types.js";

const iterations = Number(process.argv[2] ?? 200);
const warmup = 20;

function report(name: string, samples: number[]): void {
  const s = samples.slice(warmup).sort((a, b) => a - b);
  const q = (p: number): string =>
    (s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? Number.NaN).toFixed(2);
  console.log(`${name.padEnd(34)} n=${s.length}  p50 ${q(0.5)}  p95 ${q(0.95)}  p99 ${q(0.99)}  ms`);
}

function frames(ms: number, rateHz: number): AudioFrame[] {
  return Array.from({ length: ms / 20 }, () => ({
    samples: new Int16Array(rateHz / 50).fill(1500),
    sampleRateHz: rateHz,
  }));
}

async function benchLlm(fake: FakeOpenAiServer): Promise<number[]> {
  const llm = new OpenAiLlmProvider({ apiKey: "sk-test", baseUrl: fake.baseUrl, model: "bench" });
  fake.chatReply = () => ({ text: "Sure, one moment please." });
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const before = fake.firstByteAtMs.length;
    const signal = new AbortController().signal;
    for await (const e of llm.stream({ messages: [{ role: "user", content: "hi" }], tools: [], signal })) {
      if (e.kind === "text") {
        out.push(performance.now() - (fake.firstByteAtMs[before] ?? Number.NaN));
        break;
      }
    }
  }
  return out;
}

async function benchTts(tts: TtsProvider, firstByteAtMs: number[], rateHz: number): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const before = firstByteAtMs.length;
    const signal = new AbortController().signal;
    let first = true;
    for await (const _ of tts.synthesize({ text: "Hello there.", sampleRateHz: rateHz, signal })) {
      if (first) out.push(performance.now() - (firstByteAtMs[before] ?? Number.NaN));
      first = false;
    }
  }
  return out;
}

async function benchWhisper(fake: FakeOpenAiServer): Promise<number[]> {
  const stt = new OpenAiSttProvider({ apiKey: "sk-test", baseUrl: fake.baseUrl });
  const out: number[] = [];
  const audio = frames(1000, 16_000);
  for (let i = 0; i < iterations; i++) {
    const stream = stt.open({
      sampleRateHz: 16_000,
      language: "en-US",
      signal: new AbortController().signal,
    });
    const before = fake.firstByteAtMs.length;
    for (const f of audio) stream.write(f);
    stream.finalize();
    for await (const _ of stream.results()) {
      out.push(performance.now() - (fake.firstByteAtMs[before] ?? Number.NaN));
      break;
    }
    stream.close();
  }
  return out;
}

async function benchDeepgram(fake: FakeDeepgramServer): Promise<number[]> {
  const stt = new DeepgramSttProvider({ apiKey: "dg-test", baseUrl: fake.baseUrl });
  const out: number[] = [];
  const audio = frames(400, 16_000);
  for (let i = 0; i < iterations; i++) {
    fake.say("hello there friend");
    const stream = stt.open({
      sampleRateHz: 16_000,
      language: "en-US",
      signal: new AbortController().signal,
    });
    const before = fake.firstByteAtMs.length;
    for (const f of audio) stream.write(f);
    for await (const _ of stream.results()) {
      out.push(performance.now() - (fake.firstByteAtMs[before] ?? Number.NaN));
      break;
    }
    stream.finalize();
    stream.close();
  }
  return out;
}

async function benchRealtime(fake: FakeOpenAiRealtimeServer): Promise<number[]> {
  const out: number[] = [];
  fake.deltaGapMs = 0;
  const audio = frames(300, 16_000);
  for (let i = 0; i < Math.min(iterations, 100); i++) {
    fake.replies.push({ kind: "audio", text: "Hi.", audioMs: 200 });
    const s = new RealtimeSession({
      apiKey: "sk-test",
      baseUrl: fake.baseUrl,
      instructions: "",
      tools: [],
      language: "en",
      sampleRateHz: 16_000,
    });
    await s.connect(AbortSignal.timeout(3000));
    const before = fake.firstByteAtMs.length;
    const first = new Promise<number>((resolve) => {
      const off = s.events.on("agent_audio", () => {
        off();
        resolve(performance.now());
      });
    });
    for (const f of audio) s.writeCallerAudio(f);
    const at = await first;
    out.push(at - (fake.firstByteAtMs[before] ?? Number.NaN));
    s.close();
  }
  return out;
}

const openai = await new FakeOpenAiServer().start();
const eleven = await new FakeElevenLabsServer().start();
const deepgram = await new FakeDeepgramServer().start();
const realtime = await new FakeOpenAiRealtimeServer().start();
try {
  console.log(
    `provider client overhead (fake first byte -> our first item), ${iterations} iterations, first ${warmup} dropped`,
  );
  report("llm openai (SSE, SDK)", await benchLlm(openai));
  report(
    "tts openai pcm24k -> 24k frames",
    await benchTts(
      new OpenAiTtsProvider({ apiKey: "sk-test", baseUrl: openai.baseUrl }),
      openai.firstByteAtMs,
      24_000,
    ),
  );
  report(
    "tts openai pcm24k -> 16k frames",
    await benchTts(
      new OpenAiTtsProvider({ apiKey: "sk-test", baseUrl: openai.baseUrl }),
      openai.firstByteAtMs,
      16_000,
    ),
  );
  report(
    "tts elevenlabs pcm_16000",
    await benchTts(
      new ElevenLabsTtsProvider({ apiKey: "xi-test", baseUrl: eleven.baseUrl }),
      eleven.firstByteAtMs,
      16_000,
    ),
  );
  report("stt openai (JSON -> final)", await benchWhisper(openai));
  report("stt deepgram (interim -> partial)", await benchDeepgram(deepgram));
  report("realtime (audio delta -> frame)", await benchRealtime(realtime));
} finally {
  await Promise.all([openai.stop(), eleven.stop(), deepgram.stop(), realtime.stop()]);
}
