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

/**
 * Correlation that tolerates a receiver's adaptive jitter buffer (which stretches or drops a few
 * ms here and there): `sent` is cut into `windowMs` windows; each voiced window (RMS above
 * `minRms`) is matched in `received` around `lagMs` (± `slackMs`); the result is the
 * energy-weighted mean of the per-window best correlations.
 */
export function windowedCorrelation(
  sent: Int16Array,
  received: Int16Array,
  rateHz: number,
  options: { lagMs: number; windowMs?: number; slackMs?: number; minRms?: number },
): { correlation: number; windows: number } {
  const window = Math.floor(((options.windowMs ?? 200) * rateHz) / 1000);
  const slack = Math.floor(((options.slackMs ?? 40) * rateHz) / 1000);
  const center = Math.round((options.lagMs * rateHz) / 1000);
  const minRms = options.minRms ?? 300;
  let weighted = 0;
  let totalEnergy = 0;
  let windows = 0;
  for (let start = 0; start + window <= sent.length; start += window) {
    const a = sent.subarray(start, start + window);
    let energy = 0;
    for (const x of a) energy += x * x;
    if (Math.sqrt(energy / window) < minRms) continue;
    let best = -1;
    for (let lag = center - slack; lag <= center + slack; lag++) {
      const from = start + lag;
      if (from < 0 || from + window > received.length) continue;
      const c = correlationAt(a, received.subarray(from, from + window), 0);
      if (c > best) best = c;
    }
    if (best < -0.5) continue;
    weighted += best * energy;
    totalEnergy += energy;
    windows++;
  }
  return { correlation: totalEnergy === 0 ? 0 : weighted / totalEnergy, windows };
}
