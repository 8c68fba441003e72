import type { AudioFrame } from "../../media/index.js";

/** Thresholds and windows of the energy VAD (all times in ms of audio). */
export interface VadOptions {
  /** A frame is voiced when its energy is this far above the adaptive noise floor. */
  readonly thresholdDb: number;
  /** ...and above this absolute level (dBFS), so digital silence plus dither never counts. */
  readonly minEnergyDb: number;
  /** Voiced audio needed (consecutive) before `speech_start`. */
  readonly startWindowMs: number;
  /** Unvoiced audio needed (consecutive) before `speech_end` (the hangover). */
  readonly stopWindowMs: number;
  /** Initial noise floor (dBFS). */
  readonly initialNoiseFloorDb: number;
  /** Time constant for the floor to rise toward louder background noise. */
  readonly noiseFloorRiseMs: number;
  /** Time constant for the floor to fall toward quieter background. */
  readonly noiseFloorFallMs: number;
  /** Frames whose high-band ratio is above this are noise-like (hiss), never voiced. */
  readonly maxHighBandRatio: number;
}

export const defaultVadOptions = {
  thresholdDb: 12,
  minEnergyDb: -50,
  startWindowMs: 60,
  stopWindowMs: 160,
  initialNoiseFloorDb: -65,
  noiseFloorRiseMs: 4000,
  noiseFloorFallMs: 200,
  maxHighBandRatio: 1.7,
} as const satisfies VadOptions;

/** Extra conditions from the caller of the VAD for one frame (the echo guard uses them). */
export interface VadGate {
  /** The frame must also be above this level (dBFS) to count as voiced. */
  readonly minEnergyDb?: number;
  /** Do not adapt the noise floor on this frame (e.g. while our own voice may be echoing back). */
  readonly freezeNoiseFloor?: boolean;
}

export type VadEvent = "speech_start" | "speech_end";

export interface VadDecision {
  /** This frame alone looks like speech. */
  readonly voiced: boolean;
  /** Speaking state after the start/stop windows. */
  readonly speaking: boolean;
  readonly event: VadEvent | undefined;
  readonly energyDb: number;
  readonly noiseFloorDb: number;
}

/**
 * A voice activity detector: one decision per 20 ms frame. Pure and synchronous.
 *
 * Implementations (this folder): `EnergyVad` (cheap, hundreds of calls per core) and `SileroVad`
 * (Silero VAD v5 through onnxruntime-node; its decisions lag the audio by one frame plus part of a
 * 32 ms chunk because inference is asynchronous). Both keep the start/stop windows in ms and honour
 * {@link VadGate} so the echo guard works with either.
 */
export interface Vad {
  process(frame: AudioFrame, gate?: VadGate): VadDecision;
  readonly speaking: boolean;
  reset(): void;
}
