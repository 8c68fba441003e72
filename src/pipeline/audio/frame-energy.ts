/** Cheap per-frame measurements used by the VAD and the echo guard (pure, allocation-free). */

/** Energy of a PCM16 frame in dBFS (a full-scale square wave is 0 dB); silence is floored at -100. */
export function frameEnergyDb(samples: Int16Array): number {
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    sum += s * s;
  }
  const mean = sum / Math.max(1, samples.length) / (32768 * 32768);
  return mean <= 1e-10 ? -100 : 10 * Math.log10(mean);
}

/**
 * Energy of the first difference over the energy of the signal: about 2 for white noise, well below 1
 * for voiced speech (most energy under 1 kHz). A cheap spectral-tilt cue that rejects hiss.
 */
export function highBandRatio(samples: Int16Array): number {
  let energy = 0;
  let diffEnergy = 0;
  let previous = samples[0] ?? 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] ?? 0;
    energy += s * s;
    const d = s - previous;
    diffEnergy += d * d;
    previous = s;
  }
  return energy === 0 ? 0 : diffEnergy / energy;
}
