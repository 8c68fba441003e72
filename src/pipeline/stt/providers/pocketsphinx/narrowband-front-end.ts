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
 * buffer) brings it back to the 16 kHz figures.
 *
 * Input at 16 kHz or more may still be telephone audio (the pipeline runs at 16 kHz and a PCMU call
 * is upsampled before it): the band is filled until the input proves wideband ({@link provenWideMin}
 * speech frames with energy above 4.6 kHz); `bandKnown` once either is likely (decoding waits for
 * it), and the check goes on until the input proves wideband.
 */
/** Speech frames with energy above 4.2 kHz that prove the input wideband. */
export const provenWideMin = 5;
/**
 * Speech frames without it that prove the input narrowband (the check then stops): 10 when none
 * had a high band (upsampled telephone audio measures ~1e-8: unmistakable), else 50. Decoding waits
 * for the decision, so it is kept short: 20 callers whose first second is held back would all hit
 * the decoder pool at once.
 */
const provenNarrowMin = 10;
const provenNarrowMax = 50;
/** A frame is speech above this RMS (about -40 dBFS). */
const speechRms = 300;
/** High-band to total energy above this is wideband (upsampled 8 kHz audio measures ~1e-8). */
const wideEnergyRatio = 1e-5;

export class SpeechFrontEnd {
  readonly inputRateHz: number;
  readonly #resampler: Resampler | undefined;
  readonly #noise: Int16Array | undefined;
  #noiseAt = 0;
  /** Band check state (input above 8 kHz): undecided, or the decision. */
  #band: "unknown" | "narrow" | "wide";
  readonly #checking: boolean;
  #wideFrames = 0;
  #narrowFrames = 0;
  readonly #history = new Float64Array(highPassTaps.length - 1);

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
    this.#noise = fillDb !== null ? highBandNoise(fillDb) : undefined;
    this.#band = inputRateHz === 8000 ? "narrow" : fillDb === null ? "wide" : "unknown";
    this.#checking = this.#band === "unknown";
  }

  /** Whether the output is telephone-band audio with the band filled (so far, above 8 kHz input). */
  get narrowband(): boolean {
    return this.#band !== "wide";
  }

  /** Whether the band is known (always for 8 kHz input; otherwise once the check is certain). */
  get bandKnown(): boolean {
    return this.#band !== "unknown";
  }

  process(frame: AudioFrame): Int16Array {
    const wide = this.#resampler === undefined ? frame.samples : this.#resampler.process(frame).samples;
    // Narrowband may still turn out wideband (a short first "no" has little above 4 kHz).
    if (this.#checking && this.#band !== "wide") this.#checkBand(wide);
    const noise = this.#noise;
    if (noise === undefined || this.#band === "wide") return wide;
    const out = new Int16Array(wide.length);
    for (let i = 0; i < wide.length; i++) {
      const v = (wide[i] ?? 0) + (noise[this.#noiseAt] ?? 0);
      this.#noiseAt = (this.#noiseAt + 1) % noise.length;
      out[i] = v > 32767 ? 32767 : v < -32768 ? -32768 : v;
    }
    return out;
  }

  /** High-band energy share of one frame (FIR high-pass at 4.6 kHz, history kept across frames). */
  #checkBand(samples: Int16Array): void {
    const taps = highPassTaps;
    const h = this.#history;
    const n = taps.length - 1;
    let total = 0;
    let high = 0;
    for (let i = 0; i < samples.length; i++) {
      const x = samples[i] ?? 0;
      total += x * x;
      let y = (taps[0] ?? 0) * x;
      for (let t = 1; t <= n; t++)
        y += (taps[t] ?? 0) * (i - t >= 0 ? (samples[i - t] ?? 0) : (h[n + i - t] ?? 0));
      high += y * y;
    }
    // Keep the last n samples for the next frame.
    if (samples.length >= n) for (let t = 0; t < n; t++) h[t] = samples[samples.length - n + t] ?? 0;
    else {
      h.copyWithin(0, samples.length);
      for (let t = 0; t < samples.length; t++) h[n - samples.length + t] = samples[t] ?? 0;
    }
    if (samples.length === 0 || Math.sqrt(total / samples.length) < speechRms) return;
    if (high / total > wideEnergyRatio) {
      if (++this.#wideFrames >= provenWideMin) this.#band = "wide";
    } else {
      this.#narrowFrames++;
      const enough = this.#wideFrames === 0 ? provenNarrowMin : provenNarrowMax;
      if (this.#narrowFrames >= enough && this.#band === "unknown") this.#band = "narrow";
    }
  }
}

/** A high-pass at 4.6 kHz (16 kHz; sharp enough that upsampled 8 kHz audio stays below the ratio): a delta minus a Kaiser low-pass. */
const highPassLength = 127;
const highPassTaps: Float64Array = (() => {
  const low = kaiserLowPass(highPassLength, 4600 / 16000, 8);
  const out = new Float64Array(low.length);
  const mid = (low.length - 1) / 2;
  for (let i = 0; i < low.length; i++) out[i] = (i === mid ? 1 : 0) - (low[i] ?? 0);
  return out;
})();

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
