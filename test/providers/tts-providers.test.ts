import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { AudioFrame } from "../../src/media/index.js";
import { type RetryPolicy, retryingStream } from "../../src/pipeline/base/provider-retry.js";
import { ProviderHttpError } from "../../src/pipeline/provider-setup/http-error.js";
import {
  elevenLabsErrorBody,
  FakeElevenLabsServer,
} from "../../src/pipeline/testing/fake-servers/fake-elevenlabs-server.js";
import {
  FakeOpenAiServer,
  openAiErrorBody,
} from "../../src/pipeline/testing/fake-servers/fake-openai-server.js";
import { ElevenLabsTtsProvider } from "../../src/pipeline/tts/providers/elevenlabs/elevenlabs-tts.js";
import { OpenAiTtsProvider } from "../../src/pipeline/tts/providers/openai/openai-tts.js";
import type { TtsProvider } from "../../src/pipeline/tts/tts-types.js";
import { RingagentError, systemClock } from "../../src/shared/index.js";

async function speak(
  tts: TtsProvider,
  sampleRateHz: number,
  policy: Partial<RetryPolicy> = {},
): Promise<AudioFrame[]> {
  const signal = AbortSignal.timeout(10_000);
  const frames: AudioFrame[] = [];
  const stream = retryingStream(() => tts.synthesize({ text: "Hello there.", sampleRateHz, signal }), {
    provider: tts.name,
    clock: systemClock,
    signal,
    policy: { baseDelayMs: 10, ...policy },
  });
  for await (const chunk of stream) frames.push(chunk.frame);
  return frames;
}

async function failure(p: Promise<unknown>): Promise<RingagentError> {
  try {
    await p;
  } catch (error) {
    assert.ok(error instanceof RingagentError, `expected a RingagentError, got ${String(error)}`);
    return error;
  }
  assert.fail("expected a failure");
}

function assertTone(frames: readonly AudioFrame[], sampleRateHz: number, speechMs: number): void {
  assert.equal(frames.length, speechMs / 20);
  for (const f of frames) {
    assert.equal(f.sampleRateHz, sampleRateHz);
    assert.equal(f.samples.length, sampleRateHz / 50);
  }
  // The 440 Hz tone at amplitude 8000 survives framing (and resampling) intact in the middle.
  const mid = frames[Math.floor(frames.length / 2)]?.samples ?? new Int16Array();
  const peak = Math.max(...mid.map((s) => Math.abs(s)));
  assert.ok(peak > 7000 && peak < 9000, `peak ${peak}`);
}

describe("OpenAI-compatible TTS against the fake server", () => {
  const fake = new FakeOpenAiServer();
  before(() => fake.start());
  after(() => fake.stop());
  const tts = (extra: Record<string, unknown> = {}) =>
    new OpenAiTtsProvider({ apiKey: "sk-test", baseUrl: fake.baseUrl, ...extra });

  for (const rateHz of [24_000, 16_000, 8000, 48_000]) {
    test(`streams pcm 24 kHz as 20 ms frames at ${rateHz} Hz`, async () => {
      assertTone(await speak(tts(), rateHz), rateHz, fake.speechMs);
      assert.equal(fake.speechRequests.at(-1)?.response_format, "pcm");
    });
  }

  test("streams a WAV from servers that only send WAV", async () => {
    assertTone(await speak(tts({ format: "wav" }), 16_000), 16_000, fake.speechMs);
    assert.equal(fake.speechRequests.at(-1)?.response_format, "wav");
  });

  test("voice by language: Russian gets its default voice", async () => {
    await speak(tts({ language: "ru-RU" }), 16_000);
    assert.equal(fake.speechRequests.at(-1)?.voice, "nova");
    await speak(tts({ language: "en-US", voice: "onyx", model: "tts-1" }), 16_000);
    assert.equal(fake.speechRequests.at(-1)?.voice, "onyx");
    assert.equal(fake.speechRequests.at(-1)?.model, "tts-1");
  });

  test("error bodies become typed errors", async () => {
    fake.speechFaults.push({
      kind: "status",
      status: 400,
      body: openAiErrorBody("bad voice", "invalid_request_error", null, "voice"),
    });
    const e = await failure(speak(tts(), 16_000));
    assert.ok(e instanceof ProviderHttpError);
    assert.equal(e.retryable, false);
    assert.equal(e.body?.param, "voice");
  });

  test("slow first byte: timeout, then a retry that succeeds", async () => {
    fake.speechFaults.push({ kind: "slow_first_byte", delayMs: 1500 });
    const n = fake.speechRequests.length;
    assertTone(await speak(tts(), 16_000, { firstItemTimeoutMs: 300 }), 16_000, fake.speechMs);
    assert.equal(fake.speechRequests.length - n, 2);
  });

  test("connection dropped mid-stream: a retryable error, no hang", async () => {
    fake.speechFaults.push({ kind: "drop_mid_stream", afterChunks: 2 });
    const e = await failure(speak(tts(), 16_000));
    assert.equal(e.code, "provider_connection_failed");
    assert.equal(e.retryable, true);
  });
});

