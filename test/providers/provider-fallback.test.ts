import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type AudioFrame, samplesPerFrame } from "../../src/media/index.js";
import type { LlmProvider } from "../../src/pipeline/llm/llm-types.js";
import { MissingCredentialError } from "../../src/pipeline/provider-setup/provider-credentials.js";
import {
  createLlmProvider,
  createSttProvider,
  createTtsProvider,
} from "../../src/pipeline/provider-setup/provider-factory.js";
import type { SttResult } from "../../src/pipeline/stt/stt-types.js";
import { FakeDeepgramServer } from "../../src/pipeline/testing/fake-servers/fake-deepgram-server.js";
import {
  elevenLabsErrorBody,
  FakeElevenLabsServer,
} from "../../src/pipeline/testing/fake-servers/fake-elevenlabs-server.js";
import {
  FakeOpenAiServer,
  openAiErrorBody,
} from "../../src/pipeline/testing/fake-servers/fake-openai-server.js";
import { ConfigError, type RingagentError, systemClock } from "../../src/shared/index.js";

async function text(llm: LlmProvider): Promise<string> {
  let out = "";
  for await (const e of llm.stream({
    messages: [{ role: "user", content: "Hi" }],
    tools: [],
    signal: AbortSignal.timeout(5000),
  })) {
    if (e.kind === "text") out += e.text;
  }
  return out;
}

function speech(ms: number): AudioFrame[] {
  return Array.from({ length: ms / 20 }, () => ({
    samples: new Int16Array(samplesPerFrame(16_000)).fill(1000),
    sampleRateHz: 16_000,
  }));
}

describe("provider factory", () => {
  const ctx = { env: {}, field: "agents.receptionist.llm" };

  test("a missing key names the environment variable", () => {
    assert.throws(
      () => createLlmProvider({ provider: "openai", model: "gpt-4o-mini" }, ctx),
      (e: unknown) =>
        e instanceof MissingCredentialError &&
        e.envVar === "OPENAI_API_KEY" &&
        e.message.includes("OPENAI_API_KEY"),
    );
    assert.throws(
      () =>
        createLlmProvider(
          { provider: "openai", apiKeyEnv: "GROQ_API_KEY", baseUrl: "https://api.groq.com/openai/v1" },
          ctx,
        ),
      (e: unknown) => e instanceof MissingCredentialError && e.envVar === "GROQ_API_KEY",
    );
    assert.throws(
      () => createSttProvider({ provider: "deepgram" }, { env: {} }),
      (e: unknown) => e instanceof MissingCredentialError && e.envVar === "DEEPGRAM_API_KEY",
    );
    assert.throws(
      () => createTtsProvider({ provider: "elevenlabs" }, { env: {} }),
      (e: unknown) => e instanceof MissingCredentialError && e.envVar === "ELEVENLABS_API_KEY",
    );
    assert.throws(
      () =>
        createLlmProvider(
          {
            provider: "openai",
            httpTools: [
              {
                name: "crm",
                description: "CRM",
                parameters: {},
                url: "https://crm.example/x",
                auth: { header: "Authorization", env: "CRM_TOKEN" },
              },
            ],
          },
          { env: { OPENAI_API_KEY: "k" } },
        ),
      (e: unknown) => e instanceof MissingCredentialError && e.envVar === "CRM_TOKEN",
    );
  });

  test("keys from the environment; local servers need none", () => {
    assert.equal(createLlmProvider({ provider: "openai" }, { env: { OPENAI_API_KEY: "k" } }).name, "openai");
    assert.equal(
      createLlmProvider(
        { provider: "openai", baseUrl: "http://127.0.0.1:11434/v1", model: "llama3.2" },
        { env: {} },
      ).name,
      "openai",
    );
    assert.equal(
      createTtsProvider({ provider: "elevenlabs" }, { env: { ELEVENLABS_API_KEY: "k" }, language: "ru-RU" })
        .voice,
      "EXAVITQu4vr4xnSDxMaL",
    );
    assert.equal(
      createTtsProvider({ provider: "openai" }, { env: { OPENAI_API_KEY: "k" }, language: "ru-RU" }).voice,
      "nova",
    );
  });

  test("bad options are a ConfigError naming the field", () => {
    assert.throws(
      () =>
        createLlmProvider({ provider: "openai", temperature: 5 }, { ...ctx, env: { OPENAI_API_KEY: "k" } }),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.some((p) => p.startsWith("agents.receptionist.llm.temperature:")),
    );
    assert.throws(
      () =>
        createTtsProvider(
          { provider: "elevenlabs", stabilty: 0.5 },
          { env: { ELEVENLABS_API_KEY: "k" }, field: "agents.a.tts" },
        ),
      (e: unknown) => e instanceof ConfigError && e.problems.some((p) => p.includes("agents.a.tts")),
    );
    assert.throws(
      () => createLlmProvider({ provider: "gpt5-local" }, ctx),
      (e: unknown) =>
        e instanceof ConfigError && e.problems[0]?.startsWith("agents.receptionist.llm.provider:") === true,
    );
    assert.throws(
      () =>
        createLlmProvider(
          { provider: "openai", fallback: [{ provider: "openai", maxTokens: -1 }] },
          { ...ctx, env: { OPENAI_API_KEY: "k" } },
        ),
      (e: unknown) =>
        e instanceof ConfigError &&
        e.problems.some((p) => p.startsWith("agents.receptionist.llm.fallback.0.maxTokens")),
    );
  });

  test("builtins make the offline engines", () => {
    const fake = { name: "script", stream: async function* () {} } satisfies LlmProvider;
    assert.equal(
      createLlmProvider({ provider: "script" }, { env: {}, builtins: { llm: { script: () => fake } } }),
      fake,
    );
  });
});

