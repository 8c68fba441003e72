/**
 * RFC 3389 comfort noise (CN), receive side, a pure core: a CN packet says the sender stopped sending
 * speech and gives the level of its background noise; until speech resumes we play low-level noise
 * at that level instead of dead silence (RFC 3389 1: "to avoid ... the perception that the call has
 * been dropped"). The spectral information (reflection coefficients) is read past and ignored: the
 * noise is white, at the signalled level.
 *
 * RFC 3389 3:
 *  0 1 2 3 4 5 6 7
 * |0|   level     |  N reflection coefficients (optional, 1 byte each)
 * "The noise level ... expressed in -dBov, with values from 0 to 127 representing 0 to -127 dBov",
 * where 0 dBov is the overload point: for 16-bit linear audio a full-scale square wave (RMS 32767).
 */
import type { AudioFrame } from "../audio/audio-frame.js";

/** RFC 3551 table 4: CN, 8000 Hz. */
export const comfortNoiseStaticPayloadType = 13;

/**
 * Louder levels are played at this level: comfort noise is background by definition, and a peer
 * (or an injector) signalling 0 dBov must not blast full-scale noise into the pipeline.
 */
export const loudestComfortNoiseDbov = 30;

/** The noise level in -dBov (0-127), or undefined for an empty payload (RFC 3389 3: at least 1 byte). */
export function decodeComfortNoiseLevel(payload: Uint8Array): number | undefined {
  const first = payload[0];
  // RFC 3389 3: the most significant bit is unused and "always set to 0"; read past it if set.
  return first === undefined ? undefined : first & 0x7f;
}

/** RMS in 16-bit linear units of noise at `levelDbov` (-dBov, clamped to loudestComfortNoiseDbov). */
export function comfortNoiseRms(levelDbov: number): number {
  return 32767 * 10 ** (-Math.max(levelDbov, loudestComfortNoiseDbov) / 20);
}

export interface ComfortNoiseStats {
  /** CN packets taken. */
  packets: number;
  /** CN packets with an empty payload, dropped. */
  malformed: number;
  /** Noise frames made. */
  frames: number;
}

/** Tracks CN state from the packets of one stream and makes the noise frames. */
export class ComfortNoiseGenerator {
  readonly sampleRateHz: number;
  readonly #frameSamples: number;
  #active = false;
  #levelDbov = 127;
  #amplitude = 0;
  #seed: number;
  readonly #counters: ComfortNoiseStats = { packets: 0, malformed: 0, frames: 0 };

  constructor(sampleRateHz: number, seed = 0x9e3779b9) {
    this.sampleRateHz = sampleRateHz;
    this.#frameSamples = Math.round(sampleRateHz / 50);
    this.#seed = seed >>> 0 || 1;
  }

  /** True between a CN packet and the next speech packet. */
  get active(): boolean {
    return this.#active;
  }

  /** Level of the last CN packet, in -dBov. */
  get levelDbov(): number {
    return this.#levelDbov;
  }

  /** A CN packet arrived: play noise at its level from now on. Returns false when malformed. */
  onComfortNoise(payload: Uint8Array): boolean {
    const level = decodeComfortNoiseLevel(payload);
    if (level === undefined) {
      this.#counters.malformed++;
      return false;
    }
    this.#counters.packets++;
    this.#active = true;
    this.#levelDbov = level;
    // Uniform noise in [-a, a] has RMS a / sqrt(3).
    this.#amplitude = Math.min(32767, comfortNoiseRms(level) * Math.sqrt(3));
    return true;
  }

  /** A speech packet arrived: CN ends (RFC 3389 4: speech packets resume the stream). */
  onSpeech(): void {
    this.#active = false;
  }

  /** A new source or a reset stream: no CN until the next CN packet. */
  reset(): void {
    this.#active = false;
  }

  /** One 20 ms frame of noise at the current level (a fresh buffer: frames travel on downstream). */
  frame(): AudioFrame {
    const samples = new Int16Array(this.#frameSamples);
    const a = this.#amplitude;
    let x = this.#seed;
    for (let i = 0; i < samples.length; i++) {
      // xorshift32: cheap, and good enough for noise nobody analyses.
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      samples[i] = Math.round(((x >>> 0) / 0xffff_ffff - 0.5) * 2 * a);
    }
    this.#seed = x >>> 0 || 1;
    this.#counters.frames++;
    return { samples, sampleRateHz: this.sampleRateHz };
  }

  stats(): ComfortNoiseStats {
    return { ...this.#counters };
  }
}
