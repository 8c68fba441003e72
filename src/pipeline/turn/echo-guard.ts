/**
 * Keeps our own voice, coming back from the far end as echo, from counting as caller speech.
 *
 * The reference is what we played: the energy of each agent frame at the time it left on the wire.
 * Line echo arrives `minDelayMs..maxDelayMs` later, at least `echoReturnLossDb` quieter. While such
 * echo may be present, a caller frame must beat the loudest expected echo by `marginDb`, and the
 * noise floor does not adapt. Energy-only (no waveform correlation): cheap, and robust to the codec
 * and the far end's own echo canceller changing the waveform.
 */
export interface EchoGuardOptions {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  /** How much quieter than our voice the echo is assumed to be at worst (G.168 hybrids: >= 6 dB). */
  readonly echoReturnLossDb: number;
  /** How far above the expected echo a frame must be to count as the caller. */
  readonly marginDb: number;
}

export const defaultEchoGuardOptions = {
  minDelayMs: 0,
  maxDelayMs: 400,
  echoReturnLossDb: 10,
  marginDb: 4,
} as const satisfies EchoGuardOptions;

const capacity = 64;

export class EchoGuard {
  readonly options: EchoGuardOptions;
  readonly #atMs = new Float64Array(capacity);
  readonly #energyDb = new Float64Array(capacity);
  #next = 0;
  #count = 0;

  constructor(options: Partial<EchoGuardOptions> = {}) {
    this.options = { ...defaultEchoGuardOptions, ...options };
  }

  /** Records one agent frame of `energyDb` that left on the wire at `atMs`. */
  notePlayed(energyDb: number, atMs: number): void {
    this.#atMs[this.#next] = atMs;
    this.#energyDb[this.#next] = energyDb;
    this.#next = (this.#next + 1) % capacity;
    this.#count = Math.min(capacity, this.#count + 1);
  }

  /**
   * The level a caller frame heard at `nowMs` must reach to count as speech, or undefined when no
   * echo of ours can be arriving now.
   */
  gateDb(nowMs: number): number | undefined {
    let loudest = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < this.#count; i++) {
      const age = nowMs - (this.#atMs[i] ?? 0);
      if (age >= this.options.minDelayMs && age <= this.options.maxDelayMs + 20) {
        loudest = Math.max(loudest, this.#energyDb[i] ?? -100);
      }
    }
    if (loudest === Number.NEGATIVE_INFINITY || loudest <= -90) return undefined;
    return loudest - this.options.echoReturnLossDb + this.options.marginDb;
  }
}