describe("fallback between configured providers", () => {
  const primary = new FakeOpenAiServer();
  const secondary = new FakeOpenAiServer();
  const eleven = new FakeElevenLabsServer();
  const deepgram = new FakeDeepgramServer();
  const switches: string[] = [];
  const onSwitch = (from: string, to: string, e: RingagentError): void => {
    switches.push(`${from}->${to}:${e.code}`);
  };
  before(async () => {
    await Promise.all([primary.start(), secondary.start(), eleven.start(), deepgram.start()]);
    primary.chatReply = () => ({ text: "from primary" });
    secondary.chatReply = () => ({ text: "from secondary" });
  });
  after(() => Promise.all([primary.stop(), secondary.stop(), eleven.stop(), deepgram.stop()]));

  const llmOptions = () => ({
    provider: "openai",
    baseUrl: primary.baseUrl,
    fallback: [{ provider: "openai", baseUrl: secondary.baseUrl }],
  });

  test("LLM: a non-retryable error switches at once; the failed provider then waits its turn", async () => {
    const llm = createLlmProvider(llmOptions(), { env: {}, clock: systemClock, onSwitch });
    primary.chatFaults.push({
      kind: "status",
      status: 401,
      body: openAiErrorBody("bad key", "invalid_request_error", "invalid_api_key"),
    });
    const p0 = primary.chatRequests.length;
    assert.equal(await text(llm), "from secondary");
    assert.equal(primary.chatRequests.length - p0, 1, "no retry of a 401");
    assert.equal(switches.at(-1), "openai->openai:provider_auth_failed");
    assert.equal(await text(llm), "from secondary");
    assert.equal(primary.chatRequests.length - p0, 1, "the failed primary is skipped while cooling down");
  });

  test("LLM: exhausted retries switch", async () => {
    const llm = createLlmProvider(llmOptions(), { env: {}, clock: systemClock, onSwitch });
    primary.chatFaults.push(
      { kind: "status", status: 503, body: openAiErrorBody("overloaded", "server_error") },
      { kind: "status", status: 503, body: openAiErrorBody("overloaded", "server_error") },
    );
    const p0 = primary.chatRequests.length;
    assert.equal(await text(llm), "from secondary");
    assert.equal(primary.chatRequests.length - p0, 2);
    assert.equal(await text(llm), "from secondary");
  });

  test("LLM: when every provider fails, one non-retryable error", async () => {
    const llm = createLlmProvider(llmOptions(), { env: {}, clock: systemClock });
    const bad = {
      kind: "status",
      status: 400,
      body: openAiErrorBody("no", "invalid_request_error"),
    } as const;
    primary.chatFaults.push(bad);
    secondary.chatFaults.push(bad);
    await assert.rejects(text(llm), (e: RingagentError) => e.code === "provider_all_failed" && !e.retryable);
  });

  test("TTS: ElevenLabs failing falls back to OpenAI speech", async () => {
    const tts = createTtsProvider(
      {
        provider: "elevenlabs",
        baseUrl: eleven.baseUrl,
        fallback: [{ provider: "openai", baseUrl: secondary.baseUrl }],
      },
      { env: { ELEVENLABS_API_KEY: "xi-test" }, clock: systemClock, onSwitch },
    );
    eleven.faults.push(
      { kind: "status", status: 500, body: elevenLabsErrorBody("internal", "boom") },
      { kind: "status", status: 500, body: elevenLabsErrorBody("internal", "boom") },
    );
    const s0 = secondary.speechRequests.length;
    const frames: AudioFrame[] = [];
    for await (const c of tts.synthesize({
      text: "Hello.",
      sampleRateHz: 16_000,
      signal: AbortSignal.timeout(5000),
    }))
      frames.push(c.frame);
    assert.equal(frames.length, secondary.speechMs / 20);
    assert.equal(secondary.speechRequests.length - s0, 1);
    assert.equal(switches.at(-1), "elevenlabs->openai-tts:provider_unavailable");
  });

  test("STT: a dropped Deepgram stream reconnects and replays the unfinished utterance", async () => {
    const stt = createSttProvider(
      { provider: "deepgram", baseUrl: deepgram.baseUrl },
      { env: { DEEPGRAM_API_KEY: "dg-test" }, clock: systemClock },
    );
    deepgram.faults.push({ kind: "drop_mid_stream", afterChunks: 10 });
    deepgram.say("call me back tomorrow");
    const c0 = deepgram.connections.length;
    const stream = stt.open({ sampleRateHz: 16_000, language: "en-US", signal: AbortSignal.timeout(5000) });
    for (const f of speech(800)) stream.write(f);
    await new Promise((r) => setTimeout(r, 200)); // let the drop and the reconnect happen
    stream.finalize();
    const finals: SttResult[] = [];
    for await (const r of stream.results())
      if (r.final) {
        finals.push(r);
        break;
      }
    stream.close();
    assert.deepEqual(finals, [{ text: "call me back tomorrow", final: true }]);
    assert.equal(deepgram.connections.length - c0, 2);
    assert.equal(deepgram.connections.at(-1)?.audioBytes, 800 * 32, "the whole utterance was replayed");
  });

  test("STT: Deepgram refusing the key falls back to OpenAI transcription", async () => {
    secondary.transcript = () => "fallback words";
    const stt = createSttProvider(
      {
        provider: "deepgram",
        baseUrl: deepgram.baseUrl,
        apiKey: "wrong",
        fallback: [{ provider: "openai", baseUrl: secondary.baseUrl }],
      },
      { env: {}, clock: systemClock, onSwitch },
    );
    const stream = stt.open({ sampleRateHz: 16_000, language: "ru-RU", signal: AbortSignal.timeout(5000) });
    for (const f of speech(400)) stream.write(f);
    stream.finalize();
    const results: SttResult[] = [];
    for await (const r of stream.results()) {
      results.push(r);
      if (r.final) break;
    }
    stream.close();
    assert.deepEqual(results, [{ text: "fallback words", final: true }]);
    assert.equal(secondary.transcriptionRequests.at(-1)?.language, "ru");
    assert.equal(switches.at(-1), "deepgram->openai-stt:provider_auth_failed");
  });
});
