/**
 * Internal audio (design.md "Audio conventions"): PCM16 mono frames of exactly 20 ms, the sample
 * rate carried with the frame. Codecs convert at the media edge.
 */
export interface AudioFrame {
  /** Exactly `sampleRateHz / 50` samples (20 ms). */
  readonly samples: Int16Array;
  readonly sampleRateHz: number;
}

export const frameDurationMs = 20;

/** Samples in one 20 ms frame at `sampleRateHz`. */
export function samplesPerFrame(sampleRateHz: number): number {
  return (sampleRateHz * frameDurationMs) / 1000;
}

/** A silent 20 ms frame. */
export function silentFrame(sampleRateHz: number): AudioFrame {
  return { samples: new Int16Array(samplesPerFrame(sampleRateHz)), sampleRateHz };
}
