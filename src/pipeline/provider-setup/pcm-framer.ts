/**
 * Turns a stream of little-endian PCM16 bytes (as HTTP bodies and WebSocket messages deliver them,
 * cut anywhere, even mid-sample) into 20 ms frames at the pipeline rate. When the provider's rate
 * differs, the media layer's streaming polyphase resampler converts frame by frame (so the first
 * frame leaves as soon as 20 ms of audio arrived). Pure and synchronous.
 */
import {
  type AudioFrame,
  Resampler,
  type ResamplerRateHz,
  resamplerRates,
  samplesPerFrame,
} from "../../media/index.js";
import { RingagentError } from "../../shared/index.js";

export const isResamplerRate = (rateHz: number): rateHz is ResamplerRateHz =>
  (resamplerRates as readonly number[]).includes(rateHz);

export class PcmFramer {
  readonly inputRateHz: number;
  readonly outputRateHz: number;
  readonly #resampler: Resampler | undefined;
  readonly #frame: Int16Array;
  #filled = 0;
  /** A byte left over from a chunk that ended mid-sample. */
  #oddByte: number | undefined;

  constructor(inputRateHz: number, outputRateHz: number) {
    if (inputRateHz !== outputRateHz && !(isResamplerRate(inputRateHz) && isResamplerRate(outputRateHz))) {
      throw new RingagentError(
        "pipeline_rate_unsupported",
        `cannot stream-resample ${inputRateHz} Hz to ${outputRateHz} Hz (use 8, 16, 24 or 48 kHz)`,
      );
    }
    this.inputRateHz = inputRateHz;
    this.outputRateHz = outputRateHz;
    this.#resampler =
      inputRateHz === outputRateHz
        ? undefined
        : new Resampler(inputRateHz as ResamplerRateHz, outputRateHz as ResamplerRateHz);
    this.#frame = new Int16Array(samplesPerFrame(inputRateHz));
  }

  /** Adds bytes; returns the frames they completed. */
  push(bytes: Uint8Array): AudioFrame[] {
    const out: AudioFrame[] = [];
    let at = 0;
    if (this.#oddByte !== undefined && bytes.length > 0) {
      this.#put(((bytes[0] ?? 0) << 8) | this.#oddByte, out);
      this.#oddByte = undefined;
      at = 1;
    }
    for (; at + 1 < bytes.length; at += 2) {
      this.#put(((bytes[at + 1] ?? 0) << 8) | (bytes[at] ?? 0), out);
    }
    if (at < bytes.length) this.#oddByte = bytes[at];
    return out;
  }

  /** The last partial frame, padded with silence (none when the audio ended on a frame boundary). */
  flush(): AudioFrame[] {
    this.#oddByte = undefined;
    if (this.#filled === 0) return [];
    this.#frame.fill(0, this.#filled);
    this.#filled = 0;
    return [this.#emit()];
  }

  #put(unsigned: number, out: AudioFrame[]): void {
    this.#frame[this.#filled++] = unsigned >= 0x8000 ? unsigned - 0x10000 : unsigned;
    if (this.#filled === this.#frame.length) {
      this.#filled = 0;
      out.push(this.#emit());
    }
  }

  #emit(): AudioFrame {
    const frame = { samples: this.#frame.slice(), sampleRateHz: this.inputRateHz };
    return this.#resampler === undefined ? frame : this.#resampler.process(frame);
  }
}

/** PCM16 little-endian bytes of a frame (for upload to providers). */
export function frameBytes(samples: Int16Array): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const view = new DataView(out.buffer);
  for (let i = 0; i < samples.length; i++) view.setInt16(i * 2, samples[i] ?? 0, true);
  return out;
}

/** A mono PCM16 RIFF/WAVE file around `samples`. */
export function wavFile(samples: Int16Array, sampleRateHz: number): Uint8Array {
  const data = frameBytes(samples);
  const out = new Uint8Array(44 + data.length);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string): void => {
    for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  };
  ascii(0, "RIFF");
  view.setUint32(4, 36 + data.length, true);
  ascii(8, "WAVE");
  ascii(12, "fmt ");
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true);
  view.setUint16(22, 1, true);
  view.setUint32(24, sampleRateHz, true);
  view.setUint32(28, sampleRateHz * 2, true);
  view.setUint16(32, 2, true);
  view.setUint16(34, 16, true);
  ascii(36, "data");
  view.setUint32(40, data.length, true);
  out.set(data, 44);
  return out;
}
