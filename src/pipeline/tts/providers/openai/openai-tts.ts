/**
 * OpenAI-compatible speech (POST /v1/audio/speech) through the official SDK. `pcm` (default) is raw
 * PCM16 mono at 24 kHz, streamed as it is synthesized: the first 20 ms frame leaves as soon as its
 * bytes arrive, resampled frame by frame only when the pipeline runs at another rate (a 24 kHz
 * pipeline needs none). `wav` is for compatible servers that cannot send raw PCM; its header gives
 * the rate.
 */
import type OpenAI from "openai";
import {
  createOpenAiClient,
  type OpenAiConnection,
  openAiError,
} from "../../../provider-setup/openai-client.js";
import { PcmFramer } from "../../../provider-setup/pcm-framer.js";
import { WavStreamReader } from "../../../provider-setup/wav-stream-reader.js";
import type { TtsChunk, TtsProvider, TtsRequest } from "../../tts-types.js";

/** OpenAI's `pcm` format: 24 kHz, 16-bit signed little-endian, mono. */
export const openAiPcmRateHz = 24_000;

export const openAiVoices = [
  "alloy",
  "ash",
  "ballad",
  "coral",
  "echo",
  "fable",
  "nova",
  "onyx",
  "sage",
  "shimmer",
  "verse",
] as const;

/** The voices are multilingual; these defaults were picked by ear for each language. */
export const openAiDefaultVoiceByLanguage: Readonly<Record<string, string>> = { en: "coral", ru: "nova" };

export interface OpenAiTtsOptions extends OpenAiConnection {
  /** Default gpt-4o-mini-tts. */
  readonly model?: string;
  /** Default by language (see openAiDefaultVoiceByLanguage). */
  readonly voice?: string;
  /** BCP 47 tag of the agent's language, e.g. "ru-RU"; picks the default voice. */
  readonly language?: string;
  readonly format?: "pcm" | "wav";
  /** 0.25 - 4.0. */
  readonly speed?: number;
  /** Speaking style for models that take it (gpt-4o-mini-tts). */
  readonly instructions?: string;
  readonly name?: string;
}

export class OpenAiTtsProvider implements TtsProvider {
  readonly name: string;
  readonly voice: string;
  readonly #client: OpenAI;
  readonly #o: OpenAiTtsOptions;

  constructor(options: OpenAiTtsOptions, client?: OpenAI) {
    this.name = options.name ?? "openai-tts";
    const language = (options.language ?? "en").slice(0, 2).toLowerCase();
    this.voice = options.voice ?? openAiDefaultVoiceByLanguage[language] ?? "alloy";
    this.#o = options;
    this.#client = client ?? createOpenAiClient(options);
  }

  async *synthesize(request: TtsRequest): AsyncIterable<TtsChunk> {
    const o = this.#o;
    const format = o.format ?? "pcm";
    let body: AsyncIterable<Uint8Array>;
    try {
      const response = await this.#client.audio.speech.create(
        {
          model: o.azure?.deployment ?? o.model ?? "gpt-4o-mini-tts",
          voice: this.voice,
          input: request.text,
          response_format: format,
          ...(o.speed !== undefined ? { speed: o.speed } : {}),
          ...(o.instructions !== undefined ? { instructions: o.instructions } : {}),
        },
        { signal: request.signal },
      );
      if (response.body === null) return;
      body = response.body;
    } catch (error) {
      throw openAiError(this.name, error, request.signal);
    }
    const wav = format === "wav" ? new WavStreamReader() : undefined;
    let framer = wav === undefined ? new PcmFramer(openAiPcmRateHz, request.sampleRateHz) : undefined;
    try {
      for await (const chunk of body) {
        let pcm = chunk;
        if (wav !== undefined) {
          pcm = wav.push(chunk);
          if (wav.sampleRateHz === undefined) continue;
          framer ??= new PcmFramer(wav.sampleRateHz, request.sampleRateHz);
        }
        for (const frame of framer?.push(pcm) ?? []) yield { frame };
      }
    } catch (error) {
      throw openAiError(this.name, error, request.signal);
    }
    for (const frame of framer?.flush() ?? []) yield { frame };
  }
}
