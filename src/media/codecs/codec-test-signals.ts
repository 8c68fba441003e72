/** Test signals and measurements shared by codec and resampler tests. */

export function sine(
  frequencyHz: number,
  sampleRateHz: number,
  count: number,
  amplitude = 10000,
): Int16Array {
  const out = new Int16Array(count);
  for (let i = 0; i < count; i++)
    out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * frequencyHz * i) / sampleRateHz));
  return out;
}

/** Speech-like: harmonics of a gliding 120-220 Hz pitch through two moving formant-ish peaks, syllabic envelope. */
export function speechLike(sampleRateHz: number, count: number): Int16Array {
  const out = new Int16Array(count);
  let phase = 0;
  for (let i = 0; i < count; i++) {
    const t = i / sampleRateHz;
    const f0 = 170 + 50 * Math.sin(2 * Math.PI * 1.3 * t);
    phase += (2 * Math.PI * f0) / sampleRateHz;
    const envelope = 0.55 + 0.45 * Math.sin(2 * Math.PI * 4 * t);
    let v = 0;
    for (let h = 1; h * f0 < Math.min(3400, sampleRateHz / 2 - 200); h++) {
      const f = h * f0;
      const formant =
        Math.exp(-(((f - 700) / 300) ** 2)) + 0.6 * Math.exp(-(((f - 1800 - 300 * Math.sin(t)) / 400) ** 2));
      v += ((formant + 0.05) * Math.sin(h * phase)) / Math.sqrt(h);
    }
    out[i] = Math.round(Math.max(-32768, Math.min(32767, 6000 * envelope * v)));
  }
  return out;
}

/** Best integer lag of `output` against `input` (output[i + lag] ~ input[i]) within [0, maxLag]. */
export function bestLag(
  input: Int16Array,
  output: Int16Array,
  maxLag: number,
  from: number,
  to: number,
): number {
  let best = Number.NEGATIVE_INFINITY;
  let lag = 0;
  for (let l = 0; l <= maxLag; l++) {
    let c = 0;
    for (let i = from; i < to; i++) c += (input[i] ?? 0) * (output[i + l] ?? 0);
    if (c > best) {
      best = c;
      lag = l;
    }
  }
  return lag;
}

/** SNR in dB of output (shifted by lag) against input over [from, to). */
export function snrDb(input: Int16Array, output: Int16Array, lag: number, from: number, to: number): number {
  let signal = 0;
  let noise = 0;
  for (let i = from; i < to; i++) {
    const x = input[i] ?? 0;
    signal += x * x;
    noise += (x - (output[i + lag] ?? 0)) ** 2;
  }
  return 10 * Math.log10(signal / Math.max(noise, 1e-9));
}

export function rms(samples: Int16Array, from = 0, to = samples.length): number {
  let e = 0;
  for (let i = from; i < to; i++) e += (samples[i] ?? 0) ** 2;
  return Math.sqrt(e / Math.max(1, to - from));
}
