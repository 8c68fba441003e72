/** Signal checks for audio tests: normalised cross-correlation at the best lag. */

function correlationAt(a: Int16Array, b: Int16Array, lag: number): number {
  let dot = 0;
  let ea = 0;
  let eb = 0;
  const n = Math.min(a.length, b.length - lag);
  for (let i = 0; i < n; i++) {
    const x = a[i] ?? 0;
    const y = b[i + lag] ?? 0;
    dot += x * y;
    ea += x * x;
    eb += y * y;
  }
  return ea === 0 || eb === 0 ? 0 : dot / Math.sqrt(ea * eb);
}

/** The lag (ms) in [0, maxLagMs] at which `received` best matches `sent`, and that correlation. */
export function bestLag(
  sent: Int16Array,
  received: Int16Array,
  rateHz: number,
  maxLagMs: number,
): { lagMs: number; correlation: number } {
  let best = { lag: 0, c: -1 };
  const maxLag = Math.floor((maxLagMs * rateHz) / 1000);
  // Coarse search every 1 ms, then refine around the best sample.
  const step = Math.max(1, Math.floor(rateHz / 1000));
  for (let lag = 0; lag <= maxLag; lag += step) {
    const c = correlationAt(sent, received, lag);
    if (c > best.c) best = { lag, c };
  }
  for (let lag = Math.max(0, best.lag - step); lag <= best.lag + step; lag++) {
    const c = correlationAt(sent, received, lag);
    if (c > best.c) best = { lag, c };
  }
  return { lagMs: (best.lag * 1000) / rateHz, correlation: best.c };
}
