import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AudioFrame, samplesPerFrame } from "../../src/media/index.js";
import { ProviderHttpError } from "../../src/pipeline/provider-setup/http-error.js";
import { DeepgramSttProvider } from "../../src/pipeline/stt/providers/deepgram/deepgram-stt.js";
import { OpenAiSttProvider } from "../../src/pipeline/stt/providers/openai/openai-stt.js";
import type { SttResult, SttStream } from "../../src/pipeline/stt/stt-types.js";
import { FakeDeepgramServer } from "../../src/pipeline/testing/fake-servers/fake-deepgram-server.js";
import {
  FakeOpenAiServer,
  openAiErrorBody,
} from "../../src/pipeline/testing/fake-servers/fake-openai-server.js";
import { RingagentError } from "../../src/shared/index.js";

function speech(ms: number, rateHz = 16_000): AudioFrame[] {
  const frames: AudioFrame[] = [];
  for (let i = 0; i < ms / 20; i++) {
    const samples = new Int16Array(samplesPerFrame(rateHz));
    for (let j = 0; j < samples.length; j++)
      samples[j] = Math.round(5000 * Math.sin((2 * Math.PI * 300 * j) / rateHz));
    frames.push({ samples, sampleRateHz: rateHz });
  }
  return frames;
}

/** Reads results until `finals` finals arrived (or the stream ended or failed); bounded in time. */
async function readResults(
  stream: SttStream,
  finals: number,
): Promise<{ results: SttResult[]; error?: RingagentError }> {
  const results: SttResult[] = [];
  const deadline = setTimeout(() => stream.close(), 5000);
  try {
    for await (const r of stream.results()) {
      results.push(r);
      if (results.filter((x) => x.final).length >= finals) break;
    }
    return { results };
  } catch (error) {
    assert.ok(error instanceof RingagentError, String(error));
    return { results, error };
  } finally {
    clearTimeout(deadline);
  }
}

