/**
 * Fixed-bin histogram of send lateness (actual send time minus scheduled time) for pacing jitter
 * p50/p99. No allocation per sample: 0.1 ms bins up to `maxMs`, one overflow bin above it.
 */

export interface LatenessSummary {
  readonly samples: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  readonly meanMs: number;
}

export class LatenessHistogram {
  readonly #binMs: number;
  readonly #bins: Uint32Array;
  #samples = 0;
  #sumMs = 0;
  #maxMs = 0;

  constructor(maxMs = 200, binMs = 0.1) {
    this.#binMs = binMs;
    // One extra bin collects everything at or above maxMs.
    this.#bins = new Uint32Array(Math.ceil(maxMs / binMs) + 1);
  }

  /** Records one lateness; negative values (early) count as 0. */
  record(latenessMs: number): void {
    const value = latenessMs > 0 ? latenessMs : 0;
    const index = Math.min(this.#bins.length - 1, Math.floor(value / this.#binMs));
    this.#bins[index] = (this.#bins[index] ?? 0) + 1;
    this.#samples++;
    this.#sumMs += value;
    if (value > this.#maxMs) this.#maxMs = value;
  }

  /** The upper edge of the bin holding quantile `q` (0..1); 0 without samples. */
  quantileMs(q: number): number {
    if (this.#samples === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.#samples));
    let seen = 0;
    for (let i = 0; i < this.#bins.length; i++) {
      seen += this.#bins[i] ?? 0;
      if (seen >= rank) return i === this.#bins.length - 1 ? this.#maxMs : (i + 1) * this.#binMs;
    }
    return this.#maxMs;
  }

  summary(): LatenessSummary {
    return {
      samples: this.#samples,
      p50Ms: this.quantileMs(0.5),
      p99Ms: this.quantileMs(0.99),
      maxMs: this.#maxMs,
      meanMs: this.#samples === 0 ? 0 : this.#sumMs / this.#samples,
    };
  }

  reset(): void {
    this.#bins.fill(0);
    this.#samples = 0;
    this.#sumMs = 0;
    this.#maxMs = 0;
  }
}
