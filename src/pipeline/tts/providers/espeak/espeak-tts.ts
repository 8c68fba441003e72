import { limitLeadingSilence } from "../../../audio/leading-silence.js";
import { toFrames } from "../../../audio/pcm-convert.js";
import { parseWav } from "../../../audio/wav-parse.js";
import type { TtsChunk, TtsProvider, TtsRequest } from "../../tts-types.js";
import { runSynthesizer } from "../run-synthesizer.js";

export interface EspeakOptions {
  /** An espeak-ng voice/language: "ru", "en-us", "de"... */
  readonly voice?: string;
  /** Words per minute. */
  readonly rateWpm?: number;
  readonly command?: string;
  readonly timeoutMs?: number;
}

/**
 * Offline TTS for the languages flite lacks (Russian first): `espeak-ng -v ru --stdout`, text on
 * stdin (so no text is ever read as an option). espeak-ng writes 22 050 Hz, resampled here.
 */
export class EspeakTtsProvider implements TtsProvider {
  readonly name = "espeak-ng";
  readonly voice: string;
  readonly #rateWpm: number;
  readonly #command: string;
  readonly #timeoutMs: number;

  constructor(options: EspeakOptions = {}) {
    this.voice = options.voice ?? "ru";
    this.#rateWpm = options.rateWpm ?? 165;
    this.#command = options.command ?? "espeak-ng";
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async *synthesize(request: TtsRequest): AsyncIterable<TtsChunk> {
    const wav = await runSynthesizer({
      provider: this.name,
      command: this.#command,
      args: ["-v", this.voice, "-s", String(this.#rateWpm), "--stdout"],
      stdin: request.text,
      installHint: "apt-get install espeak-ng",
      signal: request.signal,
      timeoutMs: this.#timeoutMs,
    });
    for (const frame of toFrames(limitLeadingSilence(parseWav(wav)), request.sampleRateHz)) yield { frame };
  }
}