describe("ElevenLabs TTS against the fake server", () => {
  const fake = new FakeElevenLabsServer();
  before(() => fake.start());
  after(() => fake.stop());
  const tts = (extra: Record<string, unknown> = {}) =>
    new ElevenLabsTtsProvider({ apiKey: "xi-test", baseUrl: fake.baseUrl, ...extra });

  for (const rateHz of [16_000, 8000, 24_000, 48_000]) {
    test(`asks for pcm_${rateHz} and streams 20 ms frames without resampling`, async () => {
      assertTone(await speak(tts(), rateHz), rateHz, fake.speechMs);
      assert.equal(fake.requests.at(-1)?.outputFormat, `pcm_${rateHz}`);
    });
  }

  test("Russian: language_code ru and the Russian default voice reach the server", async () => {
    await speak(tts({ language: "ru-RU" }), 16_000);
    const r = fake.requests.at(-1);
    assert.equal(r?.body.language_code, "ru");
    assert.equal(r?.body.model_id, "eleven_flash_v2_5");
    assert.equal(r?.voiceId, "EXAVITQu4vr4xnSDxMaL");
  });

  test("error bodies {detail:{status,message}} become typed errors", async () => {
    const badKey = await failure(speak(tts({ apiKey: "wrong" }), 16_000));
    assert.ok(badKey instanceof ProviderHttpError);
    assert.equal(badKey.code, "provider_auth_failed");
    assert.equal(badKey.body?.type, "invalid_api_key");
    assert.equal(badKey.retryable, false);
    const noVoice = await failure(speak(tts({ voice: "nope" }), 16_000));
    assert.equal(noVoice.code, "provider_not_found");
    fake.faults.push(
      { kind: "status", status: 503, body: elevenLabsErrorBody("system_busy", "busy") },
      { kind: "status", status: 503, body: elevenLabsErrorBody("system_busy", "busy") },
    );
    const busy = await failure(speak(tts(), 16_000, { attempts: 2 }));
    assert.equal(busy.retryable, true);
    assert.equal(busy.code, "provider_unavailable");
  });

  test("429 with Retry-After in seconds is honoured, then the retry succeeds", async () => {
    fake.faults.push({
      kind: "status",
      status: 429,
      body: elevenLabsErrorBody("too_many_concurrent_requests", "Too many concurrent requests"),
      headers: { "retry-after": "1" },
    });
    const start = performance.now();
    assertTone(await speak(tts(), 16_000), 16_000, fake.speechMs);
    assert.ok(performance.now() - start >= 1000, "waited the Retry-After second");
  });

  test("slow first byte: timeout, then a retry that succeeds", async () => {
    fake.faults.push({ kind: "slow_first_byte", delayMs: 1500 });
    const n = fake.requests.length;
    assertTone(await speak(tts(), 16_000, { firstItemTimeoutMs: 300 }), 16_000, fake.speechMs);
    assert.equal(fake.requests.length - n, 2);
  });

  test("its own header deadline also gives a retryable timeout", async () => {
    fake.faults.push({ kind: "slow_first_byte", delayMs: 1500 });
    const e = await failure(speak(tts({ timeoutMs: 200 }), 16_000, { attempts: 1 }));
    assert.equal(e.code, "provider_timeout");
    assert.equal(e.retryable, true);
  });

  test("connection dropped mid-stream: a retryable error, no hang", async () => {
    fake.faults.push({ kind: "drop_mid_stream", afterChunks: 2 });
    const e = await failure(speak(tts(), 16_000));
    assert.equal(e.code, "provider_connection_failed");
    assert.equal(e.retryable, true);
  });
});