describe("Deepgram live STT against the fake server", () => {
  const fake = new FakeDeepgramServer();
  const controller = new AbortController();
  before(() => fake.start());
  after(async () => {
    controller.abort();
    await fake.stop();
  });
  const stt = (extra: Record<string, unknown> = {}) =>
    new DeepgramSttProvider({ apiKey: "dg-test", baseUrl: fake.baseUrl, ...extra });

  test("partials then one final per finalize, with the documented query parameters", async () => {
    fake.say("hello how are you doing today");
    const stream = stt().open({ sampleRateHz: 16_000, language: "en-US", signal: controller.signal });
    for (const f of speech(1200)) stream.write(f);
    stream.finalize();
    const { results, error } = await readResults(stream, 1);
    stream.close();
    assert.equal(error, undefined);
    const partials = results.filter((r) => !r.final).map((r) => r.text);
    assert.ok(partials.length >= 3, `partials: ${partials.join(" | ")}`);
    assert.equal(partials[0], "hello");
    assert.deepEqual(results.at(-1), { text: "hello how are you doing today", final: true });
    const c = fake.connections.at(-1);
    assert.equal(c?.authorization, "Token dg-test");
    const q = Object.fromEntries(c?.query ?? []);
    assert.deepEqual(
      { ...q },
      {
        model: "nova-3",
        language: "en-US",
        encoding: "linear16",
        sample_rate: "16000",
        channels: "1",
        interim_results: "true",
        endpointing: "300",
        utterance_end_ms: "1000",
        smart_format: "true",
      },
    );
    assert.equal(c?.audioBytes, 1200 * 32);
  });

  test("Russian: language=ru reaches the server and Cyrillic comes back", async () => {
    fake.say("привет как дела");
    const stream = stt().open({ sampleRateHz: 8000, language: "ru-RU", signal: controller.signal });
    for (const f of speech(600, 8000)) stream.write(f);
    stream.finalize();
    const { results } = await readResults(stream, 1);
    stream.close();
    assert.equal(fake.connections.at(-1)?.query.get("language"), "ru");
    assert.equal(fake.connections.at(-1)?.query.get("sample_rate"), "8000");
    assert.deepEqual(results.at(-1), { text: "привет как дела", final: true });
  });

  test("two utterances give two finals in order", async () => {
    fake.say("first one");
    fake.say("second one");
    const stream = stt().open({ sampleRateHz: 16_000, language: "en-US", signal: controller.signal });
    for (const f of speech(400)) stream.write(f);
    stream.finalize();
    for (const f of speech(400)) stream.write(f);
    stream.finalize();
    const { results } = await readResults(stream, 2);
    stream.close();
    assert.deepEqual(
      results.filter((r) => r.final).map((r) => r.text),
      ["first one", "second one"],
    );
  });

  test("KeepAlive while the caller is silent; CloseStream on close", async () => {
    const stream = stt({ keepAliveMs: 40 }).open({
      sampleRateHz: 16_000,
      language: "en-US",
      signal: controller.signal,
    });
    for (const f of speech(40)) stream.write(f);
    const c = await waitFor(
      () => fake.connections.at(-1),
      (x) => (x?.keepAlives ?? 0) >= 2,
    );
    stream.close();
    await waitFor(
      () => c,
      (x) => (x?.closeStreams ?? 0) === 1,
    );
    assert.deepEqual(await readResults(stream, 1), { results: [] });
  });

  test("a finalize Deepgram has nothing for still gives one final (after the timeout)", async () => {
    const stream = stt({ finalizeTimeoutMs: 50 }).open({
      sampleRateHz: 16_000,
      language: "en-US",
      signal: controller.signal,
    });
    stream.finalize();
    const { results } = await readResults(stream, 1);
    stream.close();
    assert.deepEqual(results, [{ text: "", final: true }]);
  });

  test("handshake errors become typed errors ({err_code, err_msg} and status)", async () => {
    const bad = stt({ apiKey: "wrong" }).open({
      sampleRateHz: 16_000,
      language: "en-US",
      signal: controller.signal,
    });
    const { error } = await readResults(bad, 1);
    assert.ok(error instanceof ProviderHttpError);
    assert.equal(error.code, "provider_auth_failed");
    assert.equal(error.body?.type, "INVALID_AUTH");
    assert.equal(error.retryable, false);

    fake.faults.push({
      kind: "status",
      status: 429,
      body: { err_code: "TOO_MANY_REQUESTS", err_msg: "Too many requests" },
      headers: { "Retry-After": "2" },
    });
    const limited = await readResults(
      stt().open({ sampleRateHz: 16_000, language: "en-US", signal: controller.signal }),
      1,
    );
    assert.ok(limited.error instanceof ProviderHttpError);
    assert.equal(limited.error.code, "provider_rate_limited");
    assert.equal(limited.error.retryable, true);
    assert.equal(limited.error.retryAfterMs, 2000);
  });

  test("slow handshake: a retryable timeout", async () => {
    fake.faults.push({ kind: "slow_first_byte", delayMs: 1000 });
    const { error } = await readResults(
      stt({ connectTimeoutMs: 150 }).open({
        sampleRateHz: 16_000,
        language: "en-US",
        signal: controller.signal,
      }),
      1,
    );
    assert.equal(error?.code, "provider_timeout");
    assert.equal(error?.retryable, true);
  });

  test("connection dropped mid-stream: a retryable error, no hang", async () => {
    fake.say("never finished");
    fake.faults.push({ kind: "drop_mid_stream", afterChunks: 5 });
    const stream = stt().open({ sampleRateHz: 16_000, language: "en-US", signal: controller.signal });
    for (const f of speech(400)) stream.write(f);
    const { error } = await readResults(stream, 1);
    assert.equal(error?.code, "stt_connection_lost");
    assert.equal(error?.retryable, true);
  });
});

