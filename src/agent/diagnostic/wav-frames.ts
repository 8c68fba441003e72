/** WAV files as 20 ms frames and back (diagnostic agents and the `call` command). */
import { type AudioFrame, samplesPerFrame } from "../../media/index.js";
import { RingagentError } from "../../shared/index.js";
import { channelSamples, readWavFile, writeMonoWavFile } from "../../store/index.js";

const playableRatesHz = new Set([8000, 16000, 24000, 48000]);

/** Reads a PCM16 WAV (first channel) as 20 ms frames; the last frame is padded with silence. */
export async function readWavFrames(path: string): Promise<AudioFrame[]> {
  const wav = await readWavFile(path);
  if (!playableRatesHz.has(wav.sampleRateHz)) {
    throw new RingagentError(
      "wav_rate_unsupported",
      `${path}: ${wav.sampleRateHz} Hz is not playable; convert it to 8, 16, 24 or 48 kHz (sox in.wav -r 16000 out.wav)`,
    );
  }
  const mono = wav.channels === 1 ? wav.samples : channelSamples(wav, 0);
  return framesOf(mono, wav.sampleRateHz);
}

export function framesOf(samples: Int16Array, sampleRateHz: number): AudioFrame[] {
  const size = samplesPerFrame(sampleRateHz);
  const frames: AudioFrame[] = [];
  for (let offset = 0; offset < samples.length; offset += size) {
    const chunk = new Int16Array(size);
    chunk.set(samples.subarray(offset, Math.min(offset + size, samples.length)));
    frames.push({ samples: chunk, sampleRateHz });
  }
  return frames;
}

/** Collects frames of one rate in memory and writes them as a mono WAV. */
export class WavRecorder {
  readonly #chunks: Int16Array[] = [];
  #sampleRateHz: number | undefined;
  #samples = 0;

  add(frame: AudioFrame): void {
    this.#sampleRateHz ??= frame.sampleRateHz;
    if (frame.sampleRateHz !== this.#sampleRateHz) return;
    this.#chunks.push(frame.samples);
    this.#samples += frame.samples.length;
  }

  get durationMs(): number {
    return this.#sampleRateHz === undefined ? 0 : (this.#samples * 1000) / this.#sampleRateHz;
  }

  async write(path: string, fallbackRateHz = 16000): Promise<void> {
    const all = new Int16Array(this.#samples);
    let offset = 0;
    for (const chunk of this.#chunks) {
      all.set(chunk, offset);
      offset += chunk.length;
    }
    await writeMonoWavFile(path, all, this.#sampleRateHz ?? fallbackRateHz);
  }
}
