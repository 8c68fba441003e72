import {
  type AudioFrame,
  besselI0,
  Resampler,
  type ResamplerRateHz,
  resamplerRates,
  samplesPerFrame,
} from "../../media/index.js";
import type { PcmAudio } from "./wav-parse.js";

const isResamplerRate = (rateHz: number): rateHz is ResamplerRateHz =>
  (resamplerRates as readonly number[]).includes(rateHz);

/**
 * Any-ratio resampling of a whole buffer (e.g. espeak-ng's 22 050 Hz): a Kaiser-windowed sinc
 * evaluated at each output instant, cut off at 0.9 x the lower Nyquist. A real filter, no
 * interpolation shortcuts; used off the hot path, once per synthesized sentence.
 */
export function resampleBuffer(input: Int16Array, fromHz: number, toHz: number): Int16Array {
  if (fromHz === toHz) return input.slice();
  const ratio = fromHz / toHz;
  const cutoff = 0.9 * Math.min(1, toHz / fromHz); // in cycles per input sample x2 (normalized to input Nyquist)
  const half = Math.ceil(16 / cutoff);
  const beta = 8;
  const i0beta = besselI0(beta);
  const out = new Int16Array(Math.floor(input.length / ratio));
  for (let n = 0; n < out.length; n++) {
    const t = n * ratio;
    const center = Math.floor(t);
    let acc = 0;
    for (let k = center - half + 1; k <= center + half; k++) {
      if (k < 0 || k >= input.length) continue;
      const x = t - k;
      const r = x / half;
      if (r <= -1 || r >= 1) continue;
      const window = besselI0(beta * Math.sqrt(1 - r * r)) / i0beta;
      const arg = Math.PI * cutoff * x;
      const sinc = x === 0 ? 1 : Math.sin(arg) / arg;
      acc += (input[k] ?? 0) * cutoff * sinc * window;
    }
    out[n] = Math.max(-32768, Math.min(32767, Math.round(acc)));
  }
  return out;
}

/** Cuts PCM into 20 ms frames at `toHz` (resampled with the media Resampler when it supports the rates). */
export function toFrames(audio: PcmAudio, toHz: number): AudioFrame[] {
  let samples: Int16Array;
  if (audio.sampleRateHz === toHz) {
    samples = audio.samples;
  } else if (isResamplerRate(audio.sampleRateHz) && isResamplerRate(toHz)) {
    const resampler = new Resampler(audio.sampleRateHz, toHz);
    const n = samplesPerFrame(audio.sampleRateHz);
    const chunks: Int16Array[] = [];
    // Run one extra frame of silence through to flush the filter delay.
    const padded = new Int16Array(Math.ceil(audio.samples.length / n) * n + n);
    padded.set(audio.samples);
    for (let at = 0; at < padded.length; at += n) {
      chunks.push(
        resampler.process({ samples: padded.subarray(at, at + n), sampleRateHz: audio.sampleRateHz }).samples,
      );
    }
    const skip = Math.round(resampler.delaySamples);
    const total = Math.round((audio.samples.length * toHz) / audio.sampleRateHz);
    const joined = new Int16Array(chunks.reduce((a, c) => a + c.length, 0));
    let at = 0;
    for (const c of chunks) {
      joined.set(c, at);
      at += c.length;
    }
    samples = joined.subarray(skip, skip + total);
  } else {
    samples = resampleBuffer(audio.samples, audio.sampleRateHz, toHz);
  }
  const n = samplesPerFrame(toHz);
  const frames: AudioFrame[] = [];
  for (let at = 0; at < samples.length; at += n) {
    const frame = new Int16Array(n);
    frame.set(samples.subarray(at, Math.min(samples.length, at + n)));
    frames.push({ samples: frame, sampleRateHz: toHz });
  }
  return frames;
}
