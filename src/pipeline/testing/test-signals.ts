import { type AudioFrame, samplesPerFrame } from "../../media/index.js";

/**
 * A voiced-speech stand-in: a 150 Hz fundamental with two harmonics at about `levelDb` dBFS RMS,
 * continuous in phase across frames (`frameIndex`).
 */
export function voicedFrame(sampleRateHz: number, frameIndex: number, levelDb = -18): AudioFrame {
  const n = samplesPerFrame(sampleRateHz);
  const samples = new Int16Array(n);
  const rms = 32768 * 10 ** (levelDb / 20);
  // Three equal sines: RMS of the sum = amplitude * sqrt(3/2).
  const amplitude = rms / Math.sqrt(1.5);
  for (let i = 0; i < n; i++) {
    const t = (frameIndex * n + i) / sampleRateHz;
    const v =
      Math.sin(2 * Math.PI * 150 * t) + Math.sin(2 * Math.PI * 300 * t) + Math.sin(2 * Math.PI * 450 * t);
    samples[i] = Math.round(amplitude * v);
  }
  return { samples, sampleRateHz };
}

/** Quiet background noise (deterministic) at about `levelDb` dBFS. */
export function noiseFrame(sampleRateHz: number, seed: number, levelDb = -70): AudioFrame {
  const n = samplesPerFrame(sampleRateHz);
  const samples = new Int16Array(n);
  const amplitude = 32768 * 10 ** (levelDb / 20) * Math.sqrt(3);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    samples[i] = Math.round(((state / 0xffffffff) * 2 - 1) * amplitude);
  }
  return { samples, sampleRateHz };
}

/** Sum of frames (saturating). */
export function mixFrames(a: AudioFrame, b: AudioFrame, gainB = 1): AudioFrame {
  const samples = new Int16Array(a.samples.length);
  for (let i = 0; i < samples.length; i++) {
    const v = (a.samples[i] ?? 0) + gainB * (b.samples[i] ?? 0);
    samples[i] = Math.max(-32768, Math.min(32767, Math.round(v)));
  }
  return { samples, sampleRateHz: a.sampleRateHz };
}
