/**
 * Streaming rational resampler between 8, 16, 24 and 48 kHz: a polyphase FIR built from one
 * Kaiser-windowed sinc prototype (upsample by L, low-pass, downsample by M, computing only the kept
 * outputs). History is carried across frames, so consecutive 20 ms frames join without clicks; each
 * 20 ms input frame gives exactly one 20 ms output frame. Pure and synchronous.
 *
 * Ratios 2:1 and 1:2 (8 <-> 16 kHz: every narrowband call, both directions) take a dedicated,
 * cheaper path (factor-two-resampler.ts) unless filter options are given; it runs on WebAssembly SIMD
 * (factor-two-simd.ts) where the runtime supports it, else on the JavaScript loops. close() releases
 * that path's wasm memory at once (garbage collection releases it otherwise).
 */
import { RingagentError } from "../../shared/index.js";
import { type AudioFrame, samplesPerFrame } from "./audio-frame.js";
import {
  createFactorTwoDownsampler,
  createFactorTwoUpsampler,
  type FactorTwoEngine,
  type FactorTwoPath,
} from "./factor-two-simd.js";
import { kaiserLowPass } from "./kaiser-filter.js";

export type ResamplerRateHz = 8000 | 16000 | 24000 | 48000;

export const resamplerRates: readonly ResamplerRateHz[] = [8000, 16000, 24000, 48000];

export interface ResamplerOptions {
  /** Zero crossings of the sinc per side at the lower rate; more = sharper transition. Default 16. */
  readonly halfLengthAtLowRate?: number;
  /** Kaiser beta; 8 is about 80 dB stop-band. */
  readonly beta?: number;
  /** Cutoff as a fraction of the lower rate's Nyquist frequency. Default 0.9. */
  readonly passbandFraction?: number;
  /**
   * "js" keeps the 2:1 / 1:2 path on its JavaScript loops (the reference, for tests and benches);
   * "auto" (default) uses WebAssembly SIMD when the runtime has it. Not a filter option.
   */
  readonly engine?: "auto" | "js";
}

function gcd(a: number, b: number): number {
  return b === 0 ? a : gcd(b, a % b);
}

export class Resampler {
  readonly inputRateHz: number;
  readonly outputRateHz: number;
  /** Output delay of the filter in output samples (linear phase). */
  readonly delaySamples: number;
  private readonly up: number;
  private readonly down: number;
  private readonly tapsPerPhase: number;
  /** phases[p][t] = L * h[p + t*L]: polyphase components, gain restored for the zero stuffing. */
  private readonly phases: Float64Array[];
  private readonly inputFrameSamples: number;
  private readonly outputFrameSamples: number;
  /** Last (tapsPerPhase - 1) inputs, then room for one frame. */
  private readonly buffer: Float64Array;
  /** The 2:1 / 1:2 path, when it applies. */
  private readonly factorTwo: FactorTwoPath | undefined;
  /** Which loops the 2:1 / 1:2 path runs; undefined on the general path. */
  readonly factorTwoEngine: FactorTwoEngine | undefined;
  /** Output of processTransient(), rewritten by each call. */
  private readonly transient: Int16Array;

