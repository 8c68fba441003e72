/** Kaiser-windowed sinc low-pass design (the prototype filter of the polyphase resampler). */

/** Zeroth-order modified Bessel function of the first kind, by its power series. */
export function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const half = x / 2;
  for (let k = 1; k < 50; k++) {
    term *= (half / k) * (half / k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

/**
 * An odd-length linear-phase low-pass: `taps` coefficients, cutoff as a fraction of the sample rate
 * (0 < cutoff < 0.5), Kaiser window with `beta` (8 gives about 80 dB stop-band attenuation). DC gain 1.
 */
export function kaiserLowPass(taps: number, cutoff: number, beta: number): Float64Array {
  const h = new Float64Array(taps);
  const mid = (taps - 1) / 2;
  const i0Beta = besselI0(beta);
  let sum = 0;
  for (let n = 0; n < taps; n++) {
    const t = n - mid;
    const sinc = t === 0 ? 2 * cutoff : Math.sin(2 * Math.PI * cutoff * t) / (Math.PI * t);
    const r = mid === 0 ? 0 : t / mid;
    const w = besselI0(beta * Math.sqrt(Math.max(0, 1 - r * r))) / i0Beta;
    h[n] = sinc * w;
    sum += sinc * w;
  }
  for (let n = 0; n < taps; n++) h[n] = (h[n] ?? 0) / sum;
  return h;
}
