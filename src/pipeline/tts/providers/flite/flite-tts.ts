import { limitLeadingSilence } from "../../../audio/leading-silence.js";
import { toFrames } from "../../../audio/pcm-convert.js";
import { parseWav } from "../../../audio/wav-parse.js";
import type { TtsChunk, TtsProvider, TtsRequest } from "../../tts-types.js";
import { runSynthesizerToFile } from "../run-synthesizer.js";

const outputPlaceholder = "{output.wav}";

export type FliteVoice = "slt" | "kal16" | "kal" | "rms" | "awb";

export interface FliteOptions {
  readonly voice?: FliteVoice;
  /** Path of the flite binary. */
  readonly command?: string;
  readonly timeoutMs?: number;
}

/**
 * Offline English TTS: `flite -voice V -t TEXT -o FILE` (flite cannot write to a pipe), the WAV parsed and resampled to the
 * pipeline rate, cut into 20 ms frames. One process per sentence (40-110 ms each on the test bed).
 */
export class FliteTtsProvider implements TtsProvider {
  readonly name = "flite";
  readonly voice: FliteVoice;
  readonly #command: string;
  readonly #timeoutMs: number;

  constructor(options: FliteOptions = {}) {
    this.voice = options.voice ?? "slt";
    this.#command = options.command ?? "flite";
    this.#timeoutMs = options.timeoutMs ?? 10_000;
  }

  async *synthesize(request: TtsRequest): AsyncIterable<TtsChunk> {
    // A leading "-" would read as an option.
    const text = request.text.startsWith("-") ? ` ${request.text}` : request.text;
    const wav = await runSynthesizerToFile({
      provider: this.name,
      command: this.#command,
      args: ["-voice", this.voice, "-t", text, "-o", outputPlaceholder],
      outputFileArg: outputPlaceholder,
      installHint: "apt-get install flite",
      signal: request.signal,
      timeoutMs: this.#timeoutMs,
    });
    for (const frame of toFrames(limitLeadingSilence(parseWav(wav)), request.sampleRateHz)) yield { frame };
  }
}
