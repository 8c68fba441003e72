import { type AudioFrame, kaiserLowPass, Resampler, type ResamplerRateHz } from "../../../../media/index.js";
import { RingagentError } from "../../../../shared/index.js";

/** Level of the high-band noise added to upsampled telephone audio (RMS, dBFS). */
export const defaultBandFillDb = -42;

const noiseSeconds = 1;

/**
 * Makes 20 ms frames at any supported rate into 16 kHz frames for the 16 kHz acoustic model.
 *
 * Telephone audio (8 kHz) upsampled has nothing above 4 kHz; the model's upper mel filters (up to
 * 6.8 kHz) then see near-zero energy that it never saw in training, and recognition collapses
 * (~97% WER on the test bed). Filling the empty band with faint white noise high-passed at 4.2 kHz
 * (the test bed's transcribe8k.sh trick, done here in-process with a precomputed, looped noise
 * buffer) brings it back to the 16 kHz figures. Wideband input passes through (resampled if needed).
 */
export class SpeechFrontEnd {
  readonly inputRateHz: number;
  readonly #resampler: Resampler | undefined;
  readonly #noise: Int16Array | undefined;
  #noiseAt = 0;

  constructor(inputRateHz: number, options: { bandFillDb?: number | null } = {}) {
    if (![8000, 16000, 24000, 48000].includes(inputRateHz)) {
      throw new RingagentError(
        "stt_rate_unsupported",
        `pocketsphinx front end cannot take ${inputRateHz} Hz`,
      );
    }
    this.inputRateHz = inputRateHz;
    this.#resampler =
      inputRateHz === 16000 ? undefined : new Resampler(inputRateHz as ResamplerRateHz, 16000);
    const fillDb = options.bandFillDb === undefined ? defaultBandFillDb : options.bandFillDb;
    this.#noise = inputRateHz === 8000 && fillDb !== null ? highBandNoise(fillDb) : undefined;
  }

  process(frame: AudioFrame): Int16Array {
    const wide = this.#resampler === undefined ? frame.samples : this.#resampler.process(frame).samples;
    const noise = this.#noise;
    if (noise === undefined) return wide;
    const out = new Int16Array(wide.length);
    for (let i = 0; i < wide.length; i++) {
      const v = (wide[i] ?? 0) + (noise[this.#noiseAt] ?? 0);
      this.#noiseAt = (this.#noiseAt + 1) % noise.length;
      out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    return out;
  }
}

const noiseByLevel = new Map<number, Int16Array>();

/** One second of deterministic white noise, high-passed at 4.2 kHz, at `levelDb` RMS (16 kHz); shared. */
function highBandNoise(levelDb: number): Int16Array {
  const cached = noiseByLevel.get(levelDb);
  if (cached !== undefined) return cached;
  const made = makeHighBandNoise(levelDb);
  noiseByLevel.set(levelDb, made);
  return made;
}

function makeHighBandNoise(levelDb: number): Int16Array {
  const n = 16000 * noiseSeconds;
  const white = new Float64Array(n);
  let state = 0x2545f491;
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    white[i] = (state / 0xffffffff) * 2 - 1;
  }
  const low = kaiserLowPass(127, 4200 / 16000, 8);
  const mid = (low.length - 1) / 2;
  const high = new Float64Array(n);
  let power = 0;
  for (let i = 0; i < n; i++) {
    let lowPassed = 0;
    for (let t = 0; t < low.length; t++) lowPassed += (low[t] ?? 0) * (white[(i - t + n) % n] ?? 0); // circular: loops cleanly
    const v = (white[(i - mid + n) % n] ?? 0) - lowPassed;
    high[i] = v;
    power += v * v;
  }
  const gain = (32768 * 10 ** (levelDb / 20)) / Math.sqrt(power / n);
  const out = new Int16Array(n);
  for (let i = 0; i < n; i++) out[i] = Math.round((high[i] ?? 0) * gain);
  return out;
}