  constructor(inputRateHz: ResamplerRateHz, outputRateHz: ResamplerRateHz, options: ResamplerOptions = {}) {
    if (!resamplerRates.includes(inputRateHz) || !resamplerRates.includes(outputRateHz)) {
      throw new RingagentError(
        "media_resampler_rate",
        `unsupported resampler rates ${inputRateHz}->${outputRateHz}`,
      );
    }
    this.inputRateHz = inputRateHz;
    this.outputRateHz = outputRateHz;
    const g = gcd(inputRateHz, outputRateHz);
    this.up = outputRateHz / g;
    this.down = inputRateHz / g;
    const upRate = inputRateHz * this.up;
    const lowRate = Math.min(inputRateHz, outputRateHz);
    const half = (options.halfLengthAtLowRate ?? 16) * (upRate / lowRate);
    const length = 2 * half + 1;
    const cutoff = ((options.passbandFraction ?? 0.9) * (lowRate / 2)) / upRate;
    const h = kaiserLowPass(length, cutoff, options.beta ?? 8);
    this.tapsPerPhase = Math.ceil(length / this.up);
    this.phases = [];
    for (let p = 0; p < this.up; p++) {
      const phase = new Float64Array(this.tapsPerPhase);
      for (let t = 0; t < this.tapsPerPhase; t++) phase[t] = (h[p + t * this.up] ?? 0) * this.up;
      this.phases.push(phase);
    }
    this.inputFrameSamples = samplesPerFrame(inputRateHz);
    this.outputFrameSamples = samplesPerFrame(outputRateHz);
    const customFilter =
      options.halfLengthAtLowRate !== undefined ||
      options.beta !== undefined ||
      options.passbandFraction !== undefined;
    if (!customFilter && this.up === 1 && this.down === 2) {
      this.factorTwo = createFactorTwoDownsampler(this.inputFrameSamples, options.engine);
    } else if (!customFilter && this.up === 2 && this.down === 1) {
      this.factorTwo = createFactorTwoUpsampler(this.inputFrameSamples, options.engine);
    }
    this.factorTwoEngine = this.factorTwo?.engine;
    this.delaySamples = this.factorTwo?.delaySamples ?? half / this.down;
    // The general path's state is not used by the 2:1 / 1:2 path.
    this.buffer = new Float64Array(
      this.factorTwo === undefined ? this.tapsPerPhase - 1 + this.inputFrameSamples : 0,
    );
    this.transient = new Int16Array(this.outputFrameSamples);
  }

  /** One 20 ms frame at the input rate -> one new 20 ms frame at the output rate. */
  process(frame: AudioFrame): AudioFrame {
    return {
      samples: this.#run(frame, new Int16Array(this.outputFrameSamples)),
      sampleRateHz: this.outputRateHz,
    };
  }

  /**
   * Like process(), but the returned frame's samples are this resampler's own buffer, rewritten by
   * the next call: for a frame consumed at once (encoded and sent), without an allocation per frame.
   */
  processTransient(frame: AudioFrame): AudioFrame {
    return { samples: this.#run(frame, this.transient), sampleRateHz: this.outputRateHz };
  }

  #run(frame: AudioFrame, out: Int16Array): Int16Array {
    if (frame.sampleRateHz !== this.inputRateHz || frame.samples.length !== this.inputFrameSamples) {
      throw new RingagentError("media_frame_format", "resampler wants 20 ms frames at its input rate");
    }
    const input = frame.samples;
    if (this.factorTwo !== undefined) {
      this.factorTwo.process(input, out);
      return out;
    }
    if (this.up === 1 && this.down === 1) {
      out.set(input);
      return out;
    }
    const history = this.tapsPerPhase - 1;
    const buf = this.buffer;
    for (let i = 0; i < input.length; i++) buf[history + i] = input[i] ?? 0;
    const { up, down, tapsPerPhase } = this;
    for (let n = 0; n < out.length; n++) {
      // Position n*M on the upsampled grid: phase p, newest input sample index base.
      const position = n * down;
      const p = position % up;
      const base = history + (position - p) / up;
      const coeffs = this.phases[p] as Float64Array;
      let acc = 0;
      // Indices are in range by construction (base >= history >= tapsPerPhase - 1); the `as number`
      // avoids a per-tap `?? 0` in the hottest loop of the media path.
      for (let t = 0; t < tapsPerPhase; t++) acc += (coeffs[t] as number) * (buf[base - t] as number);
      const v = Math.round(acc);
      out[n] = v > 32767 ? 32767 : Math.max(v, -32768);
    }
    // 20 ms of input is an integer number of M-blocks (rates are multiples of 50 Hz * M), so the phase
    // restarts at 0 each frame; keep the newest `history` inputs.
    buf.copyWithin(0, input.length, input.length + history);
    return out;
  }

  reset(): void {
    this.buffer.fill(0);
    this.factorTwo?.reset();
  }

  /** Releases the 2:1 / 1:2 path's wasm memory now; the resampler must not be used afterwards. */
  close(): void {
    this.factorTwo?.close();
  }
}
