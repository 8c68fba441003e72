/**
 * ElevenLabs streaming speech: POST {baseUrl}/v1/text-to-speech/{voice_id}/stream with
 * `output_format=pcm_<rate>` and the `xi-api-key` header. ElevenLabs renders raw PCM16 mono at the
 * rate we ask for, so the pipeline rate is requested directly (8, 16, 24 or 48 kHz: no resampling).
 * Errors come as {"detail":{"status","message"}}.
 */
import { AbortedError, type Clock, systemClock } from "../../../../shared/index.js";
import { ProviderError } from "../../../base/provider-retry.js";
import { connectionError, errorFromResponse } from "../../../provider-setup/http-error.js";
import { PcmFramer } from "../../../provider-setup/pcm-framer.js";
import type { TtsChunk, TtsProvider, TtsRequest } from "../../tts-types.js";

/** Output rates ElevenLabs renders as raw PCM. */
export const elevenLabsPcmRatesHz = [8000, 16_000, 22_050, 24_000, 44_100, 48_000] as const;

/** Premade voices that speak both languages well with the multilingual models. */
export const elevenLabsDefaultVoiceByLanguage: Readonly<Record<string, string>> = {
  en: "21m00Tcm4TlvDq8ikWAM", // Rachel
  ru: "EXAVITQu4vr4xnSDxMaL", // Sarah
};

export interface ElevenLabsTtsOptions {
  readonly apiKey: string;
  /** Default https://api.elevenlabs.io. */
  readonly baseUrl?: string;
  /** Voice id; default by language. */
  readonly voice?: string;
  /** eleven_flash_v2_5 (default: low latency, 32 languages including Russian), eleven_multilingual_v2, ... */
  readonly model?: string;
  /** BCP 47 tag of the agent's language; sent as language_code (ISO 639-1). */
  readonly language?: string;
  readonly stability?: number;
  readonly similarityBoost?: number;
  readonly speed?: number;
  /** Deadline for the response headers. */
  readonly timeoutMs?: number;
  readonly name?: string;
  readonly clock?: Clock;
}

export class ElevenLabsTtsProvider implements TtsProvider {
  readonly name: string;
  readonly voice: string;
  readonly #o: ElevenLabsTtsOptions;
  readonly #language: string;

  constructor(options: ElevenLabsTtsOptions) {
    this.name = options.name ?? "elevenlabs";
    this.#language = (options.language ?? "en").slice(0, 2).toLowerCase();
    this.voice = options.voice ?? elevenLabsDefaultVoiceByLanguage[this.#language] ?? "21m00Tcm4TlvDq8ikWAM";
    this.#o = options;
  }

  /** The output format for a pipeline rate: that rate when ElevenLabs renders it, else the nearest above. */
  static outputRateFor(sampleRateHz: number): number {
    return (elevenLabsPcmRatesHz as readonly number[]).includes(sampleRateHz)
      ? sampleRateHz
      : (elevenLabsPcmRatesHz.find((r) => r >= sampleRateHz) ?? 48_000);
  }

  async *synthesize(request: TtsRequest): AsyncIterable<TtsChunk> {
    const o = this.#o;
    const rateHz = ElevenLabsTtsProvider.outputRateFor(request.sampleRateHz);
    const url = new URL(
      `/v1/text-to-speech/${encodeURIComponent(this.voice)}/stream`,
      o.baseUrl ?? "https://api.elevenlabs.io",
    );
    url.searchParams.set("output_format", `pcm_${rateHz}`);
    const settings = {
      ...(o.stability !== undefined ? { stability: o.stability } : {}),
      ...(o.similarityBoost !== undefined ? { similarity_boost: o.similarityBoost } : {}),
      ...(o.speed !== undefined ? { speed: o.speed } : {}),
    };
    const model = o.model ?? "eleven_flash_v2_5";
    const body = {
      text: request.text,
      model_id: model,
      // Only the v2.5 models take a language code; the others detect the language from the text.
      ...(model.endsWith("v2_5") ? { language_code: this.#language } : {}),
      ...(Object.keys(settings).length > 0 ? { voice_settings: settings } : {}),
    };
    const framer = new PcmFramer(rateHz, request.sampleRateHz);
    const attempt = new AbortController();
    let timedOut = false;
    const deadline = (o.clock ?? systemClock).setTimer(o.timeoutMs ?? 10_000, () => {
      timedOut = true;
      attempt.abort();
    });
    let response: Response;
    try {
      response = await fetch(url, {
        method: "POST",
        headers: { "xi-api-key": o.apiKey, "content-type": "application/json", accept: "audio/pcm" },
        body: JSON.stringify(body),
        signal: AbortSignal.any([request.signal, attempt.signal]),
      });
    } catch (error) {
      throw this.#error(error, request.signal, timedOut);
    } finally {
      deadline.cancel();
    }
    try {
      if (!response.ok)
        throw await errorFromResponse(this.name, response, (o.clock ?? systemClock).epochMs());
      if (response.body === null) return;
      for await (const chunk of response.body) {
        for (const frame of framer.push(chunk)) yield { frame };
      }
    } catch (error) {
      throw this.#error(error, request.signal, false);
    } finally {
      attempt.abort(); // the consumer stopped early: release the connection
    }
    for (const frame of framer.flush()) yield { frame };
  }

  #error(error: unknown, signal: AbortSignal, timedOut: boolean): unknown {
    if (error instanceof ProviderError) return error;
    if (signal.aborted) return signal.reason ?? new AbortedError(this.name);
    if (timedOut) {
      return new ProviderError(this.name, "provider_timeout", `${this.name} timed out`, { retryable: true });
    }
    return connectionError(this.name, error);
  }
}
