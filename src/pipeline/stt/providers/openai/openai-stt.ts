/**
 * OpenAI-compatible transcription (POST /v1/audio/transcriptions, multipart) for servers without a
 * streaming API (OpenAI Whisper and gpt-4o-transcribe, Groq, faster-whisper servers, ...): the
 * caller's audio is collected per utterance and sent as one WAV when the pipeline finalizes, so there
 * are no partials, and each finalize() gives exactly one final, in order. Each upload is retried
 * through the retry base; an upload that still fails ends the stream with its typed error.
 */
import type OpenAI from "openai";
import { toFile } from "openai";
import type { AudioFrame } from "../../../../media/index.js";
import { type Clock, RingagentError, systemClock } from "../../../../shared/index.js";
import { AsyncChannel } from "../../../base/async-channel.js";
import { type RetryPolicy, retryingStream } from "../../../base/provider-retry.js";
import {
  createOpenAiClient,
  type OpenAiConnection,
  openAiError,
} from "../../../provider-setup/openai-client.js";
import { wavFile } from "../../../provider-setup/pcm-framer.js";
import type { SttProvider, SttResult, SttStream, SttStreamOptions } from "../../stt-types.js";

export interface OpenAiSttOptions extends OpenAiConnection {
  /** whisper-1, gpt-4o-mini-transcribe (default), gpt-4o-transcribe, or the server's model name. */
  readonly model?: string;
  /** Vocabulary hint (names, products) passed as `prompt`. */
  readonly prompt?: string;
  /** Utterances shorter than this are not sent (an empty final instead). Default 100. */
  readonly minUtteranceMs?: number;
  /** Audio kept per utterance at most (older audio is dropped). Default 30 000. */
  readonly maxUtteranceMs?: number;
  readonly retry?: Partial<RetryPolicy>;
  readonly clock?: Clock;
  readonly name?: string;
}

export class OpenAiSttProvider implements SttProvider {
  readonly name: string;
  readonly #o: OpenAiSttOptions;
  readonly #client: OpenAI;

  constructor(options: OpenAiSttOptions, client?: OpenAI) {
    this.name = options.name ?? "openai-stt";
    this.#o = options;
    this.#client = client ?? createOpenAiClient(options);
  }

  open(options: SttStreamOptions): SttStream {
    const o = this.#o;
    const name = this.name;
    const client = this.#client;
    const clock = o.clock ?? systemClock;
    const channel = new AsyncChannel<SttResult | RingagentError>();
    const maxSamples = ((o.maxUtteranceMs ?? 30_000) * options.sampleRateHz) / 1000;
    const minSamples = ((o.minUtteranceMs ?? 100) * options.sampleRateHz) / 1000;
    const language = options.language.split(/[-_]/)[0]?.toLowerCase() ?? "en";
    let frames: Int16Array[] = [];
    let samples = 0;
    let closed = false;
    let queue: Promise<void> = Promise.resolve();

    const transcribe = async (audio: Int16Array): Promise<string> => {
      const wav = wavFile(audio, options.sampleRateHz);
      const once = async function* (): AsyncGenerator<string> {
        try {
          const file = await toFile(wav, "utterance.wav", { type: "audio/wav" });
          const result = await client.audio.transcriptions.create(
            {
              file,
              model: o.azure?.deployment ?? o.model ?? "gpt-4o-mini-transcribe",
              language,
              response_format: "json",
              ...(o.prompt !== undefined ? { prompt: o.prompt } : {}),
            },
            { signal: options.signal },
          );
          yield result.text;
        } catch (error) {
          throw openAiError(name, error, options.signal);
        }
      };
      for await (const text of retryingStream(once, {
        provider: name,
        clock,
        signal: options.signal,
        ...(o.retry !== undefined ? { policy: o.retry } : {}),
      })) {
        return text.trim();
      }
      return "";
    };

    return {
      write(frame: AudioFrame): void {
        if (closed) return;
        frames.push(frame.samples);
        samples += frame.samples.length;
        while (samples > maxSamples && frames.length > 1) samples -= frames.shift()?.length ?? 0;
      },
      finalize(): void {
        if (closed) return;
        const audio = new Int16Array(samples);
        let at = 0;
        for (const f of frames) {
          audio.set(f, at);
          at += f.length;
        }
        frames = [];
        samples = 0;
        queue = queue.then(async () => {
          if (closed) return;
          try {
            const text = audio.length < minSamples ? "" : await transcribe(audio);
            channel.push({ text, final: true });
          } catch (error) {
            if (closed) return;
            channel.push(error instanceof RingagentError ? error : openAiError(name, error, options.signal));
            closed = true;
            channel.close();
          }
        });
      },
      async *results(): AsyncIterable<SttResult> {
        for (;;) {
          const item = await channel.next();
          if (item === undefined) return;
          if (item instanceof RingagentError) throw item;
          yield item;
        }
      },
      close(): void {
        closed = true;
        channel.close();
      },
    };
  }
}
