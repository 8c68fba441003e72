/**
 * For `ringagent voices`: the voices a TTS configuration can use, and a sample of one as a WAV.
 */
import { writeFile } from "node:fs/promises";
import { AbortedError } from "../../shared/index.js";
import { elevenLabsDefaultVoiceByLanguage } from "../tts/providers/elevenlabs/elevenlabs-tts.js";
import { openAiDefaultVoiceByLanguage, openAiVoices } from "../tts/providers/openai/openai-tts.js";
import type { TtsProvider } from "../tts/tts-types.js";
import { errorFromResponse } from "./http-error.js";
import { wavFile } from "./pcm-framer.js";
import { credential, type Env } from "./provider-credentials.js";
import type { ProviderOptionsInput } from "./provider-factory.js";
import { defaultKeyEnv } from "./provider-options.js";

export interface VoiceInfo {
  readonly provider: string;
  readonly id: string;
  readonly name: string;
  /** Languages the voice is meant for ("*" = multilingual). */
  readonly languages: readonly string[];
  /** Languages for which this is our default voice. */
  readonly defaultFor: readonly string[];
}

const fliteVoices = ["slt", "kal16", "kal", "rms", "awb"];

const defaultsOf = (byLanguage: Readonly<Record<string, string>>, id: string): string[] =>
  Object.entries(byLanguage)
    .filter(([, v]) => v === id)
    .map(([k]) => k);

/** Lists the voices of the configured TTS provider (ElevenLabs asks its API; others are known lists). */
export async function listVoices(
  ttsOptions: ProviderOptionsInput,
  env: Env,
  signal: AbortSignal = AbortSignal.timeout(10_000),
): Promise<VoiceInfo[]> {
  switch (ttsOptions.provider) {
    case "openai":
      return openAiVoices.map((id) => ({
        provider: "openai",
        id,
        name: id,
        languages: ["*"],
        defaultFor: defaultsOf(openAiDefaultVoiceByLanguage, id),
      }));
    case "elevenlabs": {
      const o = ttsOptions as { apiKey?: string; apiKeyEnv?: string; baseUrl?: string };
      const apiKey = credential("tts (elevenlabs)", o, env, defaultKeyEnv.elevenlabs);
      const response = await fetch(new URL("/v1/voices", o.baseUrl ?? "https://api.elevenlabs.io"), {
        headers: { "xi-api-key": apiKey },
        signal,
      }).catch((error: unknown) => {
        throw signal.aborted ? new AbortedError("voices") : error;
      });
      if (!response.ok) throw await errorFromResponse("elevenlabs", response, Date.now());
      const body = (await response.json()) as {
        voices?: Array<{ voice_id?: unknown; name?: unknown; labels?: unknown }>;
      };
      return (body.voices ?? []).flatMap((v) => {
        if (typeof v.voice_id !== "string") return [];
        const labels = (v.labels ?? {}) as Record<string, unknown>;
        return [
          {
            provider: "elevenlabs",
            id: v.voice_id,
            name: typeof v.name === "string" ? v.name : v.voice_id,
            // With the multilingual models every voice speaks every language; the label is its native one.
            languages: typeof labels.language === "string" ? [labels.language, "*"] : ["*"],
            defaultFor: defaultsOf(elevenLabsDefaultVoiceByLanguage, v.voice_id),
          },
        ];
      });
    }
    case "flite":
      return fliteVoices.map((id) => ({
        provider: "flite",
        id,
        name: id,
        languages: ["en"],
        defaultFor: id === "slt" ? ["en"] : [],
      }));
    default:
      return [];
  }
}

/** Synthesizes `text` with `tts` into a mono PCM16 WAV at `outWav`; returns its length and the first-audio time. */
export async function speakSample(
  tts: TtsProvider,
  text: string,
  outWav: string,
  sampleRateHz = 16_000,
  signal: AbortSignal = AbortSignal.timeout(30_000),
): Promise<{ durationMs: number; firstAudioMs: number | undefined }> {
  const start = performance.now();
  let firstAudioMs: number | undefined;
  const chunks: Int16Array[] = [];
  for await (const chunk of tts.synthesize({ text, sampleRateHz, signal })) {
    firstAudioMs ??= performance.now() - start;
    chunks.push(chunk.frame.samples);
  }
  const samples = new Int16Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    samples.set(c, at);
    at += c.length;
  }
  await writeFile(outWav, wavFile(samples, sampleRateHz));
  return { durationMs: (samples.length / sampleRateHz) * 1000, firstAudioMs };
}
