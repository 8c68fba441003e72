import type { VadEvent } from "./vad-types.js";

/** Every VAD decides once per 20 ms frame. */
export const vadFrameMs = 20;

/**
 * The start/stop windows every VAD shares: `speech_start` after `startWindowMs` of consecutive
 * voiced frames, `speech_end` after `stopWindowMs` of consecutive unvoiced ones (the hangover).
 */
export class SpeechWindows {
  #speaking = false;
  #voicedRunMs = 0;
  #unvoicedRunMs = 0;

  get speaking(): boolean {
    return this.#speaking;
  }

  /** Feeds one frame's voiced/unvoiced verdict; returns the event it completes, if any. */
  step(voiced: boolean, startWindowMs: number, stopWindowMs: number): VadEvent | undefined {
    if (voiced) {
      this.#voicedRunMs += vadFrameMs;
      this.#unvoicedRunMs = 0;
      if (!this.#speaking && this.#voicedRunMs >= startWindowMs) {
        this.#speaking = true;
        return "speech_start";
      }
      return undefined;
    }
    this.#unvoicedRunMs += vadFrameMs;
    this.#voicedRunMs = 0;
    if (this.#speaking && this.#unvoicedRunMs >= stopWindowMs) {
      this.#speaking = false;
      return "speech_end";
    }
    return undefined;
  }

  reset(): void {
    this.#speaking = false;
    this.#voicedRunMs = 0;
    this.#unvoicedRunMs = 0;
  }
}

/**
 * The background level (dBFS), followed by unvoiced frames only: up toward louder noise with one
 * time constant, down toward quieter with another.
 */
export class NoiseFloor {
  readonly #initialDb: number;
  readonly #riseAlpha: number;
  readonly #fallAlpha: number;
  #db: number;

  constructor(initialDb: number, riseMs: number, fallMs: number) {
    this.#initialDb = initialDb;
    this.#db = initialDb;
    this.#riseAlpha = 1 - Math.exp(-vadFrameMs / riseMs);
    this.#fallAlpha = 1 - Math.exp(-vadFrameMs / fallMs);
  }

  get db(): number {
    return this.#db;
  }

  follow(energyDb: number): void {
    const alpha = energyDb > this.#db ? this.#riseAlpha : this.#fallAlpha;
    this.#db = Math.max(-100, this.#db + (energyDb - this.#db) * alpha);
  }

  reset(): void {
    this.#db = this.#initialDb;
  }
}