describe("OpenAI-compatible transcription against the fake server", () => {
  const fake = new FakeOpenAiServer();
  const controller = new AbortController();
  before(() => fake.start());
  after(async () => {
    controller.abort();
    await fake.stop();
  });
  const stt = (extra: Record<string, unknown> = {}) =>
    new OpenAiSttProvider({ apiKey: "sk-test", baseUrl: fake.baseUrl, retry: { baseDelayMs: 10 }, ...extra });

  test("one WAV upload per utterance, one final each, in order; Russian language sent", async () => {
    let n = 0;
    fake.transcript = () => (++n === 1 ? " привет " : "как дела");
    const stream = stt({ model: "whisper-1" }).open({
      sampleRateHz: 16_000,
      language: "ru-RU",
      signal: controller.signal,
    });
    for (const f of speech(500)) stream.write(f);
    stream.finalize();
    for (const f of speech(300)) stream.write(f);
    stream.finalize();
    const { results } = await readResults(stream, 2);
    stream.close();
    assert.deepEqual(results, [
      { text: "привет", final: true },
      { text: "как дела", final: true },
    ]);
    const [a, b] = fake.transcriptionRequests.slice(-2);
    assert.deepEqual(a, {
      model: "whisper-1",
      language: "ru",
      audioBytes: 44 + 500 * 32,
      filename: "utterance.wav",
    });
    assert.equal(b?.audioBytes, 44 + 300 * 32);
  });

  test("a too-short utterance gives an empty final without a request", async () => {
    const before = fake.transcriptionRequests.length;
    const stream = stt().open({ sampleRateHz: 16_000, language: "en-US", signal: controller.signal });
    for (const f of speech(40)) stream.write(f);
    stream.finalize();
    const { results } = await readResults(stream, 1);
    stream.close();
    assert.deepEqual(results, [{ text: "", final: true }]);
    assert.equal(fake.transcriptionRequests.length, before);
  });

  test("error bodies end the stream with a typed error", async () => {
    fake.transcriptionFaults.push({
      kind: "status",
      status: 400,
      body: openAiErrorBody("Invalid file format.", "invalid_request_error", null, "file"),
    });
    const stream = stt().open({ sampleRateHz: 16_000, language: "en-US", signal: controller.signal });
    for (const f of speech(300)) stream.write(f);
    stream.finalize();
    const { error } = await readResults(stream, 1);
    assert.ok(error instanceof ProviderHttpError);
    assert.equal(error.retryable, false);
    assert.equal(error.body?.param, "file");
  });

  test("429 with Retry-After, a slow first byte and a dropped connection are retried", async () => {
    fake.transcript = () => "made it";
    const before = fake.transcriptionRequests.length;
    fake.transcriptionFaults.push(
      {
        kind: "status",
        status: 429,
        body: openAiErrorBody("Rate limit", "requests", "rate_limit_exceeded"),
        headers: { "retry-after-ms": "250" },
      },
      { kind: "slow_first_byte", delayMs: 1500 },
      { kind: "drop_mid_stream", afterChunks: 0 },
    );
    const stream = stt({ retry: { baseDelayMs: 10, attempts: 4, firstItemTimeoutMs: 300 } }).open({
      sampleRateHz: 16_000,
      language: "en-US",
      signal: controller.signal,
    });
    for (const f of speech(300)) stream.write(f);
    const start = performance.now();
    stream.finalize();
    const { results, error } = await readResults(stream, 1);
    stream.close();
    assert.equal(error, undefined);
    assert.deepEqual(results, [{ text: "made it", final: true }]);
    assert.equal(fake.transcriptionRequests.length - before, 4);
    assert.ok(performance.now() - start >= 250 + 300);
  });

  test("a dropped connection with retries exhausted is a retryable error, no hang", async () => {
    fake.transcriptionFaults.push({ kind: "drop_mid_stream", afterChunks: 0 });
    const stream = stt({ retry: { attempts: 1 } }).open({
      sampleRateHz: 16_000,
      language: "en-US",
      signal: controller.signal,
    });
    for (const f of speech(300)) stream.write(f);
    stream.finalize();
    const { error } = await readResults(stream, 1);
    assert.equal(error?.code, "provider_connection_failed");
    assert.equal(error?.retryable, true);
  });
});

async function waitFor<T>(get: () => T, until: (v: T) => boolean, timeoutMs = 3000): Promise<T> {
  const start = performance.now();
  for (;;) {
    const v = get();
    if (until(v)) return v;
    if (performance.now() - start > timeoutMs) assert.fail("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
