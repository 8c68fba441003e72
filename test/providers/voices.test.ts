import assert from "node:assert/strict";
import { readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { parseWav } from "../../src/pipeline/audio/wav-parse.js";
import { MissingCredentialError } from "../../src/pipeline/provider-setup/provider-credentials.js";
import {
  createTtsProvider,
  realtimeSessionOptions,
} from "../../src/pipeline/provider-setup/provider-factory.js";
import { listVoices, speakSample } from "../../src/pipeline/provider-setup/voice-catalog.js";
import { FakeElevenLabsServer } from "../../src/pipeline/testing/fake-servers/fake-elevenlabs-server.js";

describe("voices", () => {
  const fake = new FakeElevenLabsServer();
  before(() => fake.start());
  after(() => fake.stop());

  test("ElevenLabs voices come from its API, with our defaults marked", async () => {
    const voices = await listVoices(
      { provider: "elevenlabs", baseUrl: fake.baseUrl },
      { ELEVENLABS_API_KEY: "xi-test" },
    );
    assert.deepEqual(
      voices.map((v) => [v.id, v.name, v.defaultFor]),
      [
        ["21m00Tcm4TlvDq8ikWAM", "Rachel", ["en"]],
        ["EXAVITQu4vr4xnSDxMaL", "Sarah", ["ru"]],
      ],
    );
    await assert.rejects(
      listVoices({ provider: "elevenlabs", baseUrl: fake.baseUrl }, { ELEVENLABS_API_KEY: "bad" }),
      (e: Error & { code?: string }) => e.code === "provider_auth_failed",
    );
  });

  test("OpenAI voices are the documented list", async () => {
    const voices = await listVoices({ provider: "openai" }, {});
    assert.ok(voices.some((v) => v.id === "coral" && v.defaultFor.includes("en")));
    assert.ok(voices.some((v) => v.id === "nova" && v.defaultFor.includes("ru")));
  });

  test("speakSample writes a WAV of the synthesized speech", async () => {
    const out = join(tmpdir(), `ringagent-voice-${process.pid}.wav`);
    try {
      const tts = createTtsProvider(
        { provider: "elevenlabs", baseUrl: fake.baseUrl },
        { env: { ELEVENLABS_API_KEY: "xi-test" } },
      );
      const r = await speakSample(tts, "Hello.", out, 24_000);
      assert.equal(r.durationMs, fake.speechMs);
      assert.ok(r.firstAudioMs !== undefined);
      const wav = parseWav(new Uint8Array(readFileSync(out)));
      assert.equal(wav.sampleRateHz, 24_000);
      assert.equal(wav.samples.length, (24_000 * fake.speechMs) / 1000);
    } finally {
      rmSync(out, { force: true });
    }
  });

  test("realtime session options from config and env", () => {
    assert.throws(
      () =>
        realtimeSessionOptions({ provider: "openai-realtime" }, { env: {}, sampleRateHz: 16_000, tools: [] }),
      (e: unknown) => e instanceof MissingCredentialError && e.envVar === "OPENAI_API_KEY",
    );
    const o = realtimeSessionOptions(
      { provider: "openai-realtime", voice: "cedar" },
      {
        env: { OPENAI_API_KEY: "k" },
        sampleRateHz: 16_000,
        tools: [],
        language: "ru-RU",
        instructions: "Hi",
      },
    );
    assert.equal(o.model, "gpt-realtime");
    assert.equal(o.voice, "cedar");
    assert.equal(o.language, "ru-RU");
    assert.equal(o.instructions, "Hi");
  });
});
